"""Publishing in words an editor understands: draft, scheduled, published, unpublished."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.tests.test_admin import article_form

pytestmark = pytest.mark.django_db

ADD = reverse("admin:articles_article_add")
LIST = reverse("admin:articles_article_changelist")


def errors(response):
    return response.context["adminform"].form.errors


def test_scheduled_needs_a_future_date_and_published_a_past_one(admin_client, category):
    past = article_form(category, status="scheduled", publish_at_0="2020-05-01")
    (message,) = errors(admin_client.post(ADD, past))["publish_at"]
    assert message.startswith("To schedule, choose a publish date after now (")
    future = article_form(category, status="published", publish_at_0="2099-01-01")
    assert errors(admin_client.post(ADD, future))["status"] == [
        "The publish date (1 Jan 2099, 09:00) is in the future: choose Scheduled to publish "
        "it then, or set the date to now to publish at once."
    ]
    assert not Article.objects.exists()


def test_a_scheduled_article_reads_as_scheduled_in_the_form_and_the_list(
    admin_client, category, client, settings
):
    settings.TIME_ZONE = "UTC"
    data = article_form(category, status="scheduled", publish_at_0="2099-12-02")
    assert admin_client.post(ADD, data).status_code == 302
    article = Article.objects.get()
    assert article.status == "published" and article.is_scheduled and not article.is_live
    assert client.get(article.get_absolute_url()).status_code == 404
    change = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert change.context["adminform"].form["status"].value() == "scheduled"
    assert re.search(r'value="scheduled"[^>]*checked', change.content.decode())
    listing = admin_client.get(LIST).content.decode()
    assert "Scheduled for 2 Dec 2099, 09:00" in listing
    assert "+00:00" not in listing
    scheduled = admin_client.get(LIST, {"state": "scheduled"}).content.decode()
    published = admin_client.get(LIST, {"state": "published"}).content.decode()
    assert "Pacing on bad days" in scheduled and "Pacing on bad days" not in published


def test_unpublish_takes_articles_off_the_site_and_publish_brings_them_back_today(
    admin_client, make_article, client
):
    live = make_article(publish_at=timezone.now() - timedelta(days=30))
    draft = make_article(status=Article.Status.DRAFT)
    admin_client.post(LIST, {"action": "unpublish", "_selected_action": [live.pk, draft.pk]})
    live.refresh_from_db()
    assert live.status == "unpublished" and Article.objects.get(pk=draft.pk).status == "draft"
    assert client.get(live.get_absolute_url()).status_code == 404
    preview = admin_client.get(live.get_absolute_url()).content.decode()
    assert "this article is unpublished. Only editors can see it." in preview
    listing = admin_client.get(LIST, {"state": "unpublished"}).content.decode()
    assert ">Unpublished<" in listing and live.title in listing

    admin_client.post(LIST, {"action": "publish", "_selected_action": [live.pk]})
    live.refresh_from_db()
    assert live.is_live and timezone.now() - live.publish_at < timedelta(seconds=5)


def test_the_status_choices_explain_themselves(admin_client):
    html = admin_client.get(ADD).content.decode()
    for label in (
        "Draft: only editors can see it",
        "Scheduled: goes live by itself at the publish date",
        "Published: on the site now",
        "Unpublished: taken off the site",
    ):
        assert label in html


def test_a_new_article_starts_as_a_draft(admin_client):
    form = admin_client.get(ADD).context["adminform"].form
    assert form["status"].value() == "draft"


@pytest.mark.parametrize(
    "url",
    [
        LIST,
        reverse("admin:articles_person_changelist"),
        reverse("admin:articles_reviewlink_changelist"),
    ],
)
def test_editor_lists_run_the_same_queries_for_3_or_30_rows(
    admin_client, make_article, url, django_assert_max_num_queries
):
    """Prevent N+1s: authors, reviewers and link owners come in the list's own query."""
    from articles.models import Person, ReviewLink

    def add(count):
        for _ in range(count):
            person = Person.objects.create(name="P", slug=f"p-{Person.objects.count()}")
            article = make_article(written_by=person, reviewed_by=person)
            ReviewLink.objects.create(
                article=article, reviewer="R", token_digest=f"{article.pk:064}"
            )

    add(3)
    with django_assert_max_num_queries(12) as few:
        admin_client.get(url)
    add(27)
    with django_assert_max_num_queries(12) as many:
        admin_client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
