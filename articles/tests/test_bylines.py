"""People, not logins: bylines and reviews link to profiles; login names are never published."""

import json
import re

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from articles.models import Article, Person
from articles.tests.conftest import bulk_articles
from articles.tests.test_views import MAX_QUERIES

pytestmark = pytest.mark.django_db

LOGIN = "jsmith.admin"


def public_texts(client, article, *extra):
    urls = [article.get_absolute_url(), "/feed/", "/feed/atom/", "/", "/articles/", *extra]
    return [client.get(url).content.decode() for url in urls]


def json_ld(page):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return [json.loads(block) for block in blocks]


@pytest.fixture
def staff_login(django_user_model):
    return django_user_model.objects.create_user(
        LOGIN, email="jsmith@fibrosite.test", first_name="Jo", last_name="Smith", is_staff=True
    )


@pytest.fixture
def jo(staff_login):
    return Person.objects.create(
        name="Jo Smith",
        slug="jo-smith",
        credentials="RN",
        role="Pain nurse specialist",
        bio="Twenty years in a pain clinic.\n<script>alert(1)</script>",
        links="https://nurses.example.org/jo-smith",
        user=staff_login,
    )


def test_an_article_without_an_author_profile_is_by_the_editorial_team(
    client, make_article, staff_login
):
    # The account that added it has a full name, but no profile: still the team.
    article = make_article(author=staff_login, featured=True)
    texts = public_texts(client, article)
    for text in texts:
        assert LOGIN not in text and "jsmith" not in text and "Jo Smith" not in text
    page, rss, atom = texts[:3]
    assert "By FibroSite editors" in page
    author = next(d["author"] for d in json_ld(page) if "author" in d)
    assert author == {"@type": "Organization", "name": "FibroSite editors"}
    assert "<name>FibroSite editors</name>" in atom and "FibroSite editors" in rss


def test_bylines_link_to_the_author_profile_everywhere(client, make_article, jo, staff_login):
    article = make_article(author=staff_login, written_by=jo, featured=True)
    texts = public_texts(client, article, jo.get_absolute_url())
    for text in texts:
        assert LOGIN not in text and "jsmith@" not in text
    page, rss, atom = texts[:3]
    assert 'By <a href="/authors/jo-smith/" rel="author">Jo Smith</a>, RN' in page
    assert "<name>Jo Smith</name>" in atom and "<uri>http" in atom and "/authors/jo-smith/" in atom
    assert "Jo Smith" in rss
    author = next(d["author"] for d in json_ld(page) if "author" in d)
    assert author == {
        "@type": "Person",
        "name": "Jo Smith",
        "url": f"{settings.SITE_URL}/authors/jo-smith/",
        "honorificSuffix": "RN",
        "jobTitle": "Pain nurse specialist",
    }


def test_medically_reviewed_by_links_to_the_reviewer(client, article):
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'Medically reviewed by <a href="/authors/ana-ruiz/">Dr Ana Ruiz</a>, MD on' in page
    reviewed = next(d["reviewedBy"] for d in json_ld(page) if "reviewedBy" in d)
    assert reviewed["name"] == "Dr Ana Ruiz" and reviewed["url"].endswith("/authors/ana-ruiz/")


def test_the_profile_page_lists_published_articles_written_or_reviewed(
    client, make_article, jo, category, django_assert_max_num_queries
):
    reviewer = Person.objects.create(name="Dr Kim Lee", slug="kim-lee")
    written = make_article(title="Heat packs at night", written_by=jo)
    reviewed = make_article(title="Sleep and pain", reviewed_by=jo, last_reviewed="2026-11-01")
    make_article(title="A secret draft", written_by=jo, status=Article.Status.DRAFT)
    make_article(title="Someone else's", written_by=reviewer)
    url = reverse("articles:author", args=["jo-smith"])
    with django_assert_max_num_queries(MAX_QUERIES) as few:
        html = client.get(url).content.decode()
    assert "<h1" in html and "Jo Smith" in html and "Pain nurse specialist" in html
    assert written.title in html and reviewed.title in html
    assert "A secret draft" not in html and "Someone else" not in html
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert (
        '<a href="https://nurses.example.org/jo-smith" rel="me noopener">nurses.example.org</a>'
        in html
    )
    (profile,) = [d for d in json_ld(html) if d.get("@type") == "ProfilePage"]
    assert profile["mainEntity"]["sameAs"] == ["https://nurses.example.org/jo-smith"]
    assert profile["mainEntity"]["description"].startswith("Twenty years")
    assert client.get("/authors/nobody/").status_code == 404
    # Prevent N+1s: a full page of articles costs the same queries as two (the bulk
    # update below invalidates the cached page by itself).
    Article.objects.filter(pk__in=[a.pk for a in bulk_articles(category, 30)]).update(written_by=jo)
    with django_assert_max_num_queries(MAX_QUERIES) as many:
        assert client.get(url).content.decode().count('class="card"') == 12
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_profile_admin_refuses_links_that_are_not_web_addresses(admin_client):
    response = admin_client.post(
        reverse("admin:articles_person_add"),
        {"name": "Eve", "slug": "eve", "links": "https://ok.example.org\njavascript:alert(1)"},
    )
    assert response.status_code == 200
    assert "is not a web address" in str(response.context["adminform"].form.errors["links"])
    assert not Person.objects.exists()


def test_a_new_article_starts_with_the_editors_own_profile(admin_client, admin_user):
    person = Person.objects.create(name="Admin Person", slug="admin-person", user=admin_user)
    html = admin_client.get(reverse("admin:articles_article_add")).content.decode()
    assert re.search(rf'<option value="{person.pk}" selected>Admin Person</option>', html)


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_gives_existing_articles_profiles(django_user_model):
    executor = MigrationExecutor(connection)
    executor.migrate([("articles", "0005_body_limits_and_callout_help")])
    old = executor.loader.project_state([("articles", "0005_body_limits_and_callout_help")]).apps
    OldArticle, OldCategory = (
        old.get_model("articles", "Article"),
        old.get_model("articles", "Category"),
    )
    OldUser = old.get_model("auth", "User")
    named = OldUser.objects.create(username="ana.login", first_name="Ana", last_name="Ruiz")
    login_only = OldUser.objects.create(username="bob.login")
    category = OldCategory.objects.create(name="Sleep", slug="sleep")
    common = {"category": category, "summary": "x", "body": "x", "status": "published"}
    OldArticle.objects.create(title="A", slug="a", author=named, **common,
                              reviewer_name="Dr Kim Lee, rheumatologist")  # fmt: skip
    OldArticle.objects.create(title="B", slug="b", author=named, **common,
                              reviewer_name="Dr Kim Lee, rheumatologist")  # fmt: skip
    OldArticle.objects.create(title="C", slug="c", author=login_only, **common)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    a, b, c = Article.objects.order_by("slug").select_related("written_by", "reviewed_by")
    assert a.written_by == b.written_by and a.written_by.name == "Ana Ruiz"
    assert a.written_by.user_id == named.pk and a.written_by.slug == "ana-ruiz"
    assert a.reviewed_by == b.reviewed_by
    assert (a.reviewed_by.name, a.reviewed_by.credentials) == ("Dr Kim Lee", "rheumatologist")
    assert c.written_by is None and c.author_name == "FibroSite editors"
    assert not Person.objects.filter(name__icontains="login").exists()
    assert Person.objects.count() == 2


def test_feed_descriptions_are_escaped_html(client, make_article):
    make_article(summary='Try <b>pacing</b> & rest\n<img src=x onerror="alert(1)">')
    rss = client.get("/feed/").content.decode()
    atom = client.get("/feed/atom/").content.decode()
    # XML-escaped once for the feed, once more so readers show the text instead of running it.
    assert "Try &amp;lt;b&amp;gt;pacing&amp;lt;/b&amp;gt; &amp;amp; rest" in rss
    assert "&amp;lt;img src=x" in atom
    assert "&lt;b&gt;pacing" not in rss.replace("&amp;lt;b&amp;gt;pacing", "")
