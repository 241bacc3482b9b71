from django.apps import AppConfig


class StoreConfig(AppConfig):
    name = "store"

    def ready(self):
        from articles import search
        from core import images, pagecache
        from store.models import IMAGE_WIDTHS, Product, ProductCategory, ProductImage
        from store.search import ProductSource

        # What public pages show (the click counter is not shown anywhere public).
        pagecache.public(ProductCategory, ProductImage)
        pagecache.public(Product, unshown_fields={"click_count"})
        images.sized_image(
            Product, "image", renditions="renditions", widths=IMAGE_WIDTHS,
            width="image_width", height="image_height",
        )  # fmt: skip
        images.sized_image(
            ProductImage, "image", renditions="renditions", widths=IMAGE_WIDTHS,
            width="width", height="height",
        )  # fmt: skip

        search.register(ProductSource())
