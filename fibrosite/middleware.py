"""Small security middleware Django does not ship: body size limits and Permissions-Policy."""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "browsing-topics", "camera", "display-capture", "geolocation",
        "gyroscope", "magnetometer", "microphone", "midi", "payment", "usb",
    )
)  # fmt: skip


class RequestSizeLimitMiddleware:
    """Refuse oversized bodies with 413 from Content-Length, before anything reads them.

    Editors (admin and editor endpoints) may upload images; public forms are small.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse("Bad Content-Length", status=400, content_type="text/plain")
        staff_area = request.path_info.startswith(("/admin/", "/editor/"))
        limit = settings.MAX_STAFF_BODY_BYTES if staff_area else settings.MAX_PUBLIC_BODY_BYTES
        if length > limit:
            response = HttpResponse(
                render_to_string("413.html", {"limit_kb": limit // 1024}), status=413
            )
            response["Connection"] = "close"
            return response
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
