"""Add benchmark volume on top of the demo content: 1,000 articles (FAQs, tags, references;
`BENCH_ARTICLES=10000` for more), 500 products and 5,000 approved comments. Bulk inserts:
rendering is not what is measured; the search index is rebuilt once at the end.

Run with the site's settings: `python bench/volume.py` (DJANGO_SETTINGS_MODULE and the
environment as for the served site).
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fibrosite.settings")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles import search  # noqa: E402
from articles.models import FAQ, Article, Category, Reference, Tag  # noqa: E402
from core.markdown import render  # noqa: E402
from core.pagecache import content_changed  # noqa: E402

ARTICLES = int(os.environ.get("BENCH_ARTICLES", "1000"))
PRODUCTS, COMMENTS = 500, 5000

BODY = "\n\n".join(
    f"## Part {n}\n\nPacing, sleep and gentle movement help many readers with fatigue. "
    "Keep a diary, rest before you crash and talk to your doctor about treatments. " * 6
    for n in range(1, 6)
)


def add_articles():
    if Article.objects.filter(slug__startswith="volume-").exists():
        return
    rendered = render(BODY)
    categories = list(Category.objects.all())
    tags = [
        Tag.objects.get_or_create(slug=f"volume-{i}", defaults={"name": f"Topic {i}"})[0]
        for i in range(20)
    ]
    now = timezone.now()
    articles = Article.objects.bulk_create(
        Article(
            title=f"Volume article {i}: notes on fatigue and sleep",
            slug=f"volume-{i}",
            summary="A generated article for the benchmark.\nIt reads like the others.",
            body=BODY,
            body_html=rendered.html,
            toc=rendered.toc,
            reading_minutes=rendered.reading_minutes,
            category=categories[i % len(categories)],
            status=Article.Status.PUBLISHED,
            publish_at=now - timedelta(days=30, minutes=i),
        )
        for i in range(ARTICLES)
    )
    through = Article.tags.through
    through.objects.bulk_create(
        through(article_id=a.pk, tag_id=tags[(i + k) % len(tags)].pk)
        for i, a in enumerate(articles)
        for k in range(3)
    )
    FAQ.objects.bulk_create(
        FAQ(article=a, question=f"Question {k} about article {i}?", answer="An answer.",
            answer_html="<p>An answer.</p>", order=k)
        for i, a in enumerate(articles)
        for k in range(3)
    )  # fmt: skip
    Reference.objects.bulk_create(
        Reference(article=a, citation=f"Author {k}. A study. Journal. 2020.", order=k)
        for a in articles
        for k in range(2)
    )


def add_products():
    if not apps.is_installed("store"):
        return
    from bench.store_volume import add_volume

    add_volume(PRODUCTS)


def add_comments():
    if not apps.is_installed("community"):
        return
    from bench.community_volume import add_volume

    add_volume(COMMENTS)


if __name__ == "__main__":
    with transaction.atomic():
        add_articles()
        for step in (add_products, add_comments):
            try:
                step()
            except ImportError as error:
                print(f"skipped {step.__name__}: {error}")
        search.rebuild()  # bulk_create sends no signals
        content_changed()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # the statistics autovacuum keeps on a live site
    print(f"articles={Article.objects.count()}")
