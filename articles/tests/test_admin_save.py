"""The admin's save of a full article (issue 16): quick, few queries, no slow work inside it.

A 12-megapixel phone photo as the hero, 2 tags, 3 FAQs and 3 references: the request
stages the upload and queues the worker's part (cleaning, sizes, search), nothing more.
"""

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from articles.models import Article, Tag
from articles.tests.conftest import XMP, _exif
from articles.tests.test_admin import article_form, inline_management

pytestmark = pytest.mark.django_db
ADD = reverse("admin:articles_article_add")


def phone_photo(size=(4000, 3000)):
    """A 12-megapixel JPEG as a phone sends it (about 4 MB): GPS position, camera, XMP."""
    gradient = Image.linear_gradient("L").resize(size)
    noise = Image.effect_noise(size, 40)
    red = Image.blend(gradient, noise, 0.5)
    green = Image.blend(gradient.rotate(90).resize(size), noise, 0.3)
    buffer = io.BytesIO()
    Image.merge("RGB", (red, green, noise)).save(
        buffer, "JPEG", quality=80, exif=_exif().tobytes(), xmp=XMP, comment=b"12 Home Street"
    )
    return buffer.getvalue()


@pytest.fixture(scope="module")
def photo_bytes():
    return phone_photo()


def full_form(category, tags, **overrides):
    """The add form with 2 tags, 3 questions and 3 references."""
    data = article_form(category, **overrides)
    data["tags"] = [tag.pk for tag in tags]
    data |= inline_management("faqs", 3) | inline_management("references", 3)
    for n in range(3):
        data |= {
            f"faqs-{n}-question": f"Question {n} about pacing?",
            f"faqs-{n}-answer": f"Answer **{n}**: rest before you crash.",
            f"faqs-{n}-order": str(n),
            f"references-{n}-citation": f"Study {n}. Journal of Pain 2020.",
            f"references-{n}-doi": f"10.1000/pain{n}",
            f"references-{n}-order": str(n),
        }
    return data


@pytest.fixture
def tags(db):
    return [Tag.objects.create(name=f"Tag {n}", slug=f"tag-{n}") for n in range(2)]


def post_full_article(admin_client, category, tags, photo_bytes):
    data = full_form(category, tags, hero_alt="A calm lake at dawn")
    data["hero_image"] = SimpleUploadedFile("IMG_0001.JPG", photo_bytes, "image/jpeg")
    started = time.perf_counter()
    response = admin_client.post(ADD, data)
    return response, time.perf_counter() - started


def test_a_full_article_with_a_12_megapixel_hero_saves_quickly(
    admin_client, category, tags, photo_bytes, task_queue
):
    """Issue 16's target is under 1 s on the bench machine (`make bench` measures it);
    here the bound is generous, for a busy CI machine."""
    assert len(photo_bytes) > 2_000_000  # a real phone photo's size, not a tiny test picture
    admin_client.get(ADD)  # signed in, caches warm, as for an editor at work
    response, took = post_full_article(admin_client, category, tags, photo_bytes)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert took < 2.0, took
    article = Article.objects.get()
    assert article.faqs.count() == 3 and article.references.count() == 3
    assert article.hero_image.name.startswith("pending/")  # the worker publishes it
    assert "make_renditions" in [queued.task.name for queued in task_queue]
