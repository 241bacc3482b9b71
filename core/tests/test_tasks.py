"""Image resizing happens in the worker, never while an editor's save waits."""

import pytest

from articles.models import Article
from articles.tests.conftest import upload
from core import tasks
from core.pagecache import current_version

pytestmark = pytest.mark.django_db


def test_a_new_hero_is_resized_by_the_worker_and_pages_show_the_original_until_then(
    make_article, task_queue, settings
):
    article = make_article(hero_alt="A calm picture")
    article.hero_image = upload(size=(1600, 900))
    article.save()

    article.refresh_from_db()
    assert article.hero_renditions == []  # nothing resized inside the save
    assert not (settings.MEDIA_ROOT / "articles" / "sizes").exists()
    [queued] = task_queue
    assert queued.task.name == "make_renditions"
    before = current_version()

    renditions = tasks.make_renditions.call(*queued.args)

    article.refresh_from_db()
    assert article.hero_renditions == renditions
    assert [r["width"] for r in renditions] == [480, 800, 1200, 1600]
    assert all((settings.MEDIA_ROOT / r["webp"]).exists() for r in renditions)
    assert current_version() > before  # cached pages pick the new sizes up


def test_a_replaced_image_is_not_resized_for_its_old_name(make_article, task_queue):
    article = make_article(hero_alt="First picture")
    article.hero_image = upload(size=(900, 600))
    article.save()
    first = task_queue[0].args
    article.hero_image = upload(size=(700, 500))
    article.save()

    assert tasks.make_renditions.call(*first) == []
    assert Article.objects.get(pk=article.pk).hero_renditions == []
    assert tasks.make_renditions.call(*task_queue[1].args)[-1]["width"] == 700
