"""Whole-page caching for anonymous visitors, and the content version that invalidates it.

Each app declares, in its AppConfig.ready(), which of its models public pages show:
``pagecache.public(Article, FAQ, ...)``. Saving, deleting or changing a many-to-many
relation of a declared model, or ``update()``/``bulk_create()``/``bulk_update()`` through
its ``PublicQuerySet``, raises the content version once per transaction (a single counter
row in core.ContentVersion), however many rows the transaction touches. Nothing else has
to remember to invalidate, and models not declared (inbox, outbox, logs) never do.

A cached page is served only while the version it was made under is still current, so a
change makes every process and host render afresh. Each process reads the version from
the database at most once a second and reuses it in between (its own changes forget it at
once), so a save shows everywhere within about a second, whatever else has failed, with
no side channel to keep alive. Entries also expire no later than the next moment an app
says its pages change by themselves (``pagecache.scheduled(...)``: a scheduled article
going live), so that needs no save.

Visitors with a session cookie (editors), non-GET requests, and responses that set a
cookie, embed a CSRF token (forms) or say no-cache/private are never cached.

The middleware sits near the top of MIDDLEWARE: a page is stored as the middleware below
it finished it (security headers, ETag), so a hit returns it at once; a browser's
revalidation of a hit still gets Django's 304 (ConditionalGetMiddleware's rules).

Each page is stored twice: as rendered, and gzipped (compressed once, when it is stored)
for the visitors whose browsers accept it, nearly all of them. A hit reads only the copy
it sends, ready as it is: no compression, about a quarter of the bytes. A cached page
holds no secret (no CSRF token, no cookie, no one's data), so compression can't leak one
(BREACH).
"""

import gzip
import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.middleware.http import ConditionalGetMiddleware
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from core.models import ContentVersion

KEY_PREFIX = "page:4:"  # 4: keyed on the scheme too; the gzipped copy has its own entry
GZIPPED = ":gzip"  # its key: the page's, plus this
CONDITIONAL_HEADERS = frozenset(("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE"))
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
    # The scheme too: with HTTPS enforced, a plain-http request must reach SecurityMiddleware
    # (below this one) and its redirect, never an https page stored for the same address.
    address = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    return KEY_PREFIX + hashlib.sha256(address.encode()).hexdigest()


def current_version():
    """The content version, or None when the database can't say (then nothing is cached)."""
    table = ContentVersion._meta.db_table
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(f"SELECT number FROM {table} WHERE id = 1")  # noqa: S608 - fixed name
            row = cursor.fetchone()
    except DatabaseError:
        return None
    return row[0] if row else 0


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


# What the apps declare (core/pagecache.py's own registry, filled in AppConfig.ready()).
_public = {}  # model -> (fields no page shows, shown(row) for new rows or None)
_schedules = []  # functions(after) -> the next time pages change by themselves, or None


class PublicQuerySet(models.QuerySet):
    """The QuerySet of a public model: bulk writes send no signals, so they invalidate here.

    bulk_update() runs through update(); delete() sends post_delete for every row.
    """

    def update(self, **kwargs):
        rows = super().update(**kwargs)
        if rows and _shows(self.model, fields=kwargs):
            content_changed(using=self.db)
        return rows

    update.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if any(_shows(self.model, row=row) for row in created):
            content_changed(using=self.db)
        return created

    bulk_create.alters_data = True


def public(*models, unshown_fields=(), shown=None):
    """Declare models whose rows public pages show; call it from your AppConfig.ready().

    Any save, delete, many-to-many change or bulk write of them then marks every cached
    page stale (once per transaction). ``unshown_fields``: fields no page shows (a click
    counter); writes of only those change nothing. ``shown(row)``: for models only some of
    whose rows are public (comments awaiting moderation), whether a new row shows; a
    change to an existing row always counts, as it may have been shown before.
    """
    for model in models:
        for manager in model._meta.managers:
            if not issubclass(manager._queryset_class, PublicQuerySet):
                raise ImproperlyConfigured(
                    f"{model._meta.label} is declared public but its manager "
                    f"'{manager.name}' is not built on core.pagecache.PublicQuerySet, so its "
                    "update() would leave cached pages stale."
                )
        _public[model] = (frozenset(unshown_fields), shown)


def scheduled(next_change):
    """Register ``next_change(after=datetime)``: when pages next change with no save (a
    scheduled article going live). Cached pages expire no later than that."""
    _schedules.append(next_change)


def _shows(model, row=None, fields=None):
    declared = _public.get(model)
    if declared is None:
        meta = getattr(model, "_meta", None)
        declared = meta and _public.get(meta.concrete_model)
        if declared is None:
            return False
    unshown, shown = declared
    if fields and set(fields) <= unshown:
        return False
    return row is None or shown is None or shown(row)


def _on_save(sender, instance, created=False, raw=False, update_fields=None, using=None, **kw):
    if not raw and _shows(sender, row=instance if created else None, fields=update_fields):
        content_changed(using=using)


def _on_delete(sender, using=None, **kwargs):
    if _shows(sender):
        content_changed(using=using)


def _on_m2m(sender, instance, action, using=None, **kwargs):
    if action.startswith("post_") and (_shows(type(instance)) or _shows(sender)):
        content_changed(using=using)


def connect_signals():
    """Called by CoreConfig.ready(): saves, deletes and many-to-many changes of models
    declared public invalidate (fixtures being loaded don't)."""
    post_save.connect(_on_save, dispatch_uid="pagecache-save")
    post_delete.connect(_on_delete, dispatch_uid="pagecache-delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="pagecache-m2m")


def content_changed(using=None):
    """Mark every cached public page stale, on every process and host.

    Once per transaction: the first change in it raises the version, inside it (a
    rollback undoes the raise with the change); later ones find the marker it left.
    """
    connection = connections[using or DEFAULT_DB_ALIAS]
    current = _transaction_of(connection)
    if current is not None:
        for savepoints, func, _robust in connection.run_on_commit:
            if func is _forget_after_commit and (current == "" or current in savepoints):
                return  # this transaction has raised it already
        transaction.on_commit(_forget_after_commit, using=connection.alias)
    # Inside a transaction the raise needs no savepoint of its own: a failure there fails
    # the whole transaction anyway. In autocommit, atomic() makes it one transaction.
    with transaction.atomic(using=DEFAULT_DB_ALIAS, savepoint=False):
        if not ContentVersion.objects.filter(pk=1).update(number=F("number") + 1):
            ContentVersion.objects.get_or_create(pk=1, defaults={"number": 1})
    process_version.forget()  # this process sees its own change on its next request


def _forget_after_commit():
    """Marks a transaction that raised the version; once it commits, this process reads
    the new number (other processes within REUSE_SECONDS)."""
    process_version.forget()


def _transaction_of(connection):
    """The transaction a change belongs to: None in autocommit, "" for a plain one.

    A test runs inside transactions of its own that never commit, so there the outermost
    block that isn't the test case's stands for the transaction, named by its savepoint
    (Django's durable atomic() makes the same distinction); one without a savepoint has
    no name, and counts as autocommit.
    """
    for index, block in enumerate(connection.atomic_blocks):
        if not block._from_testcase:
            return connection.savepoint_ids[index - 1] if index else ""
    return None


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.conditional = ConditionalGetMiddleware(get_response)  # Django's 304 rules
        self.seconds = settings.PAGECACHE_SECONDS
        self.cdn_seconds = settings.PAGECACHE_CDN_SECONDS

    def __call__(self, request):
        if not self.seconds or not self._cacheable_request(request):
            return self.get_response(request)
        key = cache_key(request)
        if re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            key += GZIPPED
        version = process_version.current()
        if version is None:
            return self.get_response(request)
        entry = caches["pages"].get(key)
        if entry and entry[0] == version and entry[1] > time.time():
            response = entry[2]  # a fresh copy: the cache unpickles on every get
            response["X-Page-Cache"] = "hit"
            if CONDITIONAL_HEADERS.intersection(request.META):  # a browser revalidating
                return self.conditional.process_response(request, response)  # 304 or as is
            return response
        started = timezone.now()
        response = self.get_response(request)
        if not self._cacheable_response(request, response):
            return response
        self._prepare(response)
        gzipped = self._gzipped(response) or response
        expires = self._expires(started)
        if expires > time.time():
            plain_key = key.removesuffix(GZIPPED)
            caches["pages"].set_many(
                {
                    plain_key: (version, expires, response),
                    plain_key + GZIPPED: (version, expires, gzipped),
                },
                self.seconds,
            )
        if key.endswith(GZIPPED):
            response = gzipped
        response["X-Page-Cache"] = "miss"
        return response

    @staticmethod
    def _gzipped(response):
        """A copy of the response with its body gzipped once, or None when that would not
        make it smaller. Browsers that accept gzip get this one, as it is, on every hit."""
        if response.has_header("Content-Encoding") or len(response.content) < MIN_COMPRESS_BYTES:
            return None
        compressed = gzip.compress(response.content, compresslevel=9, mtime=0)
        if len(compressed) >= len(response.content):
            return None
        gzipped = HttpResponse(compressed, status=response.status_code)
        for name, value in response.items():
            gzipped[name] = value
        gzipped["Content-Length"] = str(len(compressed))
        gzipped["Content-Encoding"] = "gzip"
        etag = response["ETag"]  # the same page in other bytes: its own tag
        gzipped["ETag"] = etag[:-1] + '-gzip"' if etag.endswith('"') else etag
        return gzipped

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
        """Now plus the page's lifetime, but no later than the first scheduled change (an
        article going live) after rendering began: a page rendered across it may lack it."""
        expires = time.time() + self.seconds
        for next_change in _schedules:
            when = next_change(after=started)
            if when is not None:
                expires = min(expires, when.timestamp())
        return expires
