"""Page structure behind the reader-first layout (issue 11); geometry is measured in
fibrosite/tests/browser/test_reading.py."""

import re

from django.conf import settings

from articles.models import Category, Tag
from articles.tests.conftest import upload


def crumbs(html):
    trail = html.split('aria-label="Breadcrumb"')[1].split("</nav>")[0]
    return re.findall(r">([^<>]+)</(?:a|span)>", trail), re.findall(
        r'aria-current="page">([^<]+)<', trail
    )


def test_category_and_tag_breadcrumbs_end_at_the_page_itself(client, make_article, category):
    Category.objects.create(name="Sleep", slug="sleep")
    Tag.objects.create(name="Pacing", slug="pacing")
    assert crumbs(client.get("/articles/category/sleep/").content.decode()) == (
        ["Home", "Articles", "Sleep"],
        ["Sleep"],
    )
    assert crumbs(client.get("/articles/tag/pacing/").content.decode()) == (
        ["Home", "Articles", "Tagged “Pacing”"],
        ["Tagged “Pacing”"],
    )
    assert crumbs(client.get("/articles/").content.decode()) == (["Home", "Articles"], ["Articles"])


def test_follow_page_costs_what_every_page_costs(client, category, django_assert_max_num_queries):
    """Content version, categories, footer links, next publish time: nothing of its own."""
    with django_assert_max_num_queries(4):
        assert client.get("/follow/").status_code == 200


def test_footer_leads_people_to_an_explained_feed_page(client, article):
    home = client.get("/").content.decode()
    footer = home.split('class="site-footer"')[1]
    assert 'href="/follow/">Follow new articles</a>' in footer and 'href="/feed/"' not in footer
    follow = client.get("/follow/").content.decode()
    assert "<h1>Follow new articles</h1>" in follow and "feed reader" in follow
    assert f"<code>{settings.SITE_URL}/feed/</code>" in follow
    assert 'href="/community/"' in follow  # email updates, the simpler way


def test_article_puts_store_after_references_and_support_and_repeats_no_link_lists(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    main = html.split("<main")[1].split("</main>")[0]
    order = [main.index(marker) for marker in (
        'class="prose"', 'class="medical-note"', 'class="references"', 'class="community-links"',
        'class="store-link"',
    )]  # fmt: skip
    assert order == sorted(order), order
    support = main.split('class="community-links"')[1].split("</section>")[0]
    assert "<h3>" not in support  # the footer alone lists the site's links
    assert '<details class="toc">' in main and "<summary><h2 " in main


def test_printed_pages_carry_the_site_address_and_date(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    meta = html.split('class="print-only print-meta">')[1].split("</p>")[0]
    assert meta.startswith("FibroSite · ")
    assert f"{settings.SITE_URL}{article.get_absolute_url()}" in meta
    assert "data-print-date" in meta


def test_cards_are_one_link_and_featured_images_load_eagerly(client, make_article):
    make_article(title="Featured piece", featured=True, hero_image=upload(), hero_alt="Calm")
    make_article(title="Ordinary piece", hero_image=upload(), hero_alt="Calm too")
    html = client.get("/").content.decode()
    featured, latest = html.split('id="latest-heading"')
    assert re.search(
        r'<img [^>]*loading="eager"[^>]*fetchpriority="high"', featured.split("Featured")[1]
    )
    assert 'loading="lazy"' in latest and "fetchpriority" not in latest
    for card in re.findall(r'<article class="card">(.*?)</article>', html, re.S):
        assert len(re.findall(r"<(a|button|input|select|textarea)\b", card)) == 1, card


def test_comment_form_names_the_article_without_stray_punctuation(client, make_article):
    article = make_article(title="Is rest enough?")
    html = client.get(f"/articles/{article.slug}/comment/").content.decode()
    assert "?.</" not in html and "Is rest enough?</a>" in html


def test_stylesheet_stays_under_20_kb():
    assert (settings.BASE_DIR / "static" / "css" / "site.css").stat().st_size < 20_000
