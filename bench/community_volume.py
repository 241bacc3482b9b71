"""Benchmark volume for the community (used by bench/volume.py): approved comments."""

from django.utils import timezone

from articles.models import Article
from community.models import Comment

LDN = "low-dose-naltrexone-fibromyalgia-fatigue"


def add_volume(count):
    if Comment.objects.filter(email__endswith="@bench.example").exists():
        return
    now = timezone.now()
    articles = list(Article.objects.published().values_list("pk", flat=True)[:100])
    ldn = Article.objects.get(slug=LDN).pk
    Comment.objects.bulk_create(
        Comment(
            # A fifth on the benchmarked article, the rest spread over others.
            article_id=ldn if i % 5 == 0 else articles[i % len(articles)],
            name=f"Reader {i}",
            email=f"reader{i}@bench.example",
            body="Thank you, this helped me explain my fatigue to my family.",
            consent_at=now,
            status=Comment.Status.APPROVED,
        )
        for i in range(count)
    )
