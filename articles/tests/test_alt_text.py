"""Nothing is published or scheduled while an image lacks a real description."""

import pytest
from django.urls import reverse

from articles.models import Article
from articles.tests.conftest import upload
from articles.tests.test_admin import article_form

pytestmark = pytest.mark.django_db

ADD = reverse("admin:articles_article_add")
PLACEHOLDER_BODY = (
    "## Walking\n\n![A short walk by the river](/media/uploads/river.jpg)\n\n"
    "Then rest.\n\n![Describe this image](/media/uploads/3f2a9c.png)"
)


def errors(response):
    return response.context["adminform"].form.errors


def test_publishing_with_the_upload_placeholder_is_refused_naming_the_image(admin_client, category):
    response = admin_client.post(ADD, article_form(category, body=PLACEHOLDER_BODY))
    assert response.status_code == 200
    assert errors(response)["body"] == [
        "Image 2 in the text (3f2a9c.png) says “Describe this image”: write what it shows "
        "between the square brackets, ![like this](…), before publishing."
    ]
    assert not Article.objects.exists()


@pytest.mark.parametrize("alt", ["", "   ", "image", "IMG_2041.JPG", "describe this image."])
def test_empty_and_meaningless_descriptions_are_refused(admin_client, category, alt):
    body = f"Text.\n\n![{alt}](https://example.org/a/b/c/photo.webp)"
    response = admin_client.post(ADD, article_form(category, body=body))
    assert "Image 1 in the text (photo.webp)" in errors(response)["body"][0]


def test_scheduling_is_refused_too_but_a_draft_may_keep_the_placeholder(admin_client, category):
    scheduled = article_form(
        category, body=PLACEHOLDER_BODY, status="scheduled", publish_at_0="2099-01-01"
    )
    assert "body" in errors(admin_client.post(ADD, scheduled))
    draft = article_form(category, body=PLACEHOLDER_BODY, status="draft")
    assert admin_client.post(ADD, draft).status_code == 302
    assert Article.objects.get().body == PLACEHOLDER_BODY


def test_a_hero_image_with_a_placeholder_description_is_refused(admin_client, category):
    data = article_form(category, hero_image=upload("sunrise.png"), hero_alt="Describe this image")
    response = admin_client.post(ADD, data)
    (message,) = errors(response)["hero_alt"]
    assert message.startswith("Describe the hero image (") and message.endswith(
        "“Describe this image” is not a description."
    )
    assert not Article.objects.exists()


def test_described_images_publish(admin_client, category):
    body = PLACEHOLDER_BODY.replace("Describe this image", "Feet up on a sofa after the walk")
    response = admin_client.post(ADD, article_form(category, body=body))
    assert response.status_code == 302
    assert Article.objects.get().is_live


def test_the_publish_action_skips_articles_with_undescribed_images(admin_client, make_article):
    bad = make_article(title="Placeholder left in", status="draft", body=PLACEHOLDER_BODY)
    good = make_article(title="All described", status="draft")
    response = admin_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish", "_selected_action": [bad.pk, good.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "Not published, an image still needs a description: “Placeholder left in”" in html
    assert "1 article(s) published." in html
    assert Article.objects.get(pk=bad.pk).status == "draft"
    assert Article.objects.get(pk=good.pk).status == "published"
