"""Whole-page caching for anonymous visitors, invalidated by a database content version.

A cached page is served only while the version it was made under is still current, so
an editor's save (any save, delete or many-to-many change in the content apps, plus
``content_changed()`` after ``QuerySet.update()``) makes every process and host render
afresh on the next request. Entries also expire no later than the next scheduled
article's publish time, so a scheduled article appears without anyone saving.

Visitors with a session cookie (editors), non-GET requests, and responses that set a
cookie, embed a CSRF token (forms) or say no-cache/private are never cached.
"""

import hashlib
import logging
import os
import threading
import time

import redis  # imported here, not lazily in the listener thread (import races)
from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.cache import patch_cache_control
from django.utils.http import http_date

CONTENT_APPS = {"articles", "store", "community"}
# Models of the content apps that never appear on a public page.
PRIVATE_MODELS = set(getattr(settings, "PAGECACHE_PRIVATE_MODELS", ()))
KEY_PREFIX = "page:"
logger = logging.getLogger("fibrosite")
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
        number = version.objects.values_list("number", flat=True).get(pk=1)
        transaction.on_commit(lambda: announce(number))


def announce(number):
    """Tell every process the new version, by whichever channels this site has."""
    watcher.announce(number)
    version_file.announce(number)


class VersionWatcher:
    """Each process's copy of the content version, kept current by Redis pub/sub.

    With Redis configured (PAGECACHE_REDIS_URL), a cache hit needs no network at all:
    a thread per worker process listens for the new version every save announces
    after its commit. The database stays the source of truth: the listener reads it
    after subscribing (so no announcement can slip between), keeps the highest
    number seen, and whenever it is not connected and healthy, `current()` says None
    and the middleware asks the database on every request instead.
    """

    def __init__(self, url=None):
        self.url = getattr(settings, "PAGECACHE_REDIS_URL", "") if url is None else url
        self.version = None
        self.pid = None
        self.generation = 0
        self.lock = threading.Lock()

    def reset(self, url):
        """Point at another Redis (tests); the old listener thread stops."""
        with self.lock:
            self.url, self.version, self.pid = url, None, None
            self.generation += 1

    def current(self):
        if not self.url:
            return None
        if self.pid != os.getpid():  # first use in this (forked) worker process
            with self.lock:
                if self.pid != os.getpid():
                    self.pid, self.version = os.getpid(), None
                    threading.Thread(
                        target=self._listen, args=(self.generation,), daemon=True
                    ).start()
        return self.version

    @staticmethod
    def channel():
        """One channel per database: sites sharing a Redis server never hear each other."""
        db = connection.settings_dict
        return f"fibrosite:content-version:{db['HOST']}:{db['PORT']}:{db['NAME']}"

    def announce(self, number):
        if not self.url:
            return
        try:
            self._client().publish(self.channel(), number)
        except Exception:  # Redis down: listeners have lost their link and use the database
            logger.warning("Could not announce content version %s", number)

    def _client(self):
        return redis.Redis.from_url(self.url, socket_connect_timeout=0.5, socket_timeout=0.5)

    def _listen(self, generation):
        while generation == self.generation:
            try:
                pubsub = self._client().pubsub()
                pubsub.subscribe(self.channel())
                pubsub.get_message(timeout=1)  # the subscription is confirmed
                self._raise_to(self._database_version())
                last_check = time.monotonic()
                while generation == self.generation:
                    message = pubsub.get_message(timeout=0.5)
                    if message and message["type"] == "message":
                        self._raise_to(int(message["data"]))
                    if time.monotonic() - last_check > 1:
                        pubsub.ping()  # a silent network failure shows here within ~1 s
                        last_check = time.monotonic()
                pubsub.close()
            except Exception:
                if generation == self.generation:
                    self.version = None
                time.sleep(0.5)

    def _raise_to(self, number):
        if number is not None:
            self.version = number if self.version is None else max(self.version, number)

    @staticmethod
    def _database_version():
        try:
            return current_version()
        finally:
            connections.close_all()  # this thread's own connection


watcher = VersionWatcher()


class VersionFile:
    """On one host (SQLite), each process's copy of the content version, kept by a file.

    Every save writes its new version number into the file after its commit; a cache
    hit reads those 20 bytes with one pread() and asks the database only when they
    have changed. Numbers are unique and written only after they are committed, so a
    process whose bytes are unchanged has seen every commit since it last asked; bytes
    are trusted only if they are empty (nothing announced yet) or a number no newer
    than the version read after them, so a torn read can never pass for a future one.
    An announcement that can't be written (another user's file, a full disk, a file
    deleted under running workers) costs at most TRUST_SECONDS of staleness: the
    database is asked again at least that often, and a replaced file is reopened. If
    the file can't be opened at all, `current()` says None and the database is asked.
    """

    WIDTH = 20
    TRUST_SECONDS = 1.0

    def __init__(self, path=None):
        self.path = getattr(settings, "PAGECACHE_VERSION_FILE", "") if path is None else path
        self.fd = self.pid = None
        self.lock = threading.Lock()
        # (bytes seen, version, when the database said so): one attribute, swapped whole.
        self.state = (None, None, 0.0)

    def _fd(self):
        if self.pid != os.getpid():  # first use in this (forked) worker process
            with self.lock:
                if self.pid != os.getpid():
                    self._open()
        return self.fd

    def _open(self):
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o664)
        except OSError:
            logger.warning("Page cache version file %s can't be opened", self.path)
            fd = None
        self.fd, self.state, self.pid = fd, (None, None, 0.0), os.getpid()

    def _replaced(self):
        """True when the path no longer names the file this process holds open."""
        try:
            return os.stat(self.path).st_ino != os.fstat(self.fd).st_ino
        except OSError:
            return True

    def current(self):
        if not self.path or self._fd() is None:
            return None
        seen, version, checked = self.state
        now = time.monotonic()
        if now - checked > self.TRUST_SECONDS and self._replaced():
            with self.lock:
                os.close(self.fd)
                self._open()
            if self.fd is None:
                return None
        try:
            data = os.pread(self.fd, self.WIDTH, 0)
        except OSError:
            return None
        if data != seen or version is None or now - checked > self.TRUST_SECONDS:
            version = current_version()  # read after the file: never older than `data`
            trusted = data == b"" or (
                len(data) == self.WIDTH and data.isdigit() and int(data) <= (version or 0)
            )
            self.state = (data if trusted and version is not None else None, version, now)
        return version

    def announce(self, number):
        if not self.path:
            return
        if self._fd() is None:
            logger.error("Content version %s not written: %s can't be opened", number, self.path)
            return
        try:
            os.pwrite(self.fd, b"%020d" % number, 0)
        except OSError:
            logger.error("Could not write content version %s to %s", number, self.path)


version_file = VersionFile()


def _is_content(sender):
    meta = getattr(sender, "_meta", None)
    return (
        meta is not None
        and meta.app_label in CONTENT_APPS
        and meta.label not in PRIVATE_MODELS
        and meta.label != "articles.ContentVersion"
    )


def _on_change(sender, **kwargs):
    if kwargs.get("raw"):
        return  # fixtures being loaded
    if _is_content(sender):
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
        version = watcher.current()
        if version is None:
            version = version_file.current()
        if version is None:
            version = current_version()
        if version is None:
            return self.get_response(request)
        entry = caches["pages"].get(key)
        if entry and entry[0] == version and entry[1] > time.time():
            response = entry[2]  # a fresh copy: the cache unpickles on every get
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if self._cacheable_response(request, response):
            self._prepare(response)
            caches["pages"].set(key, self._entry(version, response), self.seconds)
            response["X-Page-Cache"] = "miss"
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

    def _entry(self, version, response):
        expires = time.time() + self.seconds
        next_publish = apps.get_model("articles", "Article").objects.next_scheduled_at()
        if next_publish is not None:
            expires = min(expires, next_publish.timestamp())
        # The response itself (as Django's own cache middleware stores it): unpickling
        # restores its headers without re-validating each one.
        return (version, expires, response)
