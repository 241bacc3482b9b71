"""Anonymous pages are cached whole and invalidated the moment content changes."""

import os
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone

from articles.models import Article, Category, ContentVersion, Tag
from fibrosite import pagecache
from fibrosite.config import cache_from_url
from fibrosite.pagecache import content_changed, watcher
from fibrosite.tests.served import ServedSite, fetch

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(db):
    category = Category.objects.create(name="Sleep", slug="sleep")
    return Article.objects.create(
        title="Resting well",
        slug="resting-well",
        summary="Rest helps.",
        body="Body text.",
        category=category,
        status=Article.Status.PUBLISHED,
        publish_at=timezone.now() - timedelta(days=1),
    )


def test_second_anonymous_visit_is_served_from_the_cache(
    client, article, django_assert_num_queries
):
    first = client.get("/articles/resting-well/")
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(1):  # only the content version
        second = client.get("/articles/resting-well/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_visitors_from_a_shared_link_share_one_cached_page(client, article):
    client.get("/articles/resting-well/")
    for query in ("fbclid=IwAR0abc", "utm_source=facebook&utm_medium=social&fbclid=IwAR1xyz",
                  "UTM_CAMPAIGN=spring&gclid=Cj0"):  # fmt: skip
        response = client.get(f"/articles/resting-well/?{query}")
        assert response["X-Page-Cache"] == "hit"
        assert "IwAR" not in response.content.decode()

    # Parameters that pages do read still make pages of their own.
    for n in range(13):
        Article.objects.create(
            title=f"Note {n}", slug=f"note-{n}", summary="s", body="b", category=article.category,
            status=Article.Status.PUBLISHED, publish_at=timezone.now() - timedelta(days=2 + n),
        )  # fmt: skip
    client.get("/articles/?utm_source=mail")
    second_page = client.get("/articles/?page=2&utm_source=mail")
    assert second_page["X-Page-Cache"] == "miss" and "Page 2 of 2" in second_page.content.decode()
    assert client.get("/search/?q=rest")["X-Page-Cache"] == "miss"
    assert client.get("/search/?q=note&fbclid=x")["X-Page-Cache"] == "miss"


def test_an_editors_save_shows_on_the_next_request(client, article):
    client.get("/articles/resting-well/")
    article.title = "Resting well, revised"
    article.save()
    response = client.get("/articles/resting-well/")
    assert response["X-Page-Cache"] == "miss"
    assert "Resting well, revised" in response.content.decode()


def test_many_to_many_changes_and_deletes_invalidate(client, article):
    client.get("/articles/resting-well/")
    article.tags.add(Tag.objects.create(name="Naps", slug="naps"))
    assert ">Naps</a>" in client.get("/articles/resting-well/").content.decode()
    client.get("/")
    article.delete()
    assert "Resting well" not in client.get("/").content.decode()


def test_bulk_updates_invalidate_through_content_changed(client, article):
    client.get("/")
    Article.objects.update(title="Renamed in bulk")
    content_changed()
    assert "Renamed in bulk" in client.get("/").content.decode()


def test_scheduled_article_appears_without_anyone_saving(client, article):
    Article.objects.create(
        title="Arrives shortly",
        slug="arrives-shortly",
        summary="Soon.",
        body="Soon.",
        category=article.category,
        status=Article.Status.PUBLISHED,
        publish_at=timezone.now() + timedelta(seconds=1),
    )
    assert "Arrives shortly" not in client.get("/").content.decode()
    time.sleep(1.1)
    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert "Arrives shortly" in response.content.decode()


def test_logged_in_editors_bypass_the_cache(article, django_user_model):
    editor = Client()
    editor.force_login(django_user_model.objects.create_user("ed", is_staff=True))
    editor.get("/articles/resting-well/")
    assert "X-Page-Cache" not in editor.get("/articles/resting-well/")


def test_anonymous_pages_set_no_cookie_and_can_be_revalidated(client, article):
    response = client.get("/articles/resting-well/")
    assert not response.cookies
    assert "public" in response["Cache-Control"] and "s-maxage=60" in response["Cache-Control"]
    assert response["ETag"] and response["Last-Modified"]
    again = client.get("/articles/resting-well/", headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304


def test_errors_and_health_checks_are_not_cached(client, article):
    client.get("/articles/nope/")
    assert "X-Page-Cache" not in client.get("/articles/nope/")
    assert "X-Page-Cache" not in client.get("/healthz")


def wait_for(condition, seconds=5):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def redis_watcher(private_redis):
    """The version watcher listening on a private Redis (committed data: transactional)."""
    watcher.reset(private_redis.url)
    yield watcher
    watcher.reset("")


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_with_redis_hits_need_no_query_and_saves_reach_every_process(
    client, article, redis_watcher, private_redis, django_assert_num_queries
):
    client.get("/articles/resting-well/")  # starts this process's listener
    assert wait_for(lambda: redis_watcher.version is not None)
    client.get("/articles/resting-well/")
    with django_assert_num_queries(0):
        assert client.get("/articles/resting-well/")["X-Page-Cache"] == "hit"

    before = redis_watcher.version
    article.title = "Resting well, announced"
    article.save()  # commits, then announces the new version on Redis
    assert wait_for(lambda: redis_watcher.version > before, seconds=2)
    assert "Resting well, announced" in client.get("/articles/resting-well/").content.decode()

    # Redis stops: the listener notices, pages come from the database-checked cache.
    private_redis.stop()
    assert wait_for(lambda: redis_watcher.version is None, seconds=5)
    article.title = "Resting well, no Redis"
    article.save()
    response = client.get("/articles/resting-well/")
    assert response.status_code == 200
    assert "Resting well, no Redis" in response.content.decode()


@pytest.mark.fault
def test_pages_still_serve_when_the_shared_cache_stops(client, article, private_redis):
    redis = cache_from_url(private_redis.url)
    with override_settings(CACHES={**settings.CACHES, "default": redis}):
        assert client.get("/articles/resting-well/").status_code == 200
        private_redis.stop()
        response = client.get("/articles/resting-well/")
        assert response.status_code == 200
        assert "Resting well" in response.content.decode()
        assert client.get("/healthz").status_code == 503


@pytest.fixture
def version_file(tmp_path, monkeypatch):
    """The SQLite version file, at a path of this test's own."""
    version_file = pagecache.VersionFile(str(tmp_path / "db.sqlite3-pagecache-version"))
    monkeypatch.setattr(pagecache, "version_file", version_file)
    return version_file


@pytest.mark.django_db(transaction=True)
def test_with_a_version_file_hits_need_no_query_and_saves_show_at_once(
    client, article, version_file, django_assert_num_queries
):
    client.get("/articles/resting-well/")
    with django_assert_num_queries(0):
        assert client.get("/articles/resting-well/")["X-Page-Cache"] == "hit"

    article.title = "Resting well, written down"
    article.save()  # commits, then writes the new version into the file
    assert int(Path(version_file.path).read_bytes()) == ContentVersion.objects.get().number
    response = client.get("/articles/resting-well/")  # the file changed: the version is read
    assert response["X-Page-Cache"] == "miss"
    assert "Resting well, written down" in response.content.decode()
    with django_assert_num_queries(0):
        assert client.get("/articles/resting-well/")["X-Page-Cache"] == "hit"


@pytest.mark.django_db(transaction=True)
def test_a_version_file_that_cannot_be_opened_falls_back_to_the_database(
    client, article, tmp_path, monkeypatch, django_assert_num_queries
):
    unusable = pagecache.VersionFile(str(tmp_path / "missing-folder" / "version"))
    monkeypatch.setattr(pagecache, "version_file", unusable)
    client.get("/articles/resting-well/")
    with django_assert_num_queries(1):
        assert client.get("/articles/resting-well/")["X-Page-Cache"] == "hit"
    article.title = "Resting well, still current"
    article.save()
    assert "Resting well, still current" in client.get("/articles/resting-well/").content.decode()


def test_a_save_in_one_process_shows_in_every_gunicorn_worker_on_sqlite(tmp_path):
    """Two workers cache a page; a separate process saves; no worker serves the old page."""
    database = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    path = "/articles/low-dose-naltrexone-fibromyalgia-fatigue/"
    with ServedSite(tmp_path, database, workers=2) as site, ThreadPoolExecutor(8) as pool:
        before = list(pool.map(lambda _: fetch(site.url + path), range(40)))
        assert all(status == 200 for status, _, _ in before)
        assert sum(headers["X-Page-Cache"] == "hit" for _, headers, _ in before) >= 30

        site.manage(
            "shell", "-c",
            "from articles.models import Article\n"
            "article = Article.objects.get(slug='low-dose-naltrexone-fibromyalgia-fatigue')\n"
            "article.title = 'Naltrexone, revised by an editor'\n"
            "article.save()",
        )  # fmt: skip
        after = list(pool.map(lambda _: fetch(site.url + path), range(40)))
        assert all("Naltrexone, revised by an editor" in body for _, _, body in after)


def _bump():
    content_changed()
    return ContentVersion.objects.get().number


def test_the_version_file_is_trusted_briefly_reopened_when_replaced_and_never_on_bad_bytes(
    tmp_path, django_assert_num_queries
):
    path = tmp_path / "version"
    reader, writer = pagecache.VersionFile(str(path)), pagecache.VersionFile(str(path))
    number = _bump()
    writer.announce(number)
    assert reader.current() == number
    with django_assert_num_queries(0):
        assert reader.current() == number  # unchanged bytes, trusted

    # An announcement that never arrives (e.g. written by a process that couldn't open
    # the file) is noticed once the trust runs out.
    newer = _bump()
    reader.state = (*reader.state[:2], time.monotonic() - 2 * reader.TRUST_SECONDS)
    assert reader.current() == newer

    # The file deleted and made anew under a running worker: it reopens the new one.
    path.unlink()
    replacement = pagecache.VersionFile(str(path))
    replacement.announce(_bump())
    reader.state = (*reader.state[:2], time.monotonic() - 2 * reader.TRUST_SECONDS)
    assert reader.current() == ContentVersion.objects.get().number
    assert os.fstat(reader.fd).st_ino == path.stat().st_ino

    # Bytes that can't be a committed version (torn or foreign) are never trusted.
    path.write_bytes(b"9" * 20)
    for _ in range(2):
        with django_assert_num_queries(1):
            reader.current()
