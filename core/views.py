import logging
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.views import static
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

from core import seo

logger = logging.getLogger("fibrosite")


def _database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("healthz: database check failed")
        return False


def _cache_ok():
    # The Redis backend swallows connection errors (so pages keep serving),
    # so a round trip of a fresh value is the only honest check. Each check has
    # its own key: with a shared one, concurrent checks overwrite each other's
    # value and a healthy cache reads as failing.
    value = uuid.uuid4().hex
    key = f"healthz:{value}"
    try:
        cache.set(key, value, timeout=10)
        ok = cache.get(key) == value
        cache.delete(key)
        return ok
    except Exception:
        logger.exception("healthz: cache check failed")
        return False


@never_cache
@require_safe
def healthz(request):
    checks = {
        "database": "ok" if _database_ok() else "unavailable",
        "cache": "ok" if _cache_ok() else "unavailable",
    }
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse(checks, status=200 if healthy else 503)


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /editor/",
        "Disallow: /search/",
        "Disallow: /store/go/",
        f"Sitemap: {settings.SITE_URL}/sitemap.xml",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}


@require_safe
def media(request, path):
    """Uploaded images, when no proxy serves MEDIA_ROOT (`make serve`, bench, audit).

    Only the image types we store, with their own content type, nosniff (from
    SecurityMiddleware) and a sandboxing policy: nothing uploaded can run.
    """
    content_type = MEDIA_TYPES.get(PurePosixPath(path).suffix.lower())
    if content_type is None:
        raise Http404
    response = static.serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Content-Type"] = content_type
    response["Cache-Control"] = "public, max-age=2592000"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


HOME = ("Home", "/")


class BreadcrumbsMixin:
    """`crumbs` for the visible trail and the BreadcrumbList JSON-LD."""

    def get_crumbs(self):
        return [HOME]

    def get_context_data(self, **kwargs):
        crumbs = self.get_crumbs()
        return super().get_context_data(
            crumbs=crumbs, structured_data=[seo.breadcrumb_list(crumbs)], **kwargs
        )
