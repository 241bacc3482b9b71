from django.urls import reverse

from core.sitemaps import SiteSitemap
from store.models import Product, ProductCategory


class StoreSitemap(SiteSitemap):
    """The store page, its categories and every listed product (never the /go/ redirects)."""

    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return [
            "store:home",
            *ProductCategory.objects.filter(products__in=Product.objects.visible()).distinct(),
            *Product.objects.visible().only("slug", "updated"),
        ]

    def location(self, item):
        return reverse(item) if isinstance(item, str) else item.get_absolute_url()

    def lastmod(self, item):
        return getattr(item, "updated", None)
