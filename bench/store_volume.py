"""Benchmark volume for the store (used by bench/volume.py): many products, no images."""

from decimal import Decimal

from articles.models import Article
from store.models import Product, ProductCategory


def add_volume(count):
    if Product.objects.filter(slug__startswith="volume-").exists():
        return
    categories = list(ProductCategory.objects.all())
    products = Product.objects.bulk_create(
        Product(
            name=f"Volume product {i}",
            slug=f"volume-{i}",
            category=categories[i % len(categories)],
            short_description="A generated product for the benchmark.",
            description="Soft, warm and simple.",
            description_html="<p>Soft, warm and simple.</p>",
            price=Decimal("19.99") + i % 20,
            buy_url=f"https://fibromyalgia.dashery.com/products/volume-{i}",
            store_name="Fibromyalgia Store",
            featured=i % 50 == 0,
            order=100 + i,
        )
        for i in range(count)
    )
    articles = list(Article.objects.published().values_list("pk", flat=True)[:50])
    through = Product.related_articles.through
    through.objects.bulk_create(
        through(product_id=p.pk, article_id=articles[i % len(articles)])
        for i, p in enumerate(products)
    )
