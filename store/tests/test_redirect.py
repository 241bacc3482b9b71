import threading

import pytest
from django.db import connections
from django.test import Client

from store.models import Product

pytestmark = pytest.mark.django_db

UTM = "utm_source=fibrosite&utm_medium=referral&utm_campaign=store"


def test_go_redirects_to_the_saved_shop_address_with_utm_and_counts(client, make_product):
    product = make_product(buy_url="https://fibromyalgia.dashery.com/products/mug?variant=2#top")
    response = client.get(f"/store/go/{product.slug}/")
    assert response.status_code == 302
    assert response["Location"] == (
        f"https://fibromyalgia.dashery.com/products/mug?variant=2&{UTM}#top"
    )
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    product.refresh_from_db()
    assert product.click_count == 1


def test_go_keeps_utm_values_the_editor_chose(client, make_product):
    product = make_product(buy_url="https://shop.example/p?utm_source=newsletter")
    location = client.get(f"/store/go/{product.slug}/")["Location"]
    assert location == (
        "https://shop.example/p?utm_source=newsletter&utm_medium=referral&utm_campaign=store"
    )


@pytest.mark.parametrize(
    "query",
    [
        "?next=https://evil.example/",
        "?url=//evil.example",
        "?buy_url=javascript:alert(1)",
        "?redirect=https%3A%2F%2Fevil.example",
        "?utm_source=evil",
    ],
)
def test_nothing_in_the_request_changes_the_target(client, product, query):
    response = client.get(f"/store/go/{product.slug}/{query}")
    assert response.status_code == 302
    assert response["Location"] == f"{product.buy_url}?{UTM}"


@pytest.mark.parametrize(
    "bad_url",
    ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "ftp://shop.example/x"],
)
def test_a_bad_address_slipped_past_validation_is_never_followed(client, product, bad_url):
    Product.objects.filter(pk=product.pk).update(buy_url=bad_url)  # bypasses validation
    response = client.get(f"/store/go/{product.slug}/")
    assert response.status_code == 302
    assert response["Location"] == product.get_absolute_url()
    product.refresh_from_db()
    assert product.click_count == 0


@pytest.mark.parametrize(
    "availability", [Product.Availability.OUT_OF_STOCK, Product.Availability.DISCONTINUED]
)
def test_go_for_an_unavailable_product_returns_to_its_page_without_counting(
    client, make_product, availability
):
    product = make_product(availability=availability)
    response = client.get(f"/store/go/{product.slug}/")
    assert response.status_code == 302
    assert response["Location"] == product.get_absolute_url()
    product.refresh_from_db()
    assert product.click_count == 0


def test_go_for_an_unknown_product_is_404(client, db):
    assert client.get("/store/go/nothing-here/").status_code == 404


def test_head_requests_are_redirected_but_not_counted(client, product):
    response = client.head(f"/store/go/{product.slug}/")
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.click_count == 0


def test_go_refuses_post(client, product):
    assert client.post(f"/store/go/{product.slug}/").status_code == 405
    product.refresh_from_db()
    assert product.click_count == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_clicks_are_all_counted(thread_connections, make_product):
    """Threads, each with its own connection, click at the same moment: none is lost."""
    product = make_product()
    threads_count, clicks_each = 8, 15
    barrier = threading.Barrier(threads_count)
    errors = []

    def click():
        thread_connections()
        client = Client()
        try:
            barrier.wait()
            for _ in range(clicks_each):
                assert client.get(f"/store/go/{product.slug}/").status_code == 302
        except Exception as error:  # reported below; a thread can't fail the test itself
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    product.refresh_from_db()
    assert product.click_count == threads_count * clicks_each
