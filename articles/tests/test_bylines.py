"""Login names are never published; feed text reaches readers as text."""

import json
import re

import pytest

pytestmark = pytest.mark.django_db

LOGIN = "jsmith.admin"


def public_texts(client, article):
    page = client.get(article.get_absolute_url()).content.decode()
    rss = client.get("/feed/").content.decode()
    atom = client.get("/feed/atom/").content.decode()
    home = client.get("/").content.decode()
    listing = client.get("/articles/").content.decode()
    return page, rss, atom, home, listing


def json_ld(page):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return [json.loads(block) for block in blocks]


def test_an_author_without_a_full_name_is_shown_as_the_editorial_team(
    client, make_article, django_user_model
):
    author = django_user_model.objects.create_user(
        LOGIN, email="jsmith@fibrosite.test", password="pw", is_staff=True
    )
    article = make_article(author=author, featured=True)
    texts = public_texts(client, article)
    for text in texts:
        assert LOGIN not in text and "jsmith" not in text
    page, rss, atom = texts[:3]
    assert "By FibroSite editors" in page
    author = next(d["author"] for d in json_ld(page) if "author" in d)
    assert author == {"@type": "Organization", "name": "FibroSite editors"}
    assert "<name>FibroSite editors</name>" in atom
    assert "FibroSite editors" in rss


def test_an_author_with_a_full_name_is_shown_by_name(client, make_article, django_user_model):
    author = django_user_model.objects.create_user(
        LOGIN, first_name="Jo", last_name="Smith", password="pw", is_staff=True
    )
    article = make_article(author=author)
    page, rss, atom, *_ = public_texts(client, article)
    assert "By Jo Smith" in page and "<name>Jo Smith</name>" in atom and "Jo Smith" in rss
    assert {"@type": "Person", "name": "Jo Smith"} in [d.get("author") for d in json_ld(page)]
    assert LOGIN not in page + rss + atom


def test_a_blank_full_name_counts_as_none(client, make_article, django_user_model):
    author = django_user_model.objects.create_user(LOGIN, first_name=" ", password="pw")
    page = client.get(make_article(author=author).get_absolute_url()).content.decode()
    assert "By FibroSite editors" in page and LOGIN not in page


def test_feed_descriptions_are_escaped_html(client, make_article):
    make_article(summary='Try <b>pacing</b> & rest\n<img src=x onerror="alert(1)">')
    rss = client.get("/feed/").content.decode()
    atom = client.get("/feed/atom/").content.decode()
    # XML-escaped once for the feed, once more so readers show the text instead of running it.
    assert "Try &amp;lt;b&amp;gt;pacing&amp;lt;/b&amp;gt; &amp;amp; rest" in rss
    assert "&amp;lt;img src=x" in atom
    assert "&lt;b&gt;pacing" not in rss.replace("&amp;lt;b&amp;gt;pacing", "")
