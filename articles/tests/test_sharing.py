"""A meta description and a sharing image per article, defaulting to key points and hero."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from articles.tests.conftest import upload
from articles.tests.test_admin import article_form

pytestmark = pytest.mark.django_db


def test_the_description_and_sharing_image_are_used_when_set(client, make_article, settings):
    article = make_article(
        summary="Point one\nPoint two",
        meta_description="How warmth & rest ease <night> pain.",
        hero_image=upload(size=(900, 500)),
        hero_alt="A hot water bottle",
        social_image=upload("card.png", size=(1400, 735)),
        social_alt="The article's title on a calm purple card",
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert (
        '<meta name="description" content="How warmth &amp; rest ease &lt;night&gt; pain.">' in html
    )
    assert (
        'property="og:description" content="How warmth &amp; rest ease &lt;night&gt; pain."' in html
    )
    article.refresh_from_db()
    (card,) = [r for r in article.social_renditions if r["width"] == 1200]
    assert card["width"] == 1200 and card["height"] == 630
    assert (
        f'<meta property="og:image" content="{settings.SITE_URL}/media/{card["original"]}">' in html
    )
    assert 'og:image:alt" content="The article&#x27;s title on a calm purple card"' in html
    with article.social_image.storage.open(article.social_image.name) as file:
        stored = Image.open(io.BytesIO(file.read()))
    assert not stored.getexif() and "icc_profile" not in stored.info


def test_without_them_the_key_points_and_hero_are_used(client, make_article):
    article = make_article(
        summary="Rest first\nMove gently", hero_image=upload(size=(900, 500)), hero_alt="A lake"
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<meta name="description" content="Rest first Move gently">' in html
    assert 'og:image:alt" content="A lake"' in html and "/media/articles/sizes/" in html


def test_a_sharing_image_needs_a_description(admin_client, category):
    data = article_form(category, social_image=upload("card.png"), social_alt="")
    response = admin_client.post(reverse("admin:articles_article_add"), data)
    assert "social_alt" in response.context["adminform"].form.errors


def test_the_meta_description_is_limited_to_160_characters(admin_client, category):
    data = article_form(category, meta_description="x" * 161)
    response = admin_client.post(reverse("admin:articles_article_add"), data)
    assert "at most 160 characters" in str(response.context["adminform"].form.errors)
