import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageCms

from articles.models import FAQ, Article, Person, Reference, Tag


def image_bytes(fmt="PNG", size=(64, 48), color=(120, 90, 200)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def upload(name="picture.png", fmt="PNG", size=(64, 48), content_type="image/png"):
    return SimpleUploadedFile(name, image_bytes(fmt, size), content_type=content_type)


# A phone's photo, with everything a phone writes into one.
CAMERA = "FibroCam X100"
OWNER = "Jane Reader"
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
    b'xmp:CreatorTool="SecretPhoneApp"/></rdf:RDF></x:xmpmeta>'
)
RED = (200, 30, 40)


def _exif(orientation=1):
    exif = Image.Exif()
    exif[0x010F] = "FibroCam Inc"  # Make
    exif[0x0110] = CAMERA  # Model
    exif[0x013B] = OWNER  # Artist
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 30.0, 12.5)  # where the photo was taken
    gps[3], gps[4] = "W", (0.0, 7.0, 39.0)
    return exif


def srgb_profile():
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def photo(fmt="JPEG", size=(60, 40), orientation=1):
    """A small picture as a phone would send it: GPS, camera, owner, XMP, comment, profile."""
    image = Image.new("RGB", size, RED)
    image.paste((20, 40, 220), (0, 0, size[0] // 3, size[1]))  # blue on the left
    buffer = io.BytesIO()
    extra = {"exif": _exif(orientation).tobytes(), "icc_profile": srgb_profile()}
    if fmt == "JPEG":
        extra |= {"xmp": XMP, "comment": b"Taken at 12 Home Street"}
    elif fmt == "WEBP":
        extra |= {"xmp": XMP, "lossless": True}
    elif fmt == "PNG":
        from PIL.PngImagePlugin import PngInfo

        text = PngInfo()
        text.add_text("Author", OWNER)
        text.add_itxt("XML:com.adobe.xmp", XMP.decode())
        extra["pnginfo"] = text
    elif fmt == "MPO":
        second = Image.new("RGB", size, (0, 0, 0))
        extra |= {"save_all": True, "append_images": [second]}
    image.save(buffer, fmt, **extra)
    return buffer.getvalue()


@pytest.fixture
def article(make_article):
    """A published article with two FAQs, two references and a tag."""
    tag = Tag.objects.create(name="Pacing", slug="pacing")
    article = make_article(
        title="Low-dose naltrexone and fatigue",
        slug="ldn-fatigue",
        summary="LDN is a small dose of naltrexone.\nAsk your doctor first.",
        body="## What it is\n\nText.\n\n## Studies\n\nMore.\n\n## Safety\n\nNot with opioids.",
        tags=[tag],
        reviewed_by=Person.objects.create(
            name="Dr Ana Ruiz", slug="ana-ruiz", credentials="MD", role="Rheumatologist"
        ),
        last_reviewed=timezone.now().date(),
    )
    FAQ.objects.create(article=article, question="Is it safe?", answer="Usually **mild**.")
    FAQ.objects.create(article=article, question="How long?", answer="A few weeks.", order=1)
    Reference.objects.create(article=article, citation="Younger J. 2013.", doi="10.1002/art.37734")
    Reference.objects.create(article=article, citation="Another study.", pmid="123", order=1)
    return article


def bulk_articles(category, count, tag=None, faqs_each=0):
    """Many published articles quickly (bulk_create skips rendering, which is not under test)."""
    now = timezone.now()
    start = Article.objects.count()
    articles = Article.objects.bulk_create(
        Article(
            title=f"Bulk {start + i}",
            slug=f"bulk-{start + i}",
            summary="A point",
            body="Body",
            body_html="<p>Body</p>",
            category=category,
            status=Article.Status.PUBLISHED,
            publish_at=now - timedelta(hours=i + 1),
        )
        for i in range(count)
    )
    if tag:
        Article.tags.through.objects.bulk_create(
            Article.tags.through(article_id=a.pk, tag_id=tag.pk) for a in articles
        )
    return articles
