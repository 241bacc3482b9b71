"""Medical content comes back for review after MEDICAL_REVIEW_MONTHS."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from articles.models import Article, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer():
    return Person.objects.create(name="Dr Kim Lee", slug="kim-lee")


def test_admin_home_lists_articles_whose_review_is_out_of_date(
    admin_client, make_article, reviewer, settings
):
    settings.MEDICAL_REVIEW_MONTHS = 12
    today = date.today()
    old = make_article(
        title="Old review", reviewed_by=reviewer, last_reviewed=today - timedelta(days=400)
    )
    make_article(
        title="Fresh review", reviewed_by=reviewer, last_reviewed=today - timedelta(days=30)
    )
    make_article(
        title="Old draft", status=Article.Status.DRAFT, last_reviewed=today - timedelta(days=900)
    )
    html = admin_client.get("/admin/").content.decode()
    section = html[html.index('id="review-due"') :]
    section = section[: section.index("</div>")]
    assert "<strong>1 published article</strong> last reviewed more than 12 months ago" in section
    assert f'/admin/articles/article/{old.pk}/change/">Old review</a>' in section
    assert "Fresh review" not in section and "Old draft" not in section

    settings.MEDICAL_REVIEW_MONTHS = 24  # configurable: nothing is due any more
    assert "Every reviewed article was checked within the last 24 months" in (
        admin_client.get("/admin/").content.decode()
    )
    settings.MEDICAL_REVIEW_MONTHS = 12
    listing = admin_client.get(reverse("admin:articles_article_changelist"), {"review": "due"})
    assert "Old review" in listing.content.decode()
    assert "Fresh review" not in listing.content.decode()


def test_the_article_page_says_when_the_next_review_is_due(client, make_article, reviewer):
    article = make_article(reviewed_by=reviewer, last_reviewed=date(2026, 3, 14))
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Last reviewed 14 March 2026 by" in html and "Next review due March 2027." in html
