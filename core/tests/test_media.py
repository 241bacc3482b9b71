"""Uploaded images served by Django (when no proxy does): images only, never run."""

import pytest

from articles.tests.conftest import image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(settings):
    folder = settings.MEDIA_ROOT / "uploads"
    folder.mkdir(parents=True)
    (folder / "photo.png").write_bytes(image_bytes())
    (folder / "page.html").write_text("<script>alert(1)</script>")
    (folder / "vector.svg").write_text("<svg onload='alert(1)'/>")
    return folder


def test_images_are_served_with_their_type_nosniff_and_a_sandbox(client, stored):
    response = client.get("/media/uploads/photo.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == (stored / "photo.png").read_bytes()


@pytest.mark.parametrize("path", ["uploads/page.html", "uploads/vector.svg", "uploads/missing.png"])
def test_anything_but_our_images_is_404(client, stored, path):
    assert client.get(f"/media/{path}").status_code == 404


@pytest.mark.parametrize("path", ["../../etc/passwd.png", "uploads/%2e%2e/%2e%2e/settings.png"])
def test_paths_outside_media_are_refused(client, stored, path):
    assert client.get(f"/media/{path}").status_code == 400
