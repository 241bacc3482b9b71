import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.pagecache import current_version
from store.models import Product, ProductImage
from store.tests.conftest import bulk_products, upload

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/store/product/"
ADD = "/admin/store/product/add/"


def product_form(category, **overrides):
    data = {
        "name": "Fleece throw",
        "slug": "fleece-throw",
        "category": category.pk,
        "short_description": "A large soft throw.",
        "description": "Machine **washable**.",
        "price": "32.00",
        "currency": "GBP",
        "buy_url": "https://fibromyalgia.dashery.com/products/fleece-throw",
        "store_name": "Fibromyalgia Store",
        "availability": "in_stock",
        "order": "0",
        "alt": "",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_changelist_shows_thumbnails_prices_and_clicks_in_constant_queries(
    admin_client, shop_category, django_assert_max_num_queries
):
    """The changelist must not query per row (thumbnails come from stored renditions)."""
    bulk_products(shop_category, 5)
    with django_assert_max_num_queries(12) as small:
        admin_client.get(CHANGELIST)
    bulk_products(shop_category, 95)
    Product.objects.update(click_count=7)
    with django_assert_max_num_queries(12) as large:
        response = admin_client.get(CHANGELIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    assert html.count('src="/media/store/sizes/x-320.webp"') == 100
    assert "$9.99" in html
    assert 'class="field-click_count">7<' in html
    assert 'name="form-0-featured"' in html and 'name="form-0-availability"' in html


def test_changelist_search_and_filters(admin_client, make_product):
    make_product(name="Sleep mask", availability="out_of_stock")
    make_product(name="Wheat bag")
    assert "Wheat bag" not in admin_client.get(CHANGELIST, {"q": "mask"}).content.decode()
    filtered = admin_client.get(CHANGELIST, {"availability__exact": "out_of_stock"})
    assert "Sleep mask" in filtered.content.decode()
    assert "Wheat bag" not in filtered.content.decode()


def test_add_product_with_images_makes_renditions(admin_client, shop_category):
    data = product_form(
        shop_category,
        image=upload(size=(1200, 1200)),
        alt="A purple fleece throw",
        **{
            "images-TOTAL_FORMS": "1",
            "images-0-image": upload(name="side.jpg", fmt="JPEG", size=(800, 600)),
            "images-0-alt": "The throw folded",
            "images-0-order": "1",
        },
    )
    response = admin_client.post(ADD, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    product = Product.objects.get(slug="fleece-throw")
    assert product.description_html == "<p>Machine <strong>washable</strong>.</p>"
    assert product.price == Decimal("32.00") and product.currency == "GBP"
    assert [r["width"] for r in product.renditions] == [320, 640, 1024, 1200]
    extra = ProductImage.objects.get(product=product)
    assert [r["width"] for r in extra.renditions] == [320, 640, 800]
    assert extra.renditions[0]["original"].endswith(".jpg")
    change = admin_client.get(f"/admin/store/product/{product.pk}/change/")
    assert change.status_code == 200
    assert extra.thumbnail_url in change.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,hello",
        "ftp://fibromyalgia.dashery.com/x",
        "https://fibromyalgia.dashery.com@evil.example/",
    ],
)
def test_add_refuses_non_web_shop_addresses_with_a_clear_error(admin_client, shop_category, url):
    response = admin_client.post(ADD, product_form(shop_category, buy_url=url))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "buy_url" in errors
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    "description", ["- " * 300 + "deep", "[" * 6000, "a" * 60_000], ids=["deep", "brackets", "long"]
)
def test_a_too_complex_description_is_a_form_error_not_a_500(
    admin_client, shop_category, description
):
    response = admin_client.post(ADD, product_form(shop_category, description=description))
    assert response.status_code == 200
    [message] = response.context["adminform"].form.errors["description"]
    assert any(word in message for word in ("limit", "complex", "at most 50000"))
    assert not Product.objects.exists()


def bomb_png():
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, "PNG")  # 100 megapixels, a few KB
    return SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (
            SimpleUploadedFile("x.png", b"<?php echo 1; ?>", content_type="image/png"),
            "not an image we can read",
        ),
        (
            SimpleUploadedFile(
                "x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>'
            ),
            "not an image we can read",
        ),
        ("gif", "JPEG, PNG or WebP"),
        ("bomb", "too large to process safely"),
        ("big", "images can be up to 5 MB"),
    ],
)
def test_add_refuses_unsafe_images(admin_client, shop_category, file, message):
    if file == "gif":
        buffer = io.BytesIO()
        Image.new("RGB", (10, 10)).save(buffer, "GIF")
        file = SimpleUploadedFile("x.png", buffer.getvalue(), content_type="image/png")
    elif file == "bomb":
        file = bomb_png()
    elif file == "big":
        file = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (5 * 1024 * 1024 + 1))
    response = admin_client.post(ADD, product_form(shop_category, image=file, alt="x"))
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors["image"])
    assert not Product.objects.exists()


def test_list_editable_save_keeps_click_counts(admin_client, make_product):
    product = make_product(order=3)
    Product.objects.filter(pk=product.pk).update(click_count=41)
    response = admin_client.post(
        CHANGELIST,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": product.pk,
            "form-0-availability": "out_of_stock",
            "form-0-featured": "on",
            "form-0-order": "1",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.availability, product.featured, product.order) == ("out_of_stock", True, 1)
    assert product.click_count == 41


def test_click_count_is_read_only(admin_client, product):
    Product.objects.filter(pk=product.pk).update(click_count=5)
    url = f"/admin/store/product/{product.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    assert "click_count" not in form.fields
    data = product_form(product.category, slug=product.slug, click_count="9999")
    assert admin_client.post(url, data).status_code == 302
    product.refresh_from_db()
    assert product.click_count == 5


def test_mark_unavailable_action_updates_and_invalidates_cached_pages(admin_client, make_product):
    products = [make_product(), make_product()]
    untouched = make_product()
    before = current_version()
    response = admin_client.post(
        CHANGELIST,
        {"action": "mark_unavailable", "_selected_action": [p.pk for p in products]},
    )
    assert response.status_code == 302
    assert current_version() == before + 1  # the bulk update invalidates, once
    assert set(Product.objects.values_list("availability", flat=True).filter(pk__in=[
        p.pk for p in products
    ])) == {"out_of_stock"}  # fmt: skip
    untouched.refresh_from_db()
    assert untouched.availability == "in_stock"
    page = admin_client.get(products[0].get_absolute_url()).content.decode()
    assert "Buy at" not in page


def test_mark_in_stock_action(admin_client, make_product):
    product = make_product(availability="out_of_stock")
    before = current_version()
    admin_client.post(CHANGELIST, {"action": "mark_in_stock", "_selected_action": [product.pk]})
    assert current_version() == before + 1
    product.refresh_from_db()
    assert product.availability == "in_stock"


def test_related_articles_use_autocomplete(admin_client, db):
    html = admin_client.get(ADD).content.decode()
    assert 'data-model-name="article"' in html or "admin-autocomplete" in html


def test_category_admin_lists_product_counts(admin_client, make_product, shop_category):
    make_product()
    make_product()
    response = admin_client.get("/admin/store/productcategory/")
    assert response.status_code == 200
    assert 'class="field-product_count">2<' in response.content.decode()
