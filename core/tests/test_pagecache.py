"""Anonymous pages are cached whole and invalidated the moment content changes."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.conf import settings
from django.db.models import F, QuerySet
from django.http import HttpResponse
from django.test import Client, override_settings
from django.utils import timezone

from articles.models import Article, Category, Tag
from core.models import ContentVersion
from core.pagecache import AnonymousPageCacheMiddleware, process_version
from fibrosite.config import cache_from_url
from fibrosite.tests.served import ServedSite, fetch, production_backends

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(make_article):
    return make_article(
        title="Resting well", slug="resting-well", summary="Rest helps.", body="Body text.",
        category=Category.objects.create(name="Sleep", slug="sleep"),
    )  # fmt: skip


def test_second_anonymous_visit_is_served_from_the_cache(
    client, article, django_assert_num_queries
):
    first = client.get("/articles/resting-well/")
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):  # the content version read a moment ago is reused
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


def test_bulk_updates_invalidate_by_themselves(client, article):
    client.get("/")
    Article.objects.update(title="Renamed in bulk")
    assert "Renamed in bulk" in client.get("/").content.decode()


def test_scheduled_article_appears_without_anyone_saving(client, article, time_machine):
    time_machine.move_to(timezone.now())
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
    time_machine.shift(timedelta(seconds=1.1))
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


def test_each_process_reads_the_version_at_most_once_a_second(
    client, article, django_assert_num_queries
):
    client.get("/articles/resting-well/")
    with django_assert_num_queries(0):  # the version read a moment ago is reused
        assert client.get("/articles/resting-well/")["X-Page-Cache"] == "hit"
    version, read_at = process_version.state
    process_version.state = (version, read_at - process_version.reuse_seconds)
    with django_assert_num_queries(1):  # a second later: read again
        assert client.get("/articles/resting-well/")["X-Page-Cache"] == "hit"


def test_a_save_elsewhere_shows_once_the_reused_version_is_a_second_old(client, article):
    client.get("/articles/resting-well/")
    # Another process's save: the version moves on, this process isn't told (a plain
    # QuerySet writes the row without this process's invalidation hooks).
    ContentVersion.objects.filter(pk=1).update(number=F("number") + 1)
    QuerySet(Article).filter(pk=article.pk).update(title="Resting well, saved elsewhere")
    assert client.get("/articles/resting-well/")["X-Page-Cache"] == "hit"  # within the second
    version, read_at = process_version.state
    process_version.state = (version, read_at - process_version.reuse_seconds)
    response = client.get("/articles/resting-well/")
    assert "Resting well, saved elsewhere" in response.content.decode()


def test_a_page_rendered_across_a_scheduled_publish_time_is_not_kept(rf, article, time_machine):
    """The page's queries ran before the article went live, its response came after."""
    time_machine.move_to(timezone.now())
    Article.objects.create(
        title="Goes live mid-render", slug="goes-live", summary="s", body="b",
        category=article.category, status=Article.Status.PUBLISHED,
        publish_at=timezone.now() + timedelta(seconds=0.3),
    )  # fmt: skip

    def render_slowly(request):
        response = HttpResponse("<p>The home page, without the new article.</p>")
        time_machine.shift(timedelta(seconds=0.5))  # rendering spans the publish moment
        return response

    middleware = AnonymousPageCacheMiddleware(render_slowly)
    assert middleware(rf.get("/"))["X-Page-Cache"] == "miss"
    assert middleware(rf.get("/"))["X-Page-Cache"] == "miss"  # not served from the cache


def test_renaming_or_deleting_an_author_updates_the_byline(client, article):
    """Bylines come from author profiles (articles.Person), never from logins."""
    from django.db.models import ProtectedError

    from articles.models import Person

    author = Person.objects.create(name="Ada Lane", slug="ada-lane")
    article.written_by = author
    article.save()
    assert "Ada Lane</a>" in client.get("/articles/resting-well/").content.decode()
    author.name = "Adaline Lane"
    author.save()
    assert "Adaline Lane</a>" in client.get("/articles/resting-well/").content.decode()
    # A profile with articles can't be deleted out from under them; moving the article
    # to another profile shows at once.
    with pytest.raises(ProtectedError):
        author.delete()
    article.written_by = Person.objects.create(name="Bo Reyes", slug="bo-reyes")
    article.save()
    page = client.get("/articles/resting-well/").content.decode()
    assert "Bo Reyes</a>" in page and "Adaline" not in page


def test_an_editor_signing_in_does_not_clear_cached_pages(client, article, django_user_model):
    django_user_model.objects.create_user("ed", password="a-long-passphrase", is_staff=True)
    client.get("/articles/resting-well/")
    signed_in = Client().post(
        "/admin/login/?next=/admin/", {"username": "ed", "password": "a-long-passphrase"}
    )  # saves the user's last_login
    assert signed_in.status_code == 302
    assert client.get("/articles/resting-well/")["X-Page-Cache"] == "hit"


@pytest.mark.fault
def test_a_huge_version_published_on_redis_changes_nothing(client, article, private_redis):
    """Anyone who could publish on Redis once froze invalidation with a huge version."""
    import redis

    redis.Redis.from_url(private_redis.url).publish("fibrosite:content-version:::test", "9" * 30)
    with override_settings(
        CACHES={**settings.CACHES, "default": cache_from_url(private_redis.url)}
    ):
        client.get("/articles/resting-well/")
        article.title = "Resting well, after the attack"
        article.save()
        response = client.get("/articles/resting-well/")
    assert "Resting well, after the attack" in response.content.decode()


def test_a_save_in_one_process_shows_in_every_gunicorn_worker_within_two_seconds(tmp_path):
    """Two workers cache a page; a separate process saves; within 2 s no worker serves the
    old page (SQLite and the database cache, or PostgreSQL and Redis, as the leg runs)."""
    slug = "low-dose-naltrexone-fibromyalgia-fatigue"
    path = f"/articles/{slug}/"
    with production_backends(tmp_path, "pagecache") as (database, cache):
        with ServedSite(tmp_path, database, workers=2, CACHE_URL=cache) as site:
            with ThreadPoolExecutor(8) as pool:
                before = list(pool.map(lambda _: fetch(site.url + path), range(40)))
                assert all(status == 200 for status, _, _ in before)
                assert sum(headers["X-Page-Cache"] == "hit" for _, headers, _ in before) >= 30

                site.manage(
                    "shell", "-c",
                    "from articles.models import Article\n"
                    f"article = Article.objects.get(slug='{slug}')\n"
                    "article.title = 'Naltrexone, revised by an editor'\n"
                    "article.save()",
                )  # fmt: skip
                saved = time.monotonic()
                time.sleep(max(0.0, saved + 2 - time.monotonic()))
                after = list(pool.map(lambda _: fetch(site.url + path), range(40)))
    assert all("Naltrexone, revised by an editor" in body for _, _, body in after)


def test_a_browser_that_accepts_gzip_gets_the_page_compressed_once(client, article):
    """Hits send the gzipped copy made when the page was stored; others get plain bytes."""
    import gzip

    chrome = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br, zstd"}
    first = client.get("/articles/resting-well/", **chrome)
    assert first["X-Page-Cache"] == "miss" and first["Content-Encoding"] == "gzip"
    second = client.get("/articles/resting-well/", **chrome)
    assert second["X-Page-Cache"] == "hit" and second["Content-Encoding"] == "gzip"
    assert second.content == first.content  # compressed once, stored, sent as it is
    assert int(second["Content-Length"]) == len(second.content)

    plain = client.get("/articles/resting-well/")
    assert plain["X-Page-Cache"] == "hit" and not plain.has_header("Content-Encoding")
    assert gzip.decompress(second.content) == plain.content
    assert "Resting well" in plain.content.decode()
    assert len(second.content) < len(plain.content) / 2
    for response in (first, second, plain):  # shared caches must keep the two apart
        assert "Accept-Encoding" in response["Vary"]
    assert second["ETag"] != plain["ETag"]

    # A browser revalidating its gzipped copy is told it is still good.
    again = client.get("/articles/resting-well/", HTTP_IF_NONE_MATCH=second["ETag"], **chrome)
    assert again.status_code == 304

    identity = client.get("/articles/resting-well/", HTTP_ACCEPT_ENCODING="identity")
    assert identity.content == plain.content and not identity.has_header("Content-Encoding")


def test_pages_that_are_never_cached_are_never_compressed_here(client, article):
    """A form page embeds a CSRF token: it is neither shared nor compressed (BREACH)."""
    response = client.get("/contact/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert "csrfmiddlewaretoken" in response.content.decode()


def test_a_hit_carries_every_header_the_page_was_made_with(client, article, settings):
    """Hits are answered near the top of the middleware: the page is stored as the rest of
    it finished it, so the security headers come from storage, not from running it again."""
    settings.SECURE_HSTS_SECONDS = 31536000  # as in production
    first = client.get("/articles/resting-well/", secure=True)
    second = client.get("/articles/resting-well/", secure=True)
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    for header in ("Strict-Transport-Security", "X-Content-Type-Options", "Referrer-Policy",
                   "Cross-Origin-Opener-Policy", "Permissions-Policy", "X-Frame-Options",
                   "Content-Security-Policy", "ETag", "Last-Modified", "Vary"):  # fmt: skip
        assert second[header] == first[header], header
    assert {**second.headers, "X-Page-Cache": ""} == {**first.headers, "X-Page-Cache": ""}
    plain = client.get("/articles/resting-well/")  # http: a page of its own, no HSTS
    assert plain["X-Page-Cache"] == "miss" and not plain.has_header("Strict-Transport-Security")


def test_with_https_enforced_a_plain_request_is_redirected_not_served_from_the_cache(
    client, article, settings
):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/articles/resting-well/", secure=True)["X-Page-Cache"] == "miss"
    assert client.get("/articles/resting-well/", secure=True)["X-Page-Cache"] == "hit"
    response = client.get("/articles/resting-well/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/articles/resting-well/"


def test_a_browser_revalidating_a_hit_gets_304_with_no_body(client, article):
    page = client.get("/articles/resting-well/")
    again = client.get("/articles/resting-well/", HTTP_IF_NONE_MATCH=page["ETag"])
    assert again.status_code == 304 and again.content == b""
    since = client.get("/articles/resting-well/", HTTP_IF_MODIFIED_SINCE=page["Last-Modified"])
    assert since.status_code == 304
    changed = client.get("/articles/resting-well/", HTTP_IF_NONE_MATCH='"something-else"')
    assert changed.status_code == 200 and changed["X-Page-Cache"] == "hit"
