import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from articles.models import FAQ, Article, Category, Person, Reference, Tag


def image_bytes(fmt="PNG", size=(64, 48), color=(120, 90, 200)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def upload(name="picture.png", fmt="PNG", size=(64, 48), content_type="image/png"):
    return SimpleUploadedFile(name, image_bytes(fmt, size), content_type=content_type)


@pytest.fixture
def category(db):
    return Category.objects.create(name="Fatigue", slug="fatigue", order=1)


@pytest.fixture
def make_article(category):
    counter = iter(range(1, 100_000))

    def make(**fields):
        n = next(counter)
        tags = fields.pop("tags", [])
        defaults = {
            "title": f"Article {n}",
            "slug": f"article-{n}",
            "summary": "First point\nSecond point",
            "body": "## One\n\nText about pacing and energy.",
            "category": category,
            "status": Article.Status.PUBLISHED,
            "publish_at": timezone.now() - timedelta(days=n),
        }
        article = Article.objects.create(**{**defaults, **fields})
        article.tags.set(tags)
        return article

    return make


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
