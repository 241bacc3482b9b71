from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self):
        from articles import search
        from articles.search.sources import ArticleSource, CategorySource, FAQSource

        for source in (ArticleSource(), FAQSource(), CategorySource()):
            search.register(source)
        post_migrate.connect(_build_search_index, sender=self)


def _build_search_index(using="default", **kwargs):
    """A site migrated for the first time with content already in it gets its index."""
    from django.db import connections

    from articles import search
    from articles.models import SearchEntry

    if SearchEntry._meta.db_table not in connections[using].introspection.table_names():
        return  # migrated back to before search entries existed
    if not SearchEntry.objects.using(using).exists() and search.has_content():
        search.rebuild()
