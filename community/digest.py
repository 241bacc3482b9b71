"""The "chronic illness updates" digest: new articles for confirmed subscribers.

Each subscriber is handled in its own transaction that both queues the mail in
the outbox and moves `digest_sent_until` to the run's cutoff. A run that dies
half way leaves every subscriber either fully done (mail queued, marker moved)
or untouched, so the next run carries on and nobody gets the same articles
twice. The outbox row's dedupe key (subscriber + cutoff) is a second guard.
"""

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from articles.selectors import published_articles
from community.models import Subscriber
from community.services import mail_subscriber
from core.seo import absolute

MAX_ARTICLES = 10


def due_subscribers(cutoff):
    return (
        Subscriber.objects.confirmed()
        .filter(wants_updates=True)
        .filter(Q(digest_sent_until__isnull=True) | Q(digest_sent_until__lt=cutoff))
    )


def send_digests(*, cutoff=None, batch_size=200, limit=None):
    """Queue one digest per due subscriber; return (queued, skipped_without_news)."""
    cutoff = cutoff or timezone.now()
    articles_since = {}
    queued = skipped = handled = 0
    last_pk = 0
    while limit is None or handled < limit:
        size = batch_size if limit is None else min(batch_size, limit - handled)
        batch = list(
            due_subscribers(cutoff)
            .filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        if not batch:
            break
        last_pk = batch[-1]
        for pk in batch:
            handled += 1
            with transaction.atomic():
                subscriber = (
                    due_subscribers(cutoff).select_for_update().filter(pk=pk).first()
                )  # None if a concurrent run got here first
                if subscriber is None:
                    continue
                since = subscriber.digest_sent_until or subscriber.confirmed_at or cutoff
                if since not in articles_since:
                    articles_since[since] = list(
                        published_articles()
                        .filter(publish_at__gt=since, publish_at__lte=cutoff)
                        .only("title", "slug", "summary", "publish_at")
                        .order_by("-publish_at")[: MAX_ARTICLES + 1]
                    )
                articles = articles_since[since]
                if articles:
                    _queue_digest(subscriber, articles, cutoff)
                    queued += 1
                else:
                    skipped += 1
                subscriber.digest_sent_until = cutoff
                subscriber.save(update_fields=["digest_sent_until"])
    return queued, skipped


def _queue_digest(subscriber, articles, cutoff):
    count = len(articles)
    shown = articles[:MAX_ARTICLES]
    items = [(a.title, a.description, absolute(a.get_absolute_url())) for a in shown]
    subject = (
        f"New on FibroSite: {shown[0].title}"
        if count == 1
        else f"{count if count <= MAX_ARTICLES else 'New'} new articles on FibroSite"
    )
    mail_subscriber(
        subscriber,
        "digest",
        subject,
        items=items,
        more=count > MAX_ARTICLES,
        articles_url=absolute(reverse("articles:list")),
        dedupe_key=f"digest:{subscriber.pk}:{cutoff.isoformat()}",
        deliver_now=False,  # the command delivers the batch over one connection
    )
