from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article
from community import digest as digest_module
from community.models import OutboundEmail, Subscriber

pytestmark = pytest.mark.django_db

DOWN = {"default": {"BACKEND": "community.tests.backends.DownBackend"}}
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def subscriber(email, *, status=Subscriber.Status.CONFIRMED, wants_updates=True, days=10):
    return Subscriber.objects.create(
        email=email,
        status=status,
        wants_updates=wants_updates,
        consent_text="x",
        consented_at=timezone.now() - timedelta(days=days),
        confirmed_at=timezone.now() - timedelta(days=days),
    )


def publish(article, title, days_ago):
    return Article.objects.create(
        title=title,
        slug=title.lower().replace(" ", "-"),
        summary="Point one.",
        body="Text",
        category=article.category,
        status=Article.Status.PUBLISHED,
        publish_at=timezone.now() - timedelta(days=days_ago),
    )


def digest(*args):
    call_command("send_digest", *args, stdout=StringIO())


def digests_to(email):
    return [m for m in mail.outbox if m.to == [email] and "FibroSite" in m.subject]


@pytest.fixture
def news(article):
    Article.objects.filter(pk=article.pk).update(publish_at=timezone.now() - timedelta(days=30))
    return [publish(article, "Sleep tips", 2), publish(article, "Brain fog diary", 1)]


def test_confirmed_update_subscribers_get_the_new_articles_once(news):
    subscriber("reader@example.com")
    subscriber("waiting@example.com", status=Subscriber.Status.PENDING)
    subscriber("gone@example.com", status=Subscriber.Status.UNSUBSCRIBED)
    subscriber("store-only@example.com", wants_updates=False)

    digest()
    digest()

    assert [m.to for m in mail.outbox] == [["reader@example.com"]]
    [sent] = mail.outbox
    assert "Sleep tips" in sent.body and "Brain fog diary" in sent.body
    assert "Pacing your energy" not in sent.body  # published before they joined
    assert "http://127.0.0.1:8000/articles/sleep-tips/" in sent.body
    assert sent.message()["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_next_digest_has_only_what_is_new_since(news, article):
    subscriber("reader@example.com")
    digest()
    publish(article, "Gentle stretching", 0)

    digest()

    first, second = mail.outbox
    assert "Gentle stretching" in second.body and "Sleep tips" not in second.body


def test_an_interrupted_run_and_a_rerun_send_everyone_one_digest(news):
    readers = [subscriber(f"reader{i}@example.com").email for i in range(5)]

    digest("--limit", "2", "--batch-size", "1")  # stopped after two subscribers
    assert len(mail.outbox) == 2
    digest("--batch-size", "2")
    digest()

    assert sorted(m.to[0] for m in mail.outbox) == sorted(readers)


def test_digests_queued_while_mail_is_down_go_out_once_later(news, settings):
    subscriber("reader@example.com")
    settings.MAILERS = DOWN
    digest()
    assert OutboundEmail.objects.get(kind="digest").status == OutboundEmail.Status.PENDING

    settings.MAILERS = LOCMEM
    digest()  # nothing new to queue; the pending one is still waiting for its backoff
    OutboundEmail.objects.update(next_attempt_at=timezone.now())
    call_command("send_pending_mail", stdout=StringIO())
    digest()
    call_command("send_pending_mail", stdout=StringIO())

    assert len(digests_to("reader@example.com")) == 1
    assert OutboundEmail.objects.filter(kind="digest").count() == 1


def test_no_news_means_no_mail(article):
    subscriber("reader@example.com", days=0)
    digest()
    assert mail.outbox == []
    assert Subscriber.objects.get().digest_sent_until is not None


def test_queue_only_sends_nothing_until_the_sender_runs(news):
    subscriber("ana@example.com")
    call_command("send_digest", "--queue-only", stdout=StringIO())
    assert mail.outbox == []
    assert (
        OutboundEmail.objects.filter(kind="digest", status=OutboundEmail.Status.PENDING).count()
        == 1
    )
    call_command("send_pending_mail", stdout=StringIO())
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]


def test_a_draft_published_after_a_digest_is_in_the_next_one(article):
    subscriber("ana@example.com")
    draft = publish(article, "Slow mornings", days_ago=3)
    Article.objects.filter(pk=draft.pk).update(status=Article.Status.DRAFT)
    call_command("send_digest", stdout=StringIO())
    assert not any("Slow mornings" in m.body for m in mail.outbox)

    draft.refresh_from_db()
    draft.status = Article.Status.PUBLISHED
    draft.save()
    call_command("send_digest", stdout=StringIO())
    assert sum("Slow mornings" in m.body for m in mail.outbox) == 1


def test_a_run_that_crashes_midway_and_a_rerun_send_everyone_exactly_one_digest(news, monkeypatch):
    """The process dies while handling the third subscriber (after queueing earlier ones)."""
    readers = [subscriber(f"reader{i}@example.com").email for i in range(5)]
    real_queue = digest_module._queue_digest
    calls = {"n": 0}

    def crash_on_third(*args, **kwargs):
        calls["n"] += 1
        real_queue(*args, **kwargs)  # the mail row is written first ...
        if calls["n"] == 3:
            raise SystemExit("power cut")  # ... then the process dies inside the transaction

    monkeypatch.setattr(digest_module, "_queue_digest", crash_on_third)
    with pytest.raises(SystemExit):
        digest()
    monkeypatch.setattr(digest_module, "_queue_digest", real_queue)
    digest()
    call_command("send_pending_mail", stdout=StringIO())

    for reader in readers:
        assert len(digests_to(reader)) == 1
    assert OutboundEmail.objects.filter(kind="digest").count() == len(readers)
