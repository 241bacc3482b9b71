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
    """Threads, each with its own connection, click at the same moment: none is lost.

    Each click comes from its own visitor (a visitor's repeat clicks count once an hour)."""
    product = make_product()
    threads_count, clicks_each = 8, 15
    barrier = threading.Barrier(threads_count)
    errors = []

    def click(t):
        thread_connections()
        client = Client()
        try:
            barrier.wait()
            for i in range(clicks_each):
                response = client.get(f"/store/go/{product.slug}/", REMOTE_ADDR=f"10.{t}.{i}.1")
                assert response.status_code == 302
        except Exception as error:  # reported below; a thread can't fail the test itself
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click, args=(t,)) for t in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    product.refresh_from_db()
    assert product.click_count == threads_count * clicks_each


def test_one_visitor_clicking_again_and_again_counts_once_an_hour(client, product, monkeypatch):
    """One address could inflate a product's click count freely."""
    for _ in range(20):
        assert client.get(product.get_buy_url(), REMOTE_ADDR="203.0.113.5").status_code == 302
    # The same household on IPv6 changing its address within its /64 is the same visitor.
    for n in range(1, 6):
        client.get(product.get_buy_url(), REMOTE_ADDR=f"2001:db8:3:4::{n}")
    product.refresh_from_db()
    assert product.click_count == 2
    # Other visitors count, and so does the first one an hour later.
    client.get(product.get_buy_url(), REMOTE_ADDR="198.51.100.9")
    import store.views

    real_add = store.views.cache.add
    # An hour on, the visitor's key has expired: seen here as a key never used before.
    monkeypatch.setattr(
        store.views.cache, "add", lambda key, *a, **k: real_add(key + ":later", *a, **k)
    )
    client.get(product.get_buy_url(), REMOTE_ADDR="203.0.113.5")
    product.refresh_from_db()
    assert product.click_count == 4
