from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.models import Article, Person, SlugRedirect
from articles.tests.conftest import upload

pytestmark = pytest.mark.django_db


def test_markdown_is_rendered_once_on_save_into_stored_html(make_article):
    article = make_article(body="## Why\n\n**Rest** matters.\n\n<script>x()</script>")
    stored = Article.objects.values_list("body_html", flat=True).get(pk=article.pk)
    assert '<h2 id="why">Why</h2>' in stored
    assert "<strong>Rest</strong>" in stored
    assert "<script" not in stored


def test_published_excludes_drafts_and_scheduled_articles(make_article):
    live = make_article()
    make_article(status=Article.Status.DRAFT)
    make_article(publish_at=timezone.now() + timedelta(hours=1))
    assert list(Article.objects.published()) == [live]


def test_changing_the_slug_records_the_old_one(make_article):
    article = make_article(slug="old-name")
    article.slug = "new-name"
    article.save()
    assert SlugRedirect.objects.get(old_slug="old-name").article == article
    # Changing back frees the name again instead of redirecting to itself.
    article.slug = "old-name"
    article.save()
    assert not SlugRedirect.objects.filter(old_slug="old-name").exists()
    assert SlugRedirect.objects.get(old_slug="new-name").article == article


def test_hero_image_needs_a_description(make_article):
    article = make_article()
    article.hero_image = upload()
    with pytest.raises(ValidationError) as caught:
        article.full_clean()
    assert "hero_alt" in caught.value.message_dict


def test_reviewer_needs_a_review_date(make_article):
    article = make_article(reviewed_by=Person.objects.create(name="Dr Ruiz", slug="ruiz"))
    with pytest.raises(ValidationError) as caught:
        article.full_clean()
    assert "last_reviewed" in caught.value.message_dict


def test_hero_image_is_resized_once_on_save_to_webp_and_its_own_format(make_article, settings):
    article = make_article(hero_alt="A calm picture")
    article.hero_image = upload(size=(1600, 900))
    article.save()
    article.refresh_from_db()
    assert article.hero_image.name.startswith("articles/") and article.hero_image.name.endswith(
        ".png"
    )
    assert [r["width"] for r in article.hero_renditions] == [480, 800, 1200, 1600]
    assert article.hero_renditions[0]["height"] == 270
    for rendition in article.hero_renditions:
        assert rendition["webp"].endswith(".webp")
        assert rendition["original"].endswith(".png")
        assert (settings.MEDIA_ROOT / rendition["webp"]).exists()


def test_small_hero_images_are_not_enlarged(make_article):
    article = make_article(hero_alt="x")
    article.hero_image = upload(size=(300, 200))
    article.save()
    assert [r["width"] for r in article.hero_renditions] == [300]


def test_key_points_and_description_come_from_the_summary(make_article):
    article = make_article(summary="- One thing\n\n* Another thing\n" + "long " * 60)
    assert article.key_points[:2] == ["One thing", "Another thing"]
    assert len(article.description) <= 160 and article.description.endswith("…")


def test_publishing_an_old_draft_dates_it_today_unless_the_editor_chose_a_date(make_article):
    drafted = timezone.now() - timedelta(days=5)
    draft = make_article(status=Article.Status.DRAFT, publish_at=drafted)
    draft.status = Article.Status.PUBLISHED
    draft.save()
    assert timezone.now() - draft.publish_at < timedelta(seconds=5)

    backdated = make_article(status=Article.Status.DRAFT, publish_at=drafted)
    backdated.status = Article.Status.PUBLISHED
    backdated.publish_at = drafted - timedelta(days=30)  # the editor's own choice
    backdated.save()
    assert backdated.publish_at == drafted - timedelta(days=30)


def test_articles_loaded_without_their_image_sizes_cost_one_query(
    make_article, django_assert_num_queries
):
    """The change tracker and the image field read nothing more (the publish action loads
    only the columns it checks)."""
    make_article(hero_image=upload(size=(900, 600)), hero_alt="A calm lake")
    with django_assert_num_queries(1):
        [article] = Article.objects.only("title", "body", "hero_image", "hero_alt")
        assert article.hero_image.name.startswith("articles/")
        assert not article.tracker.has_changed("hero_image")
