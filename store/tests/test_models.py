from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from PIL import Image

from store.models import Currency, Product, ProductImage, with_utm
from store.tests.conftest import upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "ftp://fibromyalgia.dashery.com/file",
        "file:///etc/passwd",
        "//evil.example/path",
        "/store/go/other/",
        "https://fibromyalgia.dashery.com@evil.example/",
        "https://user:pass@fibromyalgia.dashery.com/",
        "not a url",
    ],
)
def test_buy_url_must_be_a_plain_http_or_https_address(make_product, url):
    product = make_product()
    product.buy_url = url
    with pytest.raises(ValidationError) as error:
        product.full_clean()
    assert "buy_url" in error.value.message_dict


@pytest.mark.parametrize(
    "url",
    ["https://fibromyalgia.dashery.com/products/mug?variant=2", "http://shop.example/a#b"],
)
def test_buy_url_accepts_http_and_https(make_product, url):
    product = make_product()
    product.buy_url = url
    product.full_clean()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://shop.example/p",
            "https://shop.example/p?utm_source=fibrosite&utm_medium=referral&utm_campaign=store",
        ),
        (
            "https://shop.example/p?variant=2&size=L",
            "https://shop.example/p?variant=2&size=L"
            "&utm_source=fibrosite&utm_medium=referral&utm_campaign=store",
        ),
        (  # the editor's own campaign wins; the rest are still added
            "https://shop.example/p?utm_campaign=winter&ref=a%20b",
            "https://shop.example/p?utm_campaign=winter&ref=a%20b"
            "&utm_source=fibrosite&utm_medium=referral",
        ),
        (  # fragments stay after the query
            "https://shop.example/p#reviews",
            "https://shop.example/p?utm_source=fibrosite&utm_medium=referral&utm_campaign=store"
            "#reviews",
        ),
    ],
)
def test_with_utm_keeps_the_existing_query_and_adds_what_is_missing(url, expected):
    assert with_utm(url) == expected


@pytest.mark.parametrize(
    ("currency", "price", "shown"),
    [
        (Currency.USD, "12.5", "$12.50"),
        (Currency.GBP, "1234.5", "£1,234.50"),
        (Currency.EUR, "0", "€0.00"),
        (Currency.CAD, "9.99", "CA$9.99"),
    ],
)
def test_price_is_shown_with_its_currency_symbol(make_product, currency, price, shown):
    product = make_product(currency=currency, price=Decimal(price))
    assert product.price_display == shown


def test_negative_price_is_refused(make_product):
    product = make_product()
    product.price = Decimal("-1")
    with pytest.raises(ValidationError) as error:
        product.full_clean()
    assert "price" in error.value.message_dict


def test_description_is_rendered_and_sanitised_on_save(make_product):
    product = make_product(
        description="**Soft** <script>alert(1)</script>\n\n[x](javascript:alert(1))"
    )
    assert "<strong>Soft</strong>" in product.description_html
    assert "<script" not in product.description_html
    assert "javascript:" not in product.description_html


def stored(name):
    return Path(default_storage.path(name))


def test_saving_an_image_makes_webp_and_original_sizes_once(make_product):
    product = make_product(image=upload(size=(1200, 900)), alt="A blue heat pack")
    product.refresh_from_db()
    assert [r["width"] for r in product.renditions] == [320, 640, 1024, 1200]
    assert [r["height"] for r in product.renditions] == [240, 480, 768, 900]
    for rendition in product.renditions:
        with Image.open(stored(rendition["webp"])) as webp:
            assert (webp.format, webp.width) == ("WEBP", rendition["width"])
        with Image.open(stored(rendition["original"])) as original:
            assert (original.format, original.width) == ("PNG", rendition["width"])
    assert (product.image_width, product.image_height) == (1200, 900)
    assert product.image.name.endswith(".png") and "product" not in product.image.name

    files_before = sorted(p.name for p in stored(product.renditions[0]["webp"]).parent.iterdir())
    product.name = "Renamed"
    product.save()
    after = sorted(p.name for p in stored(product.renditions[0]["webp"]).parent.iterdir())
    assert after == files_before  # no new work when the image did not change


def test_replacing_the_image_replaces_the_renditions(make_product):
    product = make_product(image=upload(size=(800, 600)), alt="First")
    first = product.renditions
    product.image = upload(name="second.jpg", fmt="JPEG", size=(400, 400))
    product.save()
    product.refresh_from_db()
    assert product.renditions != first
    assert [r["width"] for r in product.renditions] == [320, 400]
    assert product.renditions[0]["original"].endswith(".jpg")


def test_small_image_is_not_enlarged(make_product):
    product = make_product(image=upload(size=(200, 100)), alt="Tiny")
    assert [r["width"] for r in product.renditions] == [200]


def test_extra_images_get_renditions_too(product):
    extra = ProductImage.objects.create(product=product, image=upload(), alt="Side view")
    extra.refresh_from_db()
    assert [r["width"] for r in extra.renditions] == [320, 640, 1024, 1200]


def test_image_without_description_is_refused(make_product):
    product = make_product(image=upload(size=(100, 100)))
    with pytest.raises(ValidationError) as error:
        product.full_clean()
    assert "alt" in error.value.message_dict


def test_saving_an_old_copy_does_not_lose_clicks_counted_meanwhile(product):
    editor_copy = Product.objects.get(pk=product.pk)
    for _ in range(3):
        product.count_click()
    editor_copy.name = "Edited while visitors clicked"
    editor_copy.save()
    product.refresh_from_db()
    assert product.name == "Edited while visitors clicked"
    assert product.click_count == 3


def test_visible_hides_only_discontinued_products(make_product):
    shown = make_product(availability=Product.Availability.IN_STOCK)
    out = make_product(availability=Product.Availability.OUT_OF_STOCK)
    make_product(availability=Product.Availability.DISCONTINUED)
    assert set(Product.objects.visible()) == {shown, out}
    assert list(Product.objects.available()) == [shown]
