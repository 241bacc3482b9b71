"""Secret review links: a draft for an outside clinician, expiring, revocable, never cached."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ReviewLink, token_digest

pytestmark = pytest.mark.django_db

ADD = reverse("admin:articles_reviewlink_add")
LIST = reverse("admin:articles_reviewlink_changelist")


@pytest.fixture
def draft(make_article):
    return make_article(title="Cold water swimming", status=Article.Status.DRAFT)


def create(admin_client, draft, **fields):
    data = {"article": draft.pk, "reviewer": "Dr Kim Lee", **fields}
    data.setdefault("expires_at_0", (timezone.localdate() + timedelta(days=14)).isoformat())
    data.setdefault("expires_at_1", "12:00:00")
    html = admin_client.post(ADD, data, follow=True).content.decode()
    (address,) = re.findall(r"<code class='review-address'>(http[^<]+)</code>", html)
    return address.split("://", 1)[1].split("/", 1)[1].join(["/", ""]), html


def test_a_review_link_opens_the_draft_signed_out_and_is_never_cached(admin_client, draft, client):
    path, html = create(admin_client, draft)
    assert "Send this address to Dr Kim Lee" in html and "shown only now" in html
    token = path.rstrip("/").rsplit("/", 1)[1]
    link = ReviewLink.objects.get()
    assert link.token_digest == token_digest(token) and token not in str(vars(link))
    assert client.get(draft.get_absolute_url()).status_code == 404  # still a draft

    for _ in range(2):
        response = client.get(path)
        page = response.content.decode()
        assert response.status_code == 200 and "Cold water swimming</h1>" in page
        assert "<strong>Draft for review:</strong>" in page
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
        assert response.get("X-Page-Cache") != "hit"
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert response["Referrer-Policy"] == "no-referrer"
        assert '<meta name="robots" content="noindex">' in page
    assert ReviewLink.objects.get().last_opened_at is not None


def test_revoked_and_expired_links_stop_working_with_a_plain_page(
    admin_client, draft, client, make_article
):
    path, _ = create(admin_client, draft)
    admin_client.post(LIST, {"action": "revoke", "_selected_action": [ReviewLink.objects.get().pk]})
    response = client.get(path)
    assert response.status_code == 410 and "The editors withdrew it" in response.content.decode()
    assert "Cold water swimming" not in response.content.decode()
    listing = admin_client.get(LIST).content.decode()
    assert "Revoked " in listing

    path, _ = create(admin_client, draft)
    ReviewLink.objects.filter(revoked_at=None).update(expires_at=timezone.now())
    response = client.get(path)
    assert response.status_code == 410 and "It expired on" in response.content.decode()


@pytest.mark.parametrize("token", ["not-a-real-token", "x" * 5000, "%00", "..%2F..%2Fadmin"])
def test_unknown_or_hostile_tokens_are_404(client, token):
    assert client.get(f"/review/{token}/").status_code == 404


def test_only_editors_can_make_review_links(client, django_user_model, draft):
    client.force_login(django_user_model.objects.create_user("visitor", password="pw"))
    response = client.post(ADD, {"article": draft.pk, "reviewer": "Me"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not ReviewLink.objects.exists()


def test_the_article_form_offers_a_review_link(admin_client, draft):
    html = admin_client.get(reverse("admin:articles_article_change", args=[draft.pk])).content
    assert f'href="{ADD}?article={draft.pk}">Create a review link</a>' in html.decode()
