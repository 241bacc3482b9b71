import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from articles.models import Category
from store.models import Product, ProductCategory, ProductImage


def image_bytes(fmt="PNG", size=(1200, 900), color=(120, 90, 200)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def upload(name="product.png", fmt="PNG", size=(1200, 900), content_type="image/png"):
    return SimpleUploadedFile(name, image_bytes(fmt, size), content_type=content_type)


@pytest.fixture
def shop_category(db):
    return ProductCategory.objects.create(name="Warmth", slug="warmth", order=1)


@pytest.fixture
def make_product(shop_category):
    counter = iter(range(1, 100_000))

    def make(**fields):
        n = next(counter)
        defaults = {
            "name": f"Product {n}",
            "slug": f"product-{n}",
            "category": shop_category,
            "short_description": "A soft and useful thing.",
            "description": "Made of **cotton**.",
            "price": Decimal("12.50"),
            "buy_url": f"https://fibromyalgia.dashery.com/products/{n}",
        }
        return Product.objects.create(**{**defaults, **fields})

    return make


@pytest.fixture
def product(make_product):
    return make_product(name="Wheat heat pack", slug="wheat-heat-pack", price=Decimal("22.00"))


@pytest.fixture
def article_category(db):
    return Category.objects.create(name="Pain", slug="pain")


@pytest.fixture
def published_article(make_article, article_category):
    return make_article(
        title="Warmth for aching muscles", slug="warmth-for-aching-muscles",
        summary="Heat can feel soothing.", body="## Warmth\n\nText.",
        category=article_category, publish_at=timezone.now(),
    )  # fmt: skip


FAKE_RENDITIONS = [
    {
        "width": w,
        "height": w,
        "webp": f"store/sizes/x-{w}.webp",
        "original": f"store/sizes/x-{w}.jpg",
    }
    for w in (320, 640, 1024)
]


def bulk_products(category, count, featured=True, article=None, images_each=0):
    """Many products quickly, with (fake) image renditions so cards render pictures."""
    start = Product.objects.count()
    products = Product.objects.bulk_create(
        Product(
            name=f"Bulk {start + i}",
            slug=f"bulk-{start + i}",
            category=category,
            short_description="Bulk product",
            description_html="<p>Bulk</p>",
            price=Decimal("9.99"),
            buy_url="https://fibromyalgia.dashery.com/products/bulk",
            featured=featured,
            image="store/x.jpg",
            image_width=1024,
            image_height=1024,
            alt="A bulk product",
            renditions=FAKE_RENDITIONS,
        )
        for i in range(count)
    )
    if article:
        Product.related_articles.through.objects.bulk_create(
            Product.related_articles.through(product_id=p.pk, article_id=article.pk)
            for p in products
        )
    if images_each:
        ProductImage.objects.bulk_create(
            ProductImage(
                product=p,
                image="store/y.jpg",
                width=1024,
                height=768,
                alt=f"View {n}",
                renditions=FAKE_RENDITIONS,
                order=n,
            )
            for p in products
            for n in range(images_each)
        )
    return products
