from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from store.models import Product, ProductCategory, ProductImage

pytestmark = pytest.mark.django_db


def store_rows():
    return list(Product.objects.values()), list(ProductImage.objects.values())


def test_demo_store_is_complete_renders_and_loads_only_once(client):
    """One test, because load_demo draws and resizes every picture (a few seconds)."""
    call_command("load_demo", stdout=StringIO())

    assert ProductCategory.objects.count() >= 3
    products = Product.objects.all()
    assert products.count() >= 10
    for product in products:
        assert product.buy_url.startswith("https://fibromyalgia.dashery.com/")
        assert [r["width"] for r in product.renditions] == [320, 640, 1024]
        assert default_storage.exists(product.renditions[0]["webp"])
        assert product.alt
    assert ProductImage.objects.exists()
    assert set(Product.objects.values_list("related_articles__slug", flat=True)) >= {
        "low-dose-naltrexone-fibromyalgia-fatigue",
        "pacing-energy-budget",
        "unrefreshing-sleep",
        "warmth-for-aching-muscles",
    }
    assert Product.objects.exclude(availability="in_stock").exists()  # the unavailable state

    for url in ["/", "/store/", "/store/warmth-and-comfort/", "/store/product/wheat-heat-pack/"]:
        assert client.get(url).status_code == 200
    article = client.get("/articles/warmth-for-aching-muscles/").content.decode()
    assert "Wheat heat pack" in article and "Shop this" in article

    first = store_rows()
    call_command("load_demo", stdout=StringIO())
    assert store_rows() == first
