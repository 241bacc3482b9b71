"""Methods and bodies: TRACE refused everywhere, HEAD like GET, staff-sized bodies only
for staff, cacheable old-slug redirects, product clicks counted once an hour."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from articles.tests.conftest import image_bytes

pytestmark = pytest.mark.django_db

PUBLIC_LIMIT = 64 * 1024


@pytest.mark.parametrize(
    "path", ["/", "/feed/", "/feed/atom/", "/sitemap.xml", "/healthz", "/robots.txt", "/admin/"]
)
def test_trace_is_refused_everywhere(client, path):
    response = client.generic("TRACE", path)
    assert response.status_code == 405
    assert "GET" in response["Allow"] and "TRACE" not in response["Allow"]


def test_head_answers_like_get_on_health_robots_and_media(client, settings):
    (settings.MEDIA_ROOT / "uploads").mkdir(parents=True)
    (settings.MEDIA_ROOT / "uploads" / "a.png").write_bytes(image_bytes("PNG"))
    for path in ("/healthz", "/robots.txt", "/media/uploads/a.png"):
        get, head = client.get(path), client.head(path)
        get.close(), head.close()  # media answers are streamed from an open file
        assert head.status_code == get.status_code == 200, path
        assert head["Content-Type"] == get["Content-Type"], path
    assert head["Content-Length"] == get["Content-Length"]


def multipart_upload(size):
    return {"image": SimpleUploadedFile("big.png", b"\x89PNG" + b"x" * size)}


@pytest.mark.parametrize("path", ["/editor/upload/", "/admin/articles/article/add/"])
def test_strangers_get_the_public_body_limit_in_the_staff_areas(client, path, django_user_model):
    response = client.post(path, multipart_upload(200 * 1024))
    assert response.status_code == 413
    assert "That was too much to send" in response.content.decode()
    # A signed-in visitor who is not staff is a stranger here too.
    client.force_login(django_user_model.objects.create_user("reader", password="pw"))
    assert client.post(path, multipart_upload(200 * 1024)).status_code == 413
    # Small bodies still reach the view, which says no in its own way.
    assert client.post(path, {"x": "y"}).status_code in (302, 403)


def test_staff_keep_the_staff_body_limit(admin_client):
    response = admin_client.post("/editor/upload/", multipart_upload(200 * 1024))
    assert response.status_code == 400  # read, and refused as not an image
    assert "not an image we can read" in response.json()["image"][0]
