"""Whole-page caching for anonymous visitors, invalidated by a database content version.

A cached page is served only while the version it was made under is still current, so
an editor's save (any save, delete or many-to-many change in the content apps, a change
to a user, whose name may be a byline, plus ``content_changed()`` after
``QuerySet.update()``) makes every process and host render afresh. Each process reads
the version from the database at most once a second and reuses it in between (its own
saves forget it at once), so a save shows everywhere within about a second, whatever
else has failed, with no side channel to keep alive. Entries also expire no later than
the next scheduled article's publish time, so a scheduled article appears without
anyone saving.

Visitors with a session cookie (editors), non-GET requests, and responses that set a
cookie, embed a CSRF token (forms) or say no-cache/private are never cached.

Each entry also keeps its body gzipped, compressed once when it is stored, for the
visitors whose browsers accept it (all of them): a hit then costs no compression and sends
about a quarter of the bytes. A cached page holds no secret (no CSRF token, no cookie, no
one's data), so compression can't leak one (BREACH).
"""

import gzip
import hashlib
import logging
import time

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.middleware.gzip import re_accepts_gzip
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date

CONTENT_APPS = {"articles", "store", "community"}
# Models of the content apps that never appear on a public page.
PRIVATE_MODELS = set(getattr(settings, "PAGECACHE_PRIVATE_MODELS", ()))
KEY_PREFIX = "page:2:"  # 2: entries carry their gzipped body
logger = logging.getLogger("fibrosite")
# Smaller bodies gain nothing from gzip (Django's GZipMiddleware uses the same floor).
MIN_COMPRESS_BYTES = 200
UNCACHED_PATHS = ("/healthz", "/admin/", "/editor/", "/store/go/", "/media/", "/static/")
# Campaign and click identifiers carried by links shared on social media and in mail. No
# page reads them, so a crowd arriving from one shared post (each click with its own
# fbclid) shares one cached page instead of each visitor costing a fresh render.
TRACKING_PARAMS = frozenset(
    ("fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "twclid", "ttclid", "igshid",
     "yclid", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "ref_src")
)  # fmt: skip


def cache_key(request):
    """The page's key: host, path and query string, less tracking parameters."""
    query = request.META.get("QUERY_STRING", "")
    if query:
        query = "&".join(
            pair
            for pair in query.split("&")
            if (name := pair.partition("=")[0].lower()) not in TRACKING_PARAMS
            and not name.startswith("utm_")
        )
    address = f"{request.get_host()}{request.path}?{query}"
    return KEY_PREFIX + hashlib.sha256(address.encode()).hexdigest()


def _version_model():
    return apps.get_model("articles", "ContentVersion")


def current_version():
    """The content version, or None when the database can't say (then nothing is cached)."""
    table = _version_model()._meta.db_table
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT number FROM {table} WHERE id = 1")  # noqa: S608 - fixed name
            row = cursor.fetchone()
    except DatabaseError:
        return None
    return row[0] if row else 0


def content_changed():
    """Mark every cached public page stale, on every process and host."""
    version = _version_model()
    with transaction.atomic():
        if not version.objects.filter(pk=1).update(number=F("number") + 1):
            version.objects.get_or_create(pk=1, defaults={"number": 1})
        # This process sees its own change on its next request; others within a second.
        process_version.forget()
        transaction.on_commit(process_version.forget)


class ProcessVersion:
    """This process's copy of the content version, read again once it is a second old.

    One indexed query a second per process instead of one per hit; the worst case is a
    page from before a save in another process, shown for up to REUSE_SECONDS.
    """

    def __init__(self, reuse_seconds=None):
        self.reuse_seconds = (
            settings.PAGECACHE_VERSION_REUSE_SECONDS if reuse_seconds is None else reuse_seconds
        )
        self.state = (None, 0.0)  # (version, when it was read): one attribute, swapped whole

    def current(self):
        version, read_at = self.state
        now = time.monotonic()
        if version is None or now - read_at >= self.reuse_seconds:
            version = current_version()
            self.state = (version, now)  # None (database down) is never reused
        return version

    def forget(self):
        self.state = (None, 0.0)


process_version = ProcessVersion()


def _is_content(sender):
    meta = getattr(sender, "_meta", None)
    return (
        meta is not None
        and meta.app_label in CONTENT_APPS
        and meta.label not in PRIVATE_MODELS
        and meta.label != "articles.ContentVersion"
    )


def _is_user(sender):
    meta = getattr(sender, "_meta", None)
    return meta is not None and meta.label == settings.AUTH_USER_MODEL


# A sign-in saves the user with only these fields: nothing a page shows.
UNSHOWN_USER_FIELDS = frozenset(("last_login", "password"))


def _on_change(sender, **kwargs):
    if kwargs.get("raw"):
        return  # fixtures being loaded
    if _is_content(sender):
        content_changed()
    elif _is_user(sender):  # a user's name is an article's byline
        fields = kwargs.get("update_fields")
        if not (fields and set(fields) <= UNSHOWN_USER_FIELDS):
            content_changed()


def _on_m2m(sender, action, instance, **kwargs):
    if action.startswith("post_") and (_is_content(type(instance)) or _is_content(sender)):
        content_changed()


post_save.connect(_on_change, dispatch_uid="pagecache-save")
post_delete.connect(_on_change, dispatch_uid="pagecache-delete")
m2m_changed.connect(_on_m2m, dispatch_uid="pagecache-m2m")


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.seconds = settings.PAGECACHE_SECONDS
        self.cdn_seconds = settings.PAGECACHE_CDN_SECONDS

    def __call__(self, request):
        if not self.seconds or not self._cacheable_request(request):
            return self.get_response(request)
        key = cache_key(request)
        version = process_version.current()
        if version is None:
            return self.get_response(request)
        entry = caches["pages"].get(key)
        if entry and entry[0] == version and entry[1] > time.time():
            _, _, response, compressed = entry  # a fresh copy: the cache unpickles on every get
            response["X-Page-Cache"] = "hit"
            return self._encoded(request, response, compressed)
        started = timezone.now()
        response = self.get_response(request)
        if self._cacheable_response(request, response):
            self._prepare(response)
            compressed = self._compress(response)
            expires = self._expires(started)
            if expires > time.time():
                caches["pages"].set(key, (version, expires, response, compressed), self.seconds)
            response["X-Page-Cache"] = "miss"
            return self._encoded(request, response, compressed)
        return response

    @staticmethod
    def _compress(response):
        """The body gzipped once, or None when that would not make it smaller."""
        if response.has_header("Content-Encoding") or len(response.content) < MIN_COMPRESS_BYTES:
            return None
        compressed = gzip.compress(response.content, compresslevel=9, mtime=0)
        return compressed if len(compressed) < len(response.content) else None

    @staticmethod
    def _encoded(request, response, compressed):
        """The gzipped body for a visitor whose browser accepts it, the plain one otherwise."""
        if compressed is None or not re_accepts_gzip.search(
            request.META.get("HTTP_ACCEPT_ENCODING", "")
        ):
            return response
        response.content = compressed
        response["Content-Length"] = str(len(compressed))
        response["Content-Encoding"] = "gzip"
        if etag := response.get("ETag"):  # the same page in other bytes: its own tag
            response["ETag"] = etag[:-1] + '-gzip"' if etag.endswith('"') else etag
        return response

    @staticmethod
    def _cacheable_request(request):
        return (
            request.method in ("GET", "HEAD")
            and not request.path_info.startswith(UNCACHED_PATHS)
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "HTTP_AUTHORIZATION" not in request.META
        )

    @staticmethod
    def _cacheable_response(request, response):
        # "Vary: Cookie" alone comes from merely looking at request.user, harmless for a
        # visitor with no session; a page that embeds a CSRF token is never shared.
        cache_control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not any(word in cache_control for word in ("private", "no-cache", "no-store"))
        )

    def _prepare(self, response):
        if not response.has_header("ETag"):
            response["ETag"] = (
                f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"'
            )
        if not response.has_header("Last-Modified"):
            response["Last-Modified"] = http_date()
        if "Cache-Control" not in response:
            patch_cache_control(response, public=True, max_age=0, s_maxage=self.cdn_seconds)
        # Shared caches (the nginx front, a CDN) keep the plain and the gzipped copy apart.
        patch_vary_headers(response, ("Accept-Encoding",))

    def _expires(self, started):
        """Now plus the page's lifetime, but no later than the first scheduled article to
        go live after rendering began: a page rendered across that moment may lack it."""
        expires = time.time() + self.seconds
        article = apps.get_model("articles", "Article")
        next_publish = article.objects.next_scheduled_at(after=started)
        if next_publish is not None:
            expires = min(expires, next_publish.timestamp())
        return expires
