from django.apps import AppConfig


class StoreConfig(AppConfig):
    name = "store"

    def ready(self):
        from articles import search
        from store.search import ProductSource

        search.register(ProductSource())
