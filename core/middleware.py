"""Small security middleware Django does not ship: body size limits, refused methods
and Permissions-Policy."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotAllowed
from django.template.loader import render_to_string

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "browsing-topics", "camera", "display-capture", "geolocation",
        "gyroscope", "magnetometer", "microphone", "midi", "payment", "usb",
    )
)  # fmt: skip


STAFF_AREAS = ("/admin/", "/editor/")


def _body_length(request):
    return int(request.META.get("CONTENT_LENGTH") or 0)


def _too_large(limit):
    response = HttpResponse(render_to_string("413.html", {"limit_kb": limit // 1024}), status=413)
    response["Connection"] = "close"
    return response


class RequestSizeLimitMiddleware:
    """Refuse oversized bodies with 413 from Content-Length, before anything reads them.

    Editors (admin and editor endpoints) may upload images; public forms are small.
    StaffBodyLimitMiddleware then holds everyone not known to be staff to the public
    limit there too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = _body_length(request)
        except ValueError:
            return HttpResponse("Bad Content-Length", status=400, content_type="text/plain")
        staff_area = request.path_info.startswith(STAFF_AREAS)
        limit = settings.MAX_STAFF_BODY_BYTES if staff_area else settings.MAX_PUBLIC_BODY_BYTES
        if length > limit:
            return _too_large(limit)
        return self.get_response(request)


class StaffBodyLimitMiddleware:
    """In the staff areas, bodies over the public limit only from signed-in staff.

    Runs after AuthenticationMiddleware (the session says who it is) and before any view
    or CSRF check reads the body, so a stranger's large upload to /admin/ or /editor/ is
    refused without being read, instead of being read and then refused with a 403.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path_info.startswith(STAFF_AREAS)
            and _body_length(request) > settings.MAX_PUBLIC_BODY_BYTES
            and not (request.user.is_active and request.user.is_staff)
        ):
            return _too_large(settings.MAX_PUBLIC_BODY_BYTES)
        return self.get_response(request)


class RefuseTraceMiddleware:
    """TRACE (and CONNECT) get 405 on every address: nothing here echoes requests back or
    tunnels, and some views (feeds, the sitemap) would otherwise answer them like GET."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("TRACE", "CONNECT"):
            return HttpResponseNotAllowed(["GET", "HEAD", "POST", "OPTIONS"])
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
