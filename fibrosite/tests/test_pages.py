import re
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Category

pytestmark = pytest.mark.django_db


def test_home_page_uses_the_site_layout_and_sets_no_cookie(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="skip-link" href="#main"' in html
    assert html.count("<h1") == 1
    assert "<header" in html and "<footer" in html and 'id="main"' in html
    assert "site.css" in html
    assert not response.cookies


def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/")["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()


def test_500_page_renders_without_the_database(django_assert_num_queries):
    from django.template.loader import render_to_string

    with django_assert_num_queries(0):
        html = render_to_string("500.html")
    assert "Sorry, something went wrong on our side" in html


def test_time_elements_carry_machine_readable_datetimes(client):
    category = Category.objects.create(name="Sleep", slug="sleep")
    Article.objects.create(
        title="Naps", slug="naps", summary="Short.", body="Text", category=category,
        status=Article.Status.PUBLISHED, publish_at=timezone.now() - timedelta(hours=3),
    )  # fmt: skip
    html = client.get("/").content.decode() + client.get("/articles/naps/").content.decode()
    values = re.findall(r'<time datetime="([^"]+)"', html)
    assert values
    for value in values:  # HTML's global date and time: no fractions beyond ms, +HHMM offset
        assert re.fullmatch(r"\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d[+-]\d{4})?", value), value
