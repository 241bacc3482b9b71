"""The markdownx preview and upload endpoints: staff only, uploads checked from their bytes."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.tests.conftest import image_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user("ed", password="pw", is_staff=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", ["/editor/markdownify/", "/editor/upload/"])
def test_anonymous_visitors_are_refused(client, url, settings):
    response = client.post(url, {"content": "# hi", "image": upload()})
    assert response.status_code == 403
    assert not (settings.MEDIA_ROOT / "uploads").exists()


@pytest.mark.parametrize("url", ["/editor/markdownify/", "/editor/upload/"])
def test_logged_in_non_staff_users_are_refused(client, django_user_model, url):
    client.force_login(django_user_model.objects.create_user("reader", password="pw"))
    assert client.post(url, {"content": "# hi", "image": upload()}).status_code == 403


def test_preview_uses_the_publishing_renderer(staff_client):
    response = staff_client.post(
        "/editor/markdownify/", {"content": "## Hi\n\n<script>x()</script>[a](javascript:x)"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h2 id="hi">Hi</h2>' in html
    assert "<script" not in html and "javascript:" not in html


def test_preview_refuses_get(staff_client):
    assert staff_client.get("/editor/markdownify/").status_code == 405


def test_upload_stores_under_a_server_name_with_the_real_extension(staff_client, settings):
    # PNG bytes dressed up as a JPEG: the stored name follows what Pillow finds.
    disguised = SimpleUploadedFile("holiday.jpg", image_bytes("PNG"), content_type="image/jpeg")
    response = staff_client.post("/editor/upload/", {"image": disguised})
    assert response.status_code == 200
    code = response.json()["image_code"]
    assert code.startswith("![") and code.endswith(".png)")
    assert "holiday" not in code
    stored = list((settings.MEDIA_ROOT / "uploads").iterdir())
    assert len(stored) == 1 and stored[0].suffix == ".png"


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP"])
def test_jpeg_and_webp_are_accepted(staff_client, fmt):
    image = SimpleUploadedFile("x", image_bytes(fmt), content_type="application/octet-stream")
    response = staff_client.post("/editor/upload/", {"image": image})
    assert response.status_code == 200
    assert response.json()["image_code"].endswith({"JPEG": ".jpg)", "WEBP": ".webp)"}[fmt])


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    ("name", "content", "content_type", "message"),
    [
        ("notes.png", b"this is not an image at all", "image/png", "not an image we can read"),
        ("evil.svg", SVG, "image/svg+xml", "not an image we can read"),
        ("anim.gif", image_bytes("GIF"), "image/gif", "JPEG, PNG or WebP"),
        ("scan.bmp", image_bytes("BMP"), "image/bmp", "JPEG, PNG or WebP"),
    ],
)
def test_uploads_that_are_not_allowed_images_get_a_clear_400(
    staff_client, settings, name, content, content_type, message
):
    response = staff_client.post(
        "/editor/upload/", {"image": SimpleUploadedFile(name, content, content_type=content_type)}
    )
    assert response.status_code == 400
    assert message in response.json()["image"][0]
    assert not (settings.MEDIA_ROOT / "uploads").exists()


def test_uploads_over_five_megabytes_are_refused(staff_client):
    big = SimpleUploadedFile("big.png", image_bytes() + b"\0" * (5 * 1024 * 1024), "image/png")
    response = staff_client.post("/editor/upload/", {"image": big})
    assert response.status_code == 400
    assert "images can be up to 5 MB" in response.json()["image"][0]


def test_decompression_bombs_are_refused_with_a_clear_message(staff_client):
    # A small file that claims to be 20,000 x 20,000 pixels (400 megapixels) when decoded.
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, "PNG")
    assert buffer.tell() < 5 * 1024 * 1024
    bomb = SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")
    response = staff_client.post("/editor/upload/", {"image": bomb})
    assert response.status_code == 400
    assert "too large to process safely" in response.json()["image"][0]


def test_upload_without_a_file_is_a_400(staff_client):
    assert staff_client.post("/editor/upload/", {}).status_code == 400


def test_refusals_use_the_words_an_editor_understands(staff_client):
    # 6.2 MB of PNG: the size, then the limit, in the words the editor sees.
    big = SimpleUploadedFile("big.png", image_bytes() + b"\0" * int(6.2 * 1024 * 1024), "image/png")
    gif = SimpleUploadedFile("anim.gif", image_bytes("GIF"), "image/gif")
    heic = SimpleUploadedFile("IMG_0001.HEIC", b"\0\0\0\x18ftypheic" + b"\0" * 64, "image/heic")
    answers = [staff_client.post("/editor/upload/", {"image": f}).json() for f in (big, gif, heic)]
    assert answers == [
        {"image": ["This image is 6.2 MB; images can be up to 5 MB."]},
        {"image": ["GIF images can't be used: save it as JPEG, PNG or WebP."]},
        {"image": ["HEIC images (iPhone photos) can't be used: save it as JPEG, PNG or WebP."]},
    ]


def test_a_phone_multi_picture_jpeg_is_stored_as_a_plain_jpeg(staff_client, settings):
    buffer = io.BytesIO()
    frames = [Image.new("RGB", (40, 30), c) for c in ((200, 10, 10), (10, 200, 10))]
    frames[0].save(buffer, "MPO", save_all=True, append_images=frames[1:])
    assert Image.open(io.BytesIO(buffer.getvalue())).format == "MPO"
    phone = SimpleUploadedFile("IMG_0002.JPG", buffer.getvalue(), content_type="image/jpeg")
    response = staff_client.post("/editor/upload/", {"image": phone})
    assert response.json()["image_code"].endswith(".jpg)")
    (stored,) = (settings.MEDIA_ROOT / "uploads").iterdir()
    with Image.open(stored) as image:
        assert image.format == "JPEG" and image.size == (40, 30)


def test_the_admin_editor_loads_the_upload_script_and_knows_the_limit(admin_client):
    html = admin_client.get("/admin/articles/article/add/").content.decode()
    assert 'src="/static/js/editor-uploads.js"' in html or "js/editor-uploads" in html
    assert 'data-upload-max-bytes="5242880"' in html
