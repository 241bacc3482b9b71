"""Image cleaning and resizing happen in the worker, never while an editor's save waits."""

import pytest

from articles.models import Article
from articles.tests.conftest import upload
from core import tasks
from core.pagecache import current_version

pytestmark = pytest.mark.django_db


def test_a_new_hero_is_cleaned_and_resized_by_the_worker_and_pages_show_no_image_until_then(
    make_article, task_queue, settings, client
):
    article = make_article(hero_alt="A calm picture")
    article.hero_image = upload(size=(1600, 900))
    article.save()

    article.refresh_from_db()
    assert article.hero_renditions == []  # nothing resized inside the save
    assert article.hero_image.name.startswith("pending/")  # staged privately, as sent
    assert not (settings.MEDIA_ROOT / "articles").exists()  # nothing in media yet
    assert (settings.UPLOAD_STAGING_ROOT / article.hero_image.name).exists()
    page = client.get(article.get_absolute_url()).content.decode()
    assert "pending/" not in page and '<figure class="hero">' not in page
    [queued] = task_queue
    assert queued.task.name == "make_renditions"
    before = current_version()

    done = tasks.make_renditions.call(*queued.args)

    article.refresh_from_db()
    assert article.hero_image.name == done["name"]
    assert article.hero_image.name.startswith("articles/")
    assert (article.hero_width, article.hero_height) == (1600, 900)
    assert article.hero_renditions == done["renditions"]
    assert [r["width"] for r in done["renditions"]] == [480, 800, 1200, 1600]
    assert all((settings.MEDIA_ROOT / r["webp"]).exists() for r in done["renditions"])
    assert not any((settings.UPLOAD_STAGING_ROOT / "pending").iterdir())  # staged copy gone
    assert current_version() > before  # cached pages pick the image up


def test_a_replaced_image_is_not_published_for_its_old_name(make_article, task_queue, settings):
    article = make_article(hero_alt="First picture")
    article.hero_image = upload(size=(900, 600))
    article.save()
    first = task_queue[0].args
    article.hero_image = upload(size=(700, 500))
    article.save()

    assert tasks.make_renditions.call(*first) is None
    assert Article.objects.get(pk=article.pk).hero_renditions == []
    assert not (settings.MEDIA_ROOT / "articles").exists()  # nothing left behind for it
    assert tasks.make_renditions.call(*task_queue[1].args)["renditions"][-1]["width"] == 700
    staged = list((settings.UPLOAD_STAGING_ROOT / "pending").iterdir())
    assert staged == []  # both staged uploads are gone: one published, one discarded


def test_a_staged_upload_lost_before_the_worker_leaves_no_image(
    make_article, task_queue, settings, client
):
    article = make_article(hero_alt="A picture")
    article.hero_image = upload(size=(900, 600))
    article.save()
    (settings.UPLOAD_STAGING_ROOT / article.hero_image.name).unlink()

    assert tasks.make_renditions.call(*task_queue[0].args) is None

    article.refresh_from_db()
    assert article.hero_image.name == "" and article.hero_width is None
    assert client.get(article.get_absolute_url()).status_code == 200
