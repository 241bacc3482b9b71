"""The markdownx editor's endpoints, for logged-in staff only.

markdownx's own views accept anonymous requests and trust the declared content
type, so they are not routed; these replace them.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import HttpResponse, JsonResponse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from articles.models import ALT_PLACEHOLDER
from core.images import store_clean_image
from core.markdown import TooComplex, render_markdown

STORE_FAILED = (
    "The server could not store this image just now (its disk may be full). "
    "Nothing was saved; please try again later or tell the site's administrator."
)


def staff_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@require_POST
@staff_only
def markdownify(request):
    try:
        return HttpResponse(render_markdown(request.POST.get("content", "")))
    except TooComplex as error:
        # markdownx shows any answer in the preview pane, so the editor reads why.
        return HttpResponse(
            format_html('<p class="errornote" role="alert">{}</p>', error), status=422
        )


@require_POST
@staff_only
def upload(request):
    image = request.FILES.get("image")
    if image is None:
        return JsonResponse({"image": ["Choose an image to upload."]}, status=400)
    try:
        name = store_clean_image(image, "uploads")
    except ValidationError as error:
        return JsonResponse({"image": error.messages}, status=400)
    except OSError:
        return JsonResponse({"image": [STORE_FAILED]}, status=507)
    return JsonResponse({"image_code": f"![{ALT_PLACEHOLDER}]({default_storage.url(name)})"})
