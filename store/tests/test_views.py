import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from articles.models import Article
from store.models import Product, ProductCategory, ProductImage
from store.tests.conftest import bulk_products, upload

pytestmark = pytest.mark.django_db


def json_ld(response, type_name):
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return next(d for d in map(json.loads, blocks) if d["@type"] == type_name)


def test_store_home_lists_featured_products_and_categories(client, make_product, shop_category):
    make_product(name="Featured blanket", featured=True)
    make_product(name="Hidden old mug", availability=Product.Availability.DISCONTINUED)
    ProductCategory.objects.create(name="Empty", slug="empty")
    response = client.get("/store/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "Featured blanket" in html
    assert "Hidden old mug" not in html
    assert shop_category.get_absolute_url() in html
    assert "/store/empty/" not in html  # no empty categories
    assert "doesn't sell anything itself" in html  # the disclosure
    assert json_ld(response, "BreadcrumbList")["itemListElement"][-1]["name"] == "Store"


def test_empty_store_says_so(client, db):
    response = client.get("/store/")
    assert response.status_code == 200
    assert "being stocked" in response.content.decode()


def test_category_page_is_paginated(client, shop_category):
    bulk_products(shop_category, 30)
    first = client.get(shop_category.get_absolute_url())
    assert first.status_code == 200
    assert len(first.context["products"]) == 12
    assert "Page 1 of 3" in first.content.decode()
    last = client.get(shop_category.get_absolute_url(), {"page": "last"})
    assert len(last.context["products"]) == 6
    assert 'rel="canonical" href="http://testserver/store/warmth/?page=3"' not in (
        last.content.decode()
    )
    assert "/store/warmth/?page=3" in last.content.decode()


@pytest.mark.parametrize("page", ["0", "4", "-1", "abc", "1.5", "99999999999999999999", "%00"])
def test_bad_page_numbers_are_404_not_500(client, shop_category, page):
    bulk_products(shop_category, 30)
    assert client.get(shop_category.get_absolute_url(), {"page": page}).status_code == 404


def test_category_page_shows_unavailable_products_marked_and_hides_discontinued(
    client, make_product, shop_category
):
    make_product(name="Resting wrist warmers", availability=Product.Availability.OUT_OF_STOCK)
    make_product(name="Old mug", availability=Product.Availability.DISCONTINUED)
    html = client.get(shop_category.get_absolute_url()).content.decode()
    assert "Resting wrist warmers" in html and "Unavailable for now" in html
    assert "Old mug" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/store/no-such-category/",
        "/store/product/no-such-product/",
        "/store/product/",
        "/store/go/no-such-product/",
        "/store/product/%3Cscript%3E/",
        "/store/go/..%2F..%2Fadmin/",
    ],
)
def test_unknown_store_addresses_are_404(client, product, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "find that page" in response.content.decode()


def test_product_page_shows_everything_a_buyer_needs(client, make_product, published_article):
    product = make_product(
        name="Wheat heat pack",
        price=Decimal("22.00"),
        currency="GBP",
        image=upload(size=(1200, 1200)),
        alt="A long purple wheat bag",
        store_name="Fibromyalgia Store",
        buy_url="https://fibromyalgia.dashery.com/products/wheat?x=1",
    )
    product.related_articles.add(published_article)
    ProductImage.objects.create(product=product, image=upload(size=(900, 600)), alt="The cover")
    response = client.get(product.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "£22.00" in html
    assert "<strong>cotton</strong>" in html
    # Images: srcset in WebP and original format, width/height set, main eager, extras lazy.
    assert html.count('<source type="image/webp"') == 2
    assert 'alt="A long purple wheat bag" width="1200" height="1200" loading="eager"' in html
    assert 'alt="The cover" width="900" height="600" loading="lazy"' in html
    assert re.search(r'srcset="[^"]+-320\.webp 320w, [^"]+-640\.webp 640w', html)
    # One clear button through our counting redirect, never straight to the shop.
    assert (
        f'<a class="button" href="/store/go/{product.slug}/" rel="sponsored noopener">'
        "Buy at Fibromyalgia Store</a>"
    ) in html
    assert "https://fibromyalgia.dashery.com/products/wheat" not in html.split("ld+json")[0]
    assert "fibromyalgia.dashery.com, outside FibroSite" in html
    assert "doesn't sell anything itself" in html
    assert published_article.title in html
    assert published_article.get_absolute_url() in html


def test_product_json_ld_has_an_offer(client, make_product):
    product = make_product(
        name="Sleep mask",
        price=Decimal("12"),
        currency="EUR",
        image=upload(size=(700, 700)),
        alt="Mask",
    )
    data = json_ld(client.get(product.get_absolute_url()), "Product")
    assert data["name"] == "Sleep mask"
    assert data["url"] == "http://127.0.0.1:8000/store/product/" + product.slug + "/"
    assert data["image"][0].startswith("http://127.0.0.1:8000/media/store/sizes/")
    assert data["offers"] == {
        "@type": "Offer",
        "price": "12.00",
        "priceCurrency": "EUR",
        "availability": "https://schema.org/InStock",
        "url": product.buy_url,
        "seller": {"@type": "Organization", "name": "Fibromyalgia Store"},
    }


def test_unavailable_product_renders_without_a_buy_button(client, make_product):
    product = make_product(availability=Product.Availability.OUT_OF_STOCK)
    response = client.get(product.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Unavailable for now" in html
    assert "/store/go/" not in html
    assert "Buy at" not in html
    offer = json_ld(response, "Product")["offers"]
    assert offer["availability"] == "https://schema.org/OutOfStock"


def test_discontinued_product_page_still_works_but_is_not_indexed(client, make_product):
    product = make_product(availability=Product.Availability.DISCONTINUED)
    html = client.get(product.get_absolute_url()).content.decode()
    assert "No longer available" in html
    assert '<meta name="robots" content="noindex">' in html
    assert "/store/go/" not in html


def test_product_page_lists_only_published_related_articles(
    client, product, published_article, article_category
):
    draft = Article.objects.create(
        title="Secret draft",
        slug="secret-draft",
        summary="x",
        body="x",
        category=article_category,
    )
    product.related_articles.add(published_article, draft)
    html = client.get(product.get_absolute_url()).content.decode()
    assert published_article.title in html
    assert "Secret draft" not in html


def test_product_text_is_escaped(client, make_product):
    product = make_product(name="<img src=x onerror=alert(1)>", short_description="<b>bold</b>")
    html = client.get(product.get_absolute_url()).content.decode()
    assert "<img src=x" not in html and "<b>bold</b>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_article_page_shows_shop_this_with_available_related_products(
    client, make_product, published_article
):
    shown = make_product(name="Heat pack", image=upload(size=(400, 400)), alt="Heat pack")
    gone = make_product(name="Old blanket", availability=Product.Availability.OUT_OF_STOCK)
    unrelated = make_product(name="Unrelated mug")
    shown.related_articles.add(published_article)
    gone.related_articles.add(published_article)
    html = client.get(published_article.get_absolute_url()).content.decode()
    section = html.split('id="shop-this-heading"')[1].split("</section>")[0]
    assert "Heat pack" in section and "Old blanket" not in section
    assert unrelated.name not in section
    assert f'href="/store/go/{shown.slug}/" rel="sponsored noopener"' in section
    assert 'href="/store/"' in section


def test_article_without_products_still_links_to_the_store(client, published_article):
    html = client.get(published_article.get_absolute_url()).content.decode()
    assert "Shop this" not in html
    assert '<a href="/store/">Visit the fibromyalgia store</a>' in html


def test_home_page_teaser_and_header_link(client, make_product):
    make_product(name="Planner", featured=True)
    make_product(name="Gone", availability=Product.Availability.OUT_OF_STOCK, featured=True)
    html = client.get("/").content.decode()
    assert "From the fibromyalgia store" in html
    assert "Planner" in html and ">Gone<" not in html
    assert '<li><a href="/store/">Store</a></li>' in html
    store_html = client.get("/store/").content.decode()
    assert '<a href="/store/" aria-current="page">Store</a>' in store_html


def test_sitemap_lists_store_pages_but_not_redirects(client, make_product, shop_category):
    product = make_product()
    hidden = make_product(availability=Product.Availability.DISCONTINUED)
    xml = client.get("/sitemap.xml").content.decode()
    assert "/store/</loc>" in xml
    assert f"{shop_category.get_absolute_url()}</loc>" in xml
    assert f"{product.get_absolute_url()}</loc>" in xml
    assert hidden.get_absolute_url() not in xml
    assert "/store/go/" not in xml


# The store's own queries per page: home (products, categories), category (category, count,
# products), product (product, images, related articles), article ("Shop this").
STORE_QUERIES = {"home": 2, "category": 3, "product": 3, "article": 1}


@pytest.mark.parametrize("page", list(STORE_QUERIES))
def test_store_pages_run_a_constant_number_of_queries(
    client, shop_category, published_article, django_assert_max_num_queries, page
):
    """Prevent N+1s: the same queries with 1 or 200 products, images and related articles.

    The ceiling leaves room for site-wide parts (navigation, footer, page cache); the
    store's own share is pinned exactly.
    """
    counts = []
    for count in (1, 200):
        Product.objects.all().delete()
        products = bulk_products(
            shop_category, count, article=published_article, images_each=min(count, 20)
        )
        if page == "product":
            Article.objects.exclude(pk=published_article.pk).delete()
            extra = Article.objects.bulk_create(
                Article(
                    title=f"A{n}",
                    slug=f"a-{n}",
                    summary="s",
                    body="b",
                    category=published_article.category,
                    status=Article.Status.PUBLISHED,
                )
                for n in range(count)
            )
            Product.related_articles.through.objects.bulk_create(
                Product.related_articles.through(product_id=products[0].pk, article_id=a.pk)
                for a in extra
            )
        url = {
            "home": reverse("store:home"),
            "category": shop_category.get_absolute_url(),
            "product": products[0].get_absolute_url(),
            "article": published_article.get_absolute_url(),
        }[page]
        with django_assert_max_num_queries(16) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert "Bulk" in response.content.decode()
        store_sql = [q["sql"] for q in queries.captured_queries if '"store_' in q["sql"]]
        assert len(store_sql) == STORE_QUERIES[page], store_sql
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_shop_this_tag_costs_one_query(
    client, shop_category, published_article, django_assert_num_queries
):
    from django.template import Context, Template

    bulk_products(shop_category, 200, article=published_article)
    template = Template("{% load store_tags %}{% shop_this article %}")
    with django_assert_num_queries(1):
        html = template.render(Context({"article": published_article}))
    assert html.count("/store/go/") == 4


def test_home_teaser_tag_costs_one_query(shop_category, django_assert_num_queries):
    from django.template import Context, Template

    bulk_products(shop_category, 200)
    with django_assert_num_queries(1):
        html = Template("{% load store_tags %}{% store_teaser %}").render(Context())
    assert html.count('class="card product-card"') == 3


def test_store_home_without_featured_products_shows_products_not_featured(client, make_product):
    make_product(name="Plain mug", featured=False)
    html = client.get("/store/").content.decode()
    assert "Plain mug" in html
    assert ">Products</h2>" in html and "Featured products" not in html
