"""Images in an article's text are served like the hero: resized by the worker into WebP
and their own format, with width and height, and nothing but the picture inside."""

import io

import pytest
from bs4 import BeautifulSoup
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image
from reversion.models import Version

from articles import tasks
from articles.models import Article
from articles.tests.conftest import photo
from articles.tests.test_admin import article_form
from articles.tests.test_images import assert_clean
from core import markdown
from core.pagecache import current_version

pytestmark = pytest.mark.django_db

ALT = "A weekly pill organiser on a kitchen table"


def upload_to_editor(client, size=(1600, 1000)):
    """What the editor's drag and drop does: the markdown it puts in the text."""
    image = SimpleUploadedFile("IMG_0042.jpg", photo("JPEG", size=size), content_type="image/jpeg")
    response = client.post("/editor/upload/", {"image": image})
    assert response.status_code == 200
    return response.json()["image_code"]


def body_with(image_code):
    described = image_code.replace("Describe this image", ALT)
    return f"## Planning the week\n\nSort them on Sunday.\n\n{described}\n\nThen rest."


def storage_name(url, settings):
    assert url.startswith(settings.MEDIA_URL), url
    return url.removeprefix(settings.MEDIA_URL)


def srcset(value):
    """[(address, width), ...] from a srcset attribute."""
    candidates = [candidate.split() for candidate in value.split(",")]
    return [(url, int(width.removesuffix("w"))) for url, width in candidates]


def body_images(client, article):
    page = client.get(article.get_absolute_url())
    assert page.status_code == 200
    return BeautifulSoup(page.content, "html.parser").select(".prose img")


def test_a_body_image_is_served_through_its_renditions(admin_client, client, category, settings):
    image_code = upload_to_editor(admin_client)
    original = storage_name(image_code.split("(")[1].rstrip(")"), settings)
    response = admin_client.post(
        reverse("admin:articles_article_add"),
        article_form(category, body=body_with(image_code)),
    )  # test settings run tasks as they are queued: the worker has done its part on return
    assert response.status_code == 302, response.context["adminform"].form.errors

    [img] = body_images(client, Article.objects.get())
    assert img["alt"] == ALT
    assert (img["width"], img["height"]) == ("1600", "1000")
    assert img["sizes"] and img["loading"] == "lazy"
    picture = img.parent
    assert picture.name == "picture"
    [source] = picture.find_all("source")
    assert source["type"] == "image/webp" and source["sizes"] == img["sizes"]

    served = [(url, width, "WEBP") for url, width in srcset(source["srcset"])]
    served += [(url, width, "JPEG") for url, width in srcset(img["srcset"])]
    assert sorted({width for _, width, _ in served}) == [480, 800, 1200, 1600]
    assert img["src"] in {url for url, _, fmt in served if fmt == "JPEG"}
    for url, width, fmt in served:
        name = storage_name(url, settings)
        assert name != original  # readers get the sizes, never the uploaded file's name
        data = assert_clean(name)  # no EXIF, GPS, camera, owner or profile
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == fmt, url
            assert image.size == (width, round(1000 * width / 1600)), url
    assert default_storage.exists(original)  # the original stays, for the next resize


def test_until_the_worker_has_run_the_original_is_shown_with_its_size(
    admin_client, client, category, settings, task_queue
):
    image_code = upload_to_editor(admin_client, size=(900, 600))
    original_url = image_code.split("(")[1].rstrip(")")
    response = admin_client.post(
        reverse("admin:articles_article_add"),
        article_form(category, body=body_with(image_code)),
    )
    assert response.status_code == 302
    article = Article.objects.get()

    [img] = body_images(client, article)
    assert (img["src"], img["width"], img["height"]) == (original_url, "900", "600")
    assert not img.has_attr("srcset") and img.parent.name != "picture"
    assert not (settings.MEDIA_ROOT / "uploads" / "sizes").exists()  # nothing resized in the save
    [queued] = [result for result in task_queue if result.task.name == "make_body_renditions"]
    before = current_version()

    tasks.make_body_renditions.call(*queued.args)

    assert current_version() > before  # cached pages pick the sizes up
    [img] = body_images(client, article)
    assert img.parent.name == "picture"
    assert [width for _, width in srcset(img["srcset"])] == [480, 800, 900]


def test_the_worker_skips_an_image_taken_out_of_the_text_meanwhile(
    admin_client, make_article, task_queue, settings
):
    image_code = upload_to_editor(admin_client, size=(700, 500))
    article = make_article(body=body_with(image_code))
    [queued] = [result for result in task_queue if result.task.name == "make_body_renditions"]
    article.body = "Now without the picture."
    article.save()

    assert tasks.make_body_renditions.call(*queued.args) == {}
    article.refresh_from_db()
    assert article.body_renditions == {}
    assert not (settings.MEDIA_ROOT / "uploads" / "sizes").exists()


def test_sizes_are_kept_while_the_image_stays_and_forgotten_when_it_goes(
    admin_client, make_article
):
    image_code = upload_to_editor(admin_client, size=(700, 500))
    article = make_article(body=body_with(image_code))
    [name] = article.body_renditions
    made = article.body_renditions[name]
    assert "<picture>" in article.body_html

    article.body += "\n\nOne more paragraph."
    article.save()
    article.refresh_from_db()
    assert article.body_renditions == {name: made}  # not resized again for a text edit
    assert "<picture>" in article.body_html

    article.body = "Now without the picture."
    article.save()
    article.refresh_from_db()
    assert article.body_renditions == {}
    assert "<img" not in article.body_html


def test_an_image_missing_from_storage_stays_a_link_and_the_worker_does_not_fail(
    make_article, settings
):
    article = make_article(body=f"![{ALT}]({settings.MEDIA_URL}uploads/gone.jpg)")
    assert article.body_renditions == {}
    assert '<a href="/media/uploads/gone.jpg"' in article.body_html
    assert "<img" not in article.body_html
    assert tasks.make_body_renditions.call(article.pk, ["uploads/gone.jpg"]) == {}


def test_restoring_a_revision_serves_the_sizes_already_made(admin_client, category, settings):
    image_code = upload_to_editor(admin_client, size=(700, 500))
    admin_client.post(
        reverse("admin:articles_article_add"), article_form(category, body=body_with(image_code))
    )
    article = Article.objects.get()
    made = article.body_renditions
    change = reverse("admin:articles_article_change", args=[article.pk])
    longer = article_form(category, body=body_with(image_code) + "\n\nAnd drink water.")
    assert admin_client.post(change, longer).status_code == 302
    files = sorted((settings.MEDIA_ROOT / "uploads" / "sizes").iterdir())

    oldest = Version.objects.get_for_object(article).last()
    restore = reverse("admin:articles_article_restore", args=[article.pk, oldest.pk])
    assert admin_client.post(restore).status_code == 302

    article.refresh_from_db()
    assert "drink water" not in article.body
    assert article.body_renditions == made and "<picture>" in article.body_html
    assert sorted((settings.MEDIA_ROOT / "uploads" / "sizes").iterdir()) == files  # not again


def test_the_sanitiser_keeps_only_sizes_from_our_own_media():
    html = (
        '<picture><source type="image/webp" srcset="/media/uploads/sizes/a-480.webp 480w">'
        '<source type="text/html" srcset="/media/x 1w">'
        '<img src="/media/uploads/a.jpg" srcset="https://tracker.example/a.jpg 480w, '
        '/media/uploads/sizes/a-800.jpg 800w" sizes="100vw" onerror="alert(1)"></picture>'
    )
    cleaned = markdown.sanitise(html)
    assert 'srcset="/media/uploads/sizes/a-480.webp 480w"' in cleaned
    assert "tracker.example" not in cleaned and "onerror" not in cleaned
    assert "text/html" not in cleaned
    assert '<img src="/media/uploads/a.jpg" sizes="100vw">' in cleaned


def test_articles_saved_before_body_images_were_resized_get_their_sizes(
    admin_client, make_article, settings
):
    image_code = upload_to_editor(admin_client, size=(700, 500))
    article = make_article(body=body_with(image_code) + f"\n\n![Gone]({settings.MEDIA_URL}x.jpg)")
    plain = markdown.render(article.body).html  # as it was stored before
    Article.objects.filter(pk=article.pk).update(body_renditions={}, body_html=plain)

    out = io.StringIO()
    call_command("resize_body_images", "--now", stdout=out)
    assert out.getvalue().startswith("Resized 1 of 2 image(s) in 1 article(s);")
    article.refresh_from_db()
    assert len(article.body_renditions) == 1 and "<picture>" in article.body_html

    call_command("resize_body_images", stdout=out)  # the missing picture is tried again
    assert "Queued 1 image(s) in 1 article(s) for the worker." in out.getvalue()
