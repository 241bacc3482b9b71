"""Stored images carry no metadata: read back from storage, originals and sizes alike."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from articles.tests.conftest import CAMERA, OWNER, RED, photo, srgb_profile, upload
from core.images import clean_image

pytestmark = pytest.mark.django_db


def assert_clean(name):
    """The stored bytes hold the picture and nothing that says where, who or with what."""
    with default_storage.open(name) as stored:
        data = stored.read()
    for secret in (CAMERA.encode(), OWNER.encode(), b"FibroCam", b"SecretPhoneApp", b"Home St"):
        assert secret not in data, (name, secret)
    assert b"Exif\x00\x00" not in data and b"eXIf" not in data and b"http://ns.adobe" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif(), name
        gps = image.getexif().get_ifd(0x8825)
        assert not gps
        for key in ("exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile", "Author"):
            assert key not in image.info, (name, key)
    return data


def test_clean_image_keeps_the_pixels_and_drops_everything_else():
    content, info = clean_image(SimpleUploadedFile("p.jpg", photo()))
    data = content.read()
    with Image.open(io.BytesIO(data)) as image:
        assert (info.format, info.extension, image.size) == ("JPEG", "jpg", (60, 40))
        red = image.convert("RGB").getpixel((50, 20))
        blue = image.convert("RGB").getpixel((5, 20))
    assert all(abs(a - b) <= 6 for a, b in zip(red, RED, strict=True)), red
    assert blue[2] > 180 and blue[0] < 60, blue
    assert b"Exif" not in data and CAMERA.encode() not in data and b"ns.adobe" not in data


def test_clean_image_turns_the_photo_upright_first():
    # Orientation 6: the camera was held sideways; viewers rotate the picture 90 degrees.
    content, info = clean_image(SimpleUploadedFile("p.jpg", photo(orientation=6)))
    with Image.open(content) as image:
        assert image.size == (40, 60) == (info.width, info.height)
        # The blue stripe was on the left; after a clockwise turn it is at the top.
        assert image.convert("RGB").getpixel((20, 5))[2] > 180
        assert image.convert("RGB").getpixel((20, 55))[0] > 150


def _swapped_primaries_profile():
    """A valid RGB profile whose red and green primaries are swapped: a picture tagged
    with it shows green where its numbers say red."""
    import struct

    data = bytearray(srgb_profile())
    (count,) = struct.unpack(">I", data[128:132])
    entries = {bytes(data[132 + 12 * i : 136 + 12 * i]): 132 + 12 * i for i in range(count)}
    red, green = entries[b"rXYZ"], entries[b"gXYZ"]
    data[red + 4 : red + 12], data[green + 4 : green + 12] = (
        data[green + 4 : green + 12],
        data[red + 4 : red + 12],
    )
    return bytes(data)


def test_colours_are_converted_to_srgb_before_the_profile_is_dropped():
    # Stripping the profile alone would show this picture red; its profile says green.
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (220, 0, 0)).save(
        buffer, "PNG", icc_profile=_swapped_primaries_profile()
    )
    content, _ = clean_image(SimpleUploadedFile("p.png", buffer.getvalue()))
    with Image.open(content) as image:
        assert "icc_profile" not in image.info
        r, g, b = image.convert("RGB").getpixel((0, 0))
    assert g > 150 and r < 80, (r, g, b)


@pytest.fixture
def staff_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("ed", password="pw", is_staff=True))
    return client


@pytest.mark.parametrize(("fmt", "extension"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")])
def test_editor_uploads_are_stored_without_metadata(staff_client, settings, fmt, extension):
    image = SimpleUploadedFile("IMG_2031.x", photo(fmt), content_type="image/jpeg")
    response = staff_client.post("/editor/upload/", {"image": image})
    assert response.status_code == 200
    url = response.json()["image_code"].split("(")[1].rstrip(")")
    assert url.endswith(f".{extension}")
    assert_clean(url.removeprefix(settings.MEDIA_URL))


def test_a_phones_multi_picture_jpeg_is_accepted_as_a_plain_jpeg(staff_client, settings):
    data = photo("MPO")
    assert Image.open(io.BytesIO(data)).format == "MPO"
    response = staff_client.post("/editor/upload/", {"image": SimpleUploadedFile("p.jpg", data)})
    assert response.status_code == 200
    name = response.json()["image_code"].split("(")[1].rstrip(")").removeprefix(settings.MEDIA_URL)
    assert name.endswith(".jpg")
    stored = assert_clean(name)
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and getattr(image, "n_frames", 1) == 1


def test_a_truncated_photo_gets_a_clear_400_and_nothing_is_stored(staff_client, settings):
    data = photo(size=(400, 300))[:-600]
    response = staff_client.post("/editor/upload/", {"image": SimpleUploadedFile("p.jpg", data)})
    assert response.status_code == 400
    assert "not an image we can read" in response.json()["image"][0]
    assert not (settings.MEDIA_ROOT / "uploads").exists()


def test_hero_originals_and_every_size_are_stored_clean(make_article):
    article = make_article(
        hero_image=SimpleUploadedFile("h.jpg", photo(size=(1500, 1000), orientation=8)),
        hero_alt="A calm lake",
    )
    assert (article.hero_width, article.hero_height) == (1000, 1500)  # turned upright
    assert_clean(article.hero_image.name)
    stem = article.hero_image.name.rsplit("/", 1)[1].split(".")[0]
    for rendition in article.hero_renditions:
        for key in ("webp", "original"):
            assert_clean(rendition[key])
            # The original's address can't be worked out from the sizes' names.
            assert stem not in rendition[key]


def test_product_images_and_their_sizes_are_stored_clean(admin_client):
    from store.models import Product, ProductCategory, ProductImage

    category = ProductCategory.objects.create(name="Sleep", slug="sleep")
    product = Product.objects.create(
        name="Eye mask", slug="eye-mask", category=category, short_description="Dark.",
        price="12.00", buy_url="https://shop.example/mask", alt="A mask",
        image=SimpleUploadedFile("m.jpg", photo(size=(900, 700))),
    )  # fmt: skip
    extra = ProductImage.objects.create(
        product=product, alt="Side view", image=SimpleUploadedFile("e.png", photo("PNG"))
    )
    for item in (product, extra):
        assert_clean(item.image.name)
        for rendition in item.renditions:
            assert_clean(rendition["webp"]) and assert_clean(rendition["original"])
    page = admin_client.get(reverse("store:product", args=[product.slug])).content.decode()
    assert product.image.name not in page  # pages use the sizes only, sharing cards too
    assert product.renditions[-1]["original"] in page


def test_a_broken_stored_profile_does_not_stop_the_upload(staff_client, settings):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), RED).save(buffer, "JPEG", icc_profile=b"not a profile" * 20)
    response = staff_client.post(
        "/editor/upload/", {"image": SimpleUploadedFile("p.jpg", buffer.getvalue())}
    )
    assert response.status_code == 200
    name = response.json()["image_code"].split("(")[1].rstrip(")").removeprefix(settings.MEDIA_URL)
    assert b"not a profile" not in assert_clean(name)


def test_upload_helper_still_works_for_plain_images():
    content, info = clean_image(upload())
    assert info.format == "PNG" and content.size > 0


def test_strip_image_metadata_cleans_what_was_stored_before_and_renames_old_sizes(
    make_article, client, settings
):
    from io import StringIO

    from django.core.management import call_command

    # As stored by the old code: the photo byte for byte, sizes named after it.
    default_storage.save("uploads/old.jpg", SimpleUploadedFile("x", photo()))
    default_storage.save("articles/hero.jpg", SimpleUploadedFile("x", photo(size=(900, 600))))
    old_sizes = []
    for width in (480, 900):
        buffer = io.BytesIO()
        Image.new("RGB", (width, width * 2 // 3), RED).save(buffer, "JPEG", comment=b"Home St")
        old_sizes.append(default_storage.save(f"articles/sizes/hero-{width}.jpg", buffer))
    article = make_article()
    type(article).objects.filter(pk=article.pk).update(
        hero_image="articles/hero.jpg", hero_alt="Lake", hero_width=900, hero_height=600,
        hero_renditions=[
            {"width": 480, "height": 320, "webp": old_sizes[0], "original": old_sizes[0]},
            {"width": 900, "height": 600, "webp": old_sizes[1], "original": old_sizes[1]},
        ],
    )  # fmt: skip

    out = StringIO()
    call_command("strip_image_metadata", stdout=out)
    assert "4 image(s) cleaned of metadata; sizes rebuilt for 1" in out.getvalue()
    for name in ("uploads/old.jpg", "articles/hero.jpg"):
        assert_clean(name)
    article.refresh_from_db()
    for size in old_sizes:
        assert not default_storage.exists(size)
    for rendition in article.hero_renditions:
        assert "hero" not in rendition["webp"] and "hero" not in rendition["original"]
        assert_clean(rendition["original"])
    page = client.get(article.get_absolute_url()).content.decode()
    assert article.hero_renditions[-1]["webp"] in page and "hero-480" not in page

    again = StringIO()
    call_command("strip_image_metadata", stdout=again)
    assert "0 image(s) cleaned of metadata; sizes rebuilt for 0" in again.getvalue()
