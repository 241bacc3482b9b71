"""Store fragments for other apps' pages, so `articles` never imports `store`."""

from django import template

from store.models import Product

register = template.Library()

TEASER_COUNT = 3
ARTICLE_PRODUCT_COUNT = 4


@register.inclusion_tag("store/includes/teaser_products.html")
def store_teaser():
    """Featured products for the home page: one query."""
    products = (
        Product.objects.available()
        .for_listing()
        .order_by("-featured", "order", "name")[:TEASER_COUNT]
    )
    return {"products": products}


@register.inclusion_tag("store/includes/shop_this.html")
def shop_this(article):
    """Products related to an article, in one query whatever their number."""
    products = (
        Product.objects.available()
        .filter(related_articles=article.pk)
        .defer("description", "description_html")[:ARTICLE_PRODUCT_COUNT]
    )
    return {"products": products, "article": article}
