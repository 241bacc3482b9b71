"""Products in site search (registered from StoreConfig.ready(); see articles/search)."""

from articles.search import Document, Source
from articles.search.text import html_to_text
from store.models import Product


class ProductSource(Source):
    model = Product

    def key(self, product):
        return f"product:{product.pk}"

    def queryset(self):
        return Product.objects.select_related("category")

    def document(self, product):
        if product.availability == Product.Availability.DISCONTINUED:
            return None
        return Document(
            key=self.key(product),
            kind="product",
            title=product.name,
            url=product.get_absolute_url(),
            label=f"{product.price_display} · {product.availability_label}",
            lead=f"{product.short_description} {product.category.name}",
            text=f"{product.short_description} {html_to_text(product.description_html)}",
            live_from=product.created,
        )
