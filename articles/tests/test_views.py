import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from articles import search
from articles.models import FAQ, Article, Category, Tag
from articles.tests.conftest import bulk_articles

pytestmark = pytest.mark.django_db


def structured_data(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


@pytest.fixture
def staff_client(django_user_model):
    staff = Client()
    staff.force_login(django_user_model.objects.create_user("ed", password="pw", is_staff=True))
    return staff


# Article page ---------------------------------------------------------------------------


def test_article_page_shows_everything_a_reader_needs(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    assert html.count("<h1") == 1 and "Low-dose naltrexone and fatigue</h1>" in html
    assert "Key points" in html and "<li>Ask your doctor first.</li>" in html
    assert "min read" in html
    assert "On this page" in html and 'href="#what-it-is"' in html  # three sections: a TOC
    assert "Is it safe?" in html and "Usually <strong>mild</strong>." in html
    assert 'href="https://doi.org/10.1002/art.37734"' in html
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/123/"' in html
    assert 'Medically reviewed by <a href="/authors/ana-ruiz/">Dr Ana Ruiz</a>' in html
    assert "not a diagnosis or a treatment plan" in html


def test_short_articles_have_no_table_of_contents(client, make_article):
    article = make_article(body="Just one paragraph.")
    assert "On this page" not in client.get(article.get_absolute_url()).content.decode()


def test_article_page_sets_no_cookie_and_has_no_form_token(client, article):
    response = client.get(article.get_absolute_url())
    assert not response.cookies
    assert "csrfmiddlewaretoken" not in response.content.decode()


def test_article_json_ld_describes_page_faq_and_breadcrumbs(client, article):
    data = structured_data(client.get(article.get_absolute_url()).content.decode())
    by_type = {json.dumps(d["@type"]): d for d in data}
    page = by_type['["MedicalWebPage", "Article"]']
    assert page["headline"] == article.title
    assert page["reviewedBy"]["name"] == "Dr Ana Ruiz"
    assert page["datePublished"].startswith(str(article.publish_at.date()))
    faq = by_type['"FAQPage"']
    assert [q["name"] for q in faq["mainEntity"]] == ["Is it safe?", "How long?"]
    crumbs = by_type['"BreadcrumbList"']["itemListElement"]
    assert [c["name"] for c in crumbs] == ["Home", "Fatigue", article.title]


def test_article_page_has_canonical_and_sharing_tags(client, article, settings):
    html = client.get(article.get_absolute_url()).content.decode()
    url = f"{settings.SITE_URL}/articles/ldn-fatigue/"
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta name="twitter:title" content="Low-dose naltrexone and fatigue">' in html
    assert '<meta name="description" content="LDN is a small dose of naltrexone.' in html


def test_related_articles_and_previous_next(client, article, make_article, category):
    other_category = Category.objects.create(name="Sleep", slug="sleep")
    same_tag = make_article(title="Shares a tag", category=other_category, tags=article.tags.all())
    unrelated = make_article(title="Unrelated", category=other_category)
    html = client.get(article.get_absolute_url()).content.decode()
    related = html.split("Related articles")[1].split("More articles")[0]
    assert "Shares a tag" in related and "Unrelated" not in related
    # The next older article is 'previous'; this is the newest, so there is no 'next'.
    previous = html.split('rel="prev"')[1].split("</a>")[0]
    assert same_tag.title in previous
    assert 'rel="next"' not in html
    assert unrelated.title not in html


def test_drafts_are_404_for_visitors_and_a_marked_preview_for_staff(
    client, staff_client, make_article
):
    draft = make_article(status=Article.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404
    response = staff_client.get(draft.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "this article is a draft" in html and "Only editors can see it" in html
    assert '<meta name="robots" content="noindex">' in html


def test_scheduled_article_appears_by_itself_when_its_time_comes(client, make_article):
    scheduled = make_article(publish_at=timezone.now() + timedelta(minutes=5))
    assert client.get(scheduled.get_absolute_url()).status_code == 404
    assert scheduled.title not in client.get("/").content.decode()
    Article.objects.filter(pk=scheduled.pk).update(publish_at=timezone.now() - timedelta(seconds=1))
    assert client.get(scheduled.get_absolute_url()).status_code == 200


def test_old_slug_redirects_permanently(client, article):
    article.slug = "ldn-and-fatigue"
    article.save()
    response = client.get("/articles/ldn-fatigue/")
    assert response.status_code == 301
    assert response["Location"] == "/articles/ldn-and-fatigue/"


def test_old_slug_of_a_draft_is_still_404_for_visitors(client, article):
    article.slug = "renamed"
    article.status = Article.Status.DRAFT
    article.save()
    assert client.get("/articles/ldn-fatigue/").status_code == 404


@pytest.mark.parametrize("slug", ["nope", "x" * 300, "%F0%9F%92%A5"])
def test_unknown_articles_are_404(client, slug):
    assert client.get(f"/articles/{slug}/").status_code == 404


# Lists ----------------------------------------------------------------------------------


def test_home_shows_featured_latest_categories_and_faq(client, make_article, category):
    make_article(title="Featured piece", featured=True)
    make_article(title="Ordinary piece")
    FAQ.objects.create(question="Site-wide question?", answer="Yes.", category=category)
    html = client.get("/").content.decode()
    assert "Featured piece" in html.split("Latest articles")[0]
    assert "Ordinary piece" in html.split("Latest articles")[1]
    assert 'aria-label="Browse by symptom"' in html and ">Fatigue</a>" in html
    assert "Site-wide question?" in html


def test_article_list_paginates(client, category):
    bulk_articles(category, 30)
    page_one = client.get("/articles/").content.decode()
    assert "Page 1 of 3" in page_one and "Bulk 0<" in page_one
    assert "Bulk 29<" in client.get("/articles/?page=3").content.decode()


@pytest.mark.parametrize("page", ["99", "0", "-1", "abc", "1.5", "9" * 50])
def test_bad_page_numbers_are_404(client, category, page):
    bulk_articles(category, 3)
    assert client.get(f"/articles/?page={page}").status_code == 404


def test_category_and_tag_pages_list_only_their_articles(client, make_article, category):
    sleep = Category.objects.create(name="Sleep", slug="sleep", description="Rest and nights.")
    tag = Tag.objects.create(name="Pacing", slug="pacing")
    make_article(title="Tired days", tags=[tag])
    make_article(title="Night time", category=sleep)
    sleep_page = client.get("/articles/category/sleep/").content.decode()
    assert "Night time" in sleep_page and "Tired days" not in sleep_page
    assert "Rest and nights." in sleep_page
    tag_page = client.get("/articles/tag/pacing/").content.decode()
    assert "Tired days" in tag_page and "Night time" not in tag_page
    assert client.get("/articles/category/nope/").status_code == 404
    assert client.get("/articles/tag/nope/").status_code == 404


def test_faq_page_groups_site_wide_questions_by_category(client, article, category):
    sleep = Category.objects.create(name="Sleep", slug="sleep", order=5)
    FAQ.objects.create(question="Why tired?", answer="Because.", category=category)
    FAQ.objects.create(question="Why awake?", answer="*Pain*.", category=sleep)
    full = client.get("/faq/").content.decode()
    html = full.split("<main")[1]
    assert html.index(">Fatigue</h2>") < html.index("Why tired?") < html.index(">Sleep</h2>")
    assert "<em>Pain</em>" in html
    assert "Is it safe?" not in html  # article FAQs stay on their article
    faq = [d for d in structured_data(full) if d["@type"] == "FAQPage"][0]
    assert {q["name"] for q in faq["mainEntity"]} == {"Why tired?", "Why awake?"}


# Search ---------------------------------------------------------------------------------


def test_search_finds_titles_bodies_and_faqs_and_highlights(client, article, make_article):
    make_article(title="Unrelated sleep piece", body="Nothing here.")
    html = client.get("/search/?q=naltrexone").content.decode()
    assert "Unrelated sleep piece" not in html
    assert "Low-dose <mark>naltrexone</mark> and fatigue</a>" in html  # the title, marked
    assert "Low-dose" in client.get("/search/?q=opioids").content.decode()  # body text
    faq = article.faqs.get(question="Is it safe?")
    mild = client.get("/search/?q=mild").content.decode()  # the question's own result
    assert f'href="/articles/ldn-fatigue/#faq-{faq.pk}">Is it safe?</a>' in mild
    assert "Usually <mark>mild</mark>." in mild


def test_search_escapes_the_query(client, article):
    html = client.get("/search/?q=<script>alert(1)</script>").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    "query",
    ["x" * 2000, "\u202e\u0000\ufffd 😀 ﷽", "' OR 1=1 --", "a & | ! ( ) :* <->", "%00", "   "],
)
def test_hostile_searches_get_a_calm_empty_page(client, article, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>" not in html or "Nothing matched" not in html


def test_search_with_no_results_offers_help(client, article):
    html = client.get("/search/?q=zebra").content.decode()
    assert "Nothing matched “zebra”" in html
    assert 'href="?q=fatigue"' in html


def test_search_does_not_show_drafts(client, make_article):
    make_article(title="Secret draft about naps", status=Article.Status.DRAFT)
    assert "Secret draft" not in client.get("/search/?q=naps").content.decode()


# Feeds, sitemap, robots -----------------------------------------------------------------


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_feeds_are_valid_xml_with_published_articles_only(client, article, make_article, url):
    make_article(title="Hidden draft", status=Article.Status.DRAFT)
    response = client.get(url)
    root = ET.fromstring(response.content)
    text = response.content.decode()
    assert "Low-dose naltrexone and fatigue" in text and "Hidden draft" not in text
    assert "LDN is a small dose of naltrexone. Ask your doctor first." in text
    if url == "/feed/":
        assert root.tag == "rss" and len(root.findall("./channel/item")) == 1
    else:
        assert root.tag.endswith("feed")
        assert len(root.findall("{http://www.w3.org/2005/Atom}entry")) == 1


def test_sitemap_lists_published_articles_with_lastmod(client, article, make_article):
    make_article(slug="a-draft", status=Article.Status.DRAFT)
    root = ET.fromstring(client.get("/sitemap.xml").content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = {u.find("s:loc", ns).text: u for u in root.findall("s:url", ns)}
    article_url = next(loc for loc in urls if loc.endswith("/articles/ldn-fatigue/"))
    assert urls[article_url].find("s:lastmod", ns) is not None
    assert not any(loc.endswith("/articles/a-draft/") for loc in urls)
    assert any(loc.endswith("/articles/category/fatigue/") for loc in urls)


def test_robots_points_at_the_sitemap(client, settings):
    text = client.get("/robots.txt").content.decode()
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in text
    assert "Disallow: /admin/" in text


# Query counts ---------------------------------------------------------------------------


def populate(category, count):
    tag = Tag.objects.create(name=f"Tag {count}", slug=f"tag-{count}")
    articles = bulk_articles(category, count, tag=tag)
    FAQ.objects.bulk_create(
        [
            FAQ(question=f"Q{i}", answer="A", answer_html="<p>A</p>", category=category)
            for i in range(count)
        ]
        + [FAQ(article=articles[0], question=f"AQ{i}", answer="A") for i in range(count)]
    )
    return articles[0]


MAX_QUERIES = 12
PAGES = ["/", "/articles/", "/articles/category/fatigue/", "/faq/", "/search/?q=bulk", "{first}"]


@pytest.mark.parametrize("url", PAGES)
def test_public_pages_run_a_constant_number_of_queries(
    client, category, url, django_assert_max_num_queries
):
    """Prevent N+1s: the same small number of queries with 1 or 200 articles.

    Today (articles only): home 3, lists 3-4, FAQ 2, search 3, article 8. The ceiling
    leaves room for the store and community fragments these pages include.
    """
    first = populate(category, 1)
    search.rebuild()  # bulk_create sends no signals
    with django_assert_max_num_queries(MAX_QUERIES) as small:
        assert client.get(url.format(first=first.get_absolute_url())).status_code == 200
    Article.objects.all().delete()
    FAQ.objects.all().delete()
    first = populate(category, 200)
    search.rebuild()
    with django_assert_max_num_queries(MAX_QUERIES) as large:
        assert client.get(url.format(first=first.get_absolute_url())).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_search_matches_word_forms_and_ranks_titles_first(client, make_article):
    body_only = make_article(title="Evening routines", body="Try stretching before sleeping.")
    titled = make_article(title="Sleep and pain", body="Nights are hard.")
    html = client.get("/search/?q=sleep").content.decode()
    assert "2 results" in html  # "sleeping" in a body matches "sleep"
    assert html.index(titled.get_absolute_url()) < html.index(body_only.get_absolute_url())


def test_deleted_articles_leave_the_search_index(client, make_article):
    article = make_article(title="Brain fog tips", body="Lists help.")
    assert "1 result." in client.get("/search/?q=fog").content.decode()
    article.delete()
    assert "Nothing matched" in client.get("/search/?q=fog").content.decode()


def test_search_pages_through_every_match_once_in_rank_order(client, make_article):
    titled = [make_article(title=f"Pacing plan {n}", body="Rest first.") for n in range(2)]
    others = [make_article(title=f"Note {n}", body="Some pacing advice.") for n in range(12)]
    make_article(title="Draft on pacing", status=Article.Status.DRAFT)
    first = client.get("/search/?q=pacing").content.decode()
    second = client.get("/search/?q=pacing&page=2").content.decode()
    assert "14 results" in first  # the draft is neither shown nor counted
    assert all(first.index(a.get_absolute_url()) < first.index("Note ") for a in titled)
    shown = [a for a in titled + others if a.get_absolute_url() in first]
    rest = [a for a in titled + others if a.get_absolute_url() in second]
    assert len(shown) == 12 and len(rest) == 2 and not set(shown) & set(rest)
    assert client.get("/search/?q=pacing&page=3").status_code == 404
