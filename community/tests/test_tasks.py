"""What a visitor's request does itself, and what it leaves to the worker."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community import tasks
from community.models import OutboundEmail, Subscriber

pytestmark = pytest.mark.django_db


def signup(send, email):
    data = {"email": email, "first_name": "Ana", "wants_updates": "on", "consent": "on"}
    with CaptureQueriesContext(connection) as queries:
        response = send("/community/", data)
    return response, [q["sql"].split()[0] for q in queries.captured_queries]


def test_the_signup_request_does_the_same_work_for_a_new_or_a_recently_mailed_address(
    send, task_queue
):
    new_response, new_queries = signup(send, "new@example.org")
    Subscriber.objects.create(
        email="mailed@example.org",
        consent_text="x",
        consented_at=timezone.now(),
        last_mailed_at=timezone.now(),
    )
    old_response, old_queries = signup(send, "mailed@example.org")

    assert new_response["Location"] == old_response["Location"] == "/community/thanks/"
    # No mail decided or written inside the request: only a task for the worker.
    assert not OutboundEmail.objects.exists()
    assert [r.task.name for r in task_queue] == ["send_signup_mail", "send_signup_mail"]
    assert new_queries.count("INSERT") == old_queries.count("INSERT") + 1  # the new row only
    assert "SELECT" in old_queries and mail.outbox == []


def test_the_worker_mails_a_signup_at_most_once_an_hour(django_capture_on_commit_callbacks):
    subscriber = Subscriber.objects.create(
        email="ana@example.org", consent_text="x", consented_at=timezone.now()
    )

    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_signup_mail.call(subscriber.pk)
        tasks.send_signup_mail.call(subscriber.pk)
    assert [m.subject for m in mail.outbox] == ["Please confirm your FibroSite signup"]

    Subscriber.objects.update(last_mailed_at=timezone.now() - timedelta(hours=1, seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_signup_mail.call(subscriber.pk)
    assert len(mail.outbox) == 2


def test_a_failed_delivery_is_retried_by_the_worker_when_it_is_due(settings, task_queue):
    settings.MAILERS = {"default": {"BACKEND": "community.tests.backends.DownBackend"}}
    row = OutboundEmail.objects.create(kind="contact", to=["e@example.org"], subject="s", body="b")

    assert tasks.deliver_mail.call([row.pk]) == {"sent": 0, "failed": 1}

    row.refresh_from_db()
    [retry] = task_queue
    assert retry.task.name == "deliver_mail" and retry.args == [[row.pk]]
    assert retry.task.run_after == row.next_attempt_at > timezone.now()
