import os
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from community.mail import deliver_due, enqueue, header_safe
from community.models import OutboundEmail
from conftest import free_port

DOWN = {"default": {"BACKEND": "community.tests.backends.DownBackend"}}
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def queue(n=1, **fields):
    return [
        OutboundEmail.objects.create(
            kind="test", to=[f"reader{i}@example.com"], subject=f"Mail {i}", body="Hello", **fields
        )
        for i in range(n)
    ]


def test_header_safe_flattens_every_kind_of_line_break():
    assert header_safe("a\r\nb\nc\rd\x00e\u2028f\x85g\tz") == "a b c d e f g z"
    assert len(header_safe("x" * 500)) == 150


@pytest.mark.django_db
def test_enqueue_sends_only_after_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            enqueue("test", ["a@example.com"], "Hi", "Body")
            assert mail.outbox == []
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_rolled_back_transaction_leaves_no_mail(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                enqueue("test", ["a@example.com"], "Hi", "Body")
                raise RuntimeError("the save failed")
    assert not OutboundEmail.objects.exists() and mail.outbox == []


@pytest.mark.django_db
def test_failures_back_off_and_give_up_after_the_maximum(settings):
    settings.MAILERS = DOWN
    settings.COMMUNITY_MAIL_MAX_ATTEMPTS = 3
    [row] = queue()

    for attempt in (1, 2, 3):
        assert deliver_due() == (0, 1)
        row.refresh_from_db()
        assert row.attempts == attempt
        assert row.next_attempt_at > timezone.now()
        assert deliver_due() == (0, 0)  # not due again until the backoff has passed
        OutboundEmail.objects.update(next_attempt_at=timezone.now())

    assert row.status == OutboundEmail.Status.FAILED
    assert deliver_due() == (0, 0)


@pytest.mark.django_db
def test_backoff_grows(settings):
    settings.MAILERS = DOWN
    [row] = queue()
    delays = []
    for _ in range(3):
        before = timezone.now()
        deliver_due()
        row.refresh_from_db()
        delays.append(row.next_attempt_at - before)
        OutboundEmail.objects.update(next_attempt_at=timezone.now())
    assert delays[0] < delays[1] < delays[2]


@pytest.mark.django_db
def test_a_real_smtp_server_that_is_down_is_a_recorded_failure(settings):
    port = free_port()  # nothing listens here
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }
    [row] = queue()

    assert deliver_due(timeout=1) == (0, 1)

    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.PENDING
    assert "ConnectionRefusedError" in row.last_error


@pytest.mark.django_db
def test_a_row_abandoned_mid_send_is_sent_again_after_the_claim_timeout(settings):
    """The documented window: a crash after the server accepted, before "sent" was stored."""
    [row] = queue(status=OutboundEmail.Status.SENDING, claimed_at=timezone.now())
    assert deliver_due() == (0, 0)  # another run may still be working on it

    OutboundEmail.objects.update(
        claimed_at=timezone.now() - timedelta(seconds=settings.COMMUNITY_MAIL_CLAIM_TIMEOUT + 1)
    )
    assert deliver_due() == (1, 0)
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.SENT


@pytest.mark.django_db
def test_send_pending_mail_sends_everything_due_and_nothing_twice():
    queue(5)
    queue(1, status=OutboundEmail.Status.SENT)
    queue(1, next_attempt_at=timezone.now() + timedelta(hours=1))

    call_command("send_pending_mail", stdout=None)
    call_command("send_pending_mail", stdout=None)

    assert len(mail.outbox) == 5
    assert OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING).count() == 1


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="in-memory SQLite can't take concurrent writers; the process test below covers SQLite",
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_never_send_the_same_mail(settings):
    settings.MAILERS = {"default": {"BACKEND": "community.tests.backends.SlowBackend"}}
    queue(30)
    start = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            start.wait()
            results.append(deliver_due(batch_size=10))
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    recipients = [m.to[0] for m in mail.outbox]
    assert len(recipients) == 30 and len(set(recipients)) == 30
    assert sum(sent for sent, _ in results) == 30
    assert all(sent for sent, _ in results), "both runs should have taken part"
    assert OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count() == 30


def test_two_send_pending_mail_processes_at_once_send_each_mail_once(tmp_path):
    """Two cron runs overlapping, as real processes on a real SQLite file (WAL)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "community.tests.process_settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.db'}",
        "CACHE_URL": "locmemcache://",
        "MAIL_RECORD": str(tmp_path / "sent.txt"),
    }
    manage = [sys.executable, str(django_settings.BASE_DIR / "manage.py")]

    def run(*args):
        return subprocess.run([*manage, *args], env=env, check=True, capture_output=True, text=True)

    run("migrate", "--noinput", "-v0")
    run(
        "shell",
        "-c",
        "from community.models import OutboundEmail as O; O.objects.bulk_create("
        "O(kind='test', to=[f'reader{i}@example.com'], subject='Hi', body='Hello') "
        "for i in range(100))",
    )
    runs = [
        subprocess.Popen(
            [*manage, "send_pending_mail", "--batch-size", "10"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120) for process in runs]

    assert [process.returncode for process in runs] == [0, 0], outputs
    lines = (tmp_path / "sent.txt").read_text().splitlines()
    recipients = [line.split()[1] for line in lines]
    assert len(recipients) == 100 and len(set(recipients)) == 100
    assert len({line.split()[0] for line in lines}) == 2, "both runs should have sent some"
