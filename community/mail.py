"""The one way the site sends mail: an outbox row first, delivery after commit.

`enqueue()` writes an `OutboundEmail` row inside the caller's transaction (so the
mail exists exactly when the message, signup or comment does) and, once that
transaction commits, hands it to the task worker (community/tasks.py): no visitor's
request ever talks to the mail server. Failed tries are rescheduled by the worker;
whatever is still due can also be delivered by `manage.py send_pending_mail` (cron)
or `send_digest`, through `deliver_due()`.

Each row is claimed with a conditional UPDATE (pending -> sending, only if it is
still pending), so two runs at once never send the same row. The window left:
if the process dies after the mail server accepted a message but before the row
is marked sent, the row stays "sending"; after COMMUNITY_MAIL_CLAIM_TIMEOUT it is
claimed again and that one mail goes out twice. Nothing is ever lost.
"""

import email.policy
import logging
import re
import uuid
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from community import tokens
from community.models import OutboundEmail
from core.seo import absolute

logger = logging.getLogger("fibrosite.community.mail")

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]+")


def header_safe(text, max_length=150):
    """One line of text for a header: control characters (CR, LF, ...) become spaces."""
    flat = " ".join(_CONTROL.sub(" ", str(text)).split())
    return flat[:max_length]


def staff_recipients():
    if settings.NOTIFY_EMAILS:
        return list(settings.NOTIFY_EMAILS)
    users = get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def subscriber_headers(subscriber):
    """RFC 2369 / RFC 8058 one-click unsubscribe, on every mail to a subscriber."""
    url = absolute(reverse("community:unsubscribe", args=[tokens.unsubscribe_token(subscriber)]))
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


class _OneLinePolicy(email.policy.EmailPolicy):
    """Python's usual header folding, except for headers that carry a URL.

    The email package folds a long header with no spaces in it (a List-Unsubscribe
    URL) into RFC 2047 encoded words (`=?utf-8?q?=3Chttps...`), which mail providers
    don't decode, so their unsubscribe button can't work. Such headers are written as
    they are, on one line (RFC 5322 allows up to 998 characters).
    """

    ONE_LINE = frozenset({"list-unsubscribe", "list-unsubscribe-post"})

    def _verbatim(self, name, value):
        text = str(value)
        line = f"{name}: {text}"
        if name.lower() in self.ONE_LINE and text.isascii() and len(line) <= 998:
            return line + self.linesep
        return None

    def fold(self, name, value):
        return self._verbatim(name, value) or super().fold(name, value)

    def fold_binary(self, name, value):
        line = self._verbatim(name, value)
        return line.encode("ascii") if line else super().fold_binary(name, value)


class _Message(EmailMessage):
    def message(self, *, policy=email.policy.default):
        built = super().message(policy=policy)
        # Only how headers are written changes; bodies were encoded by the given policy.
        built.policy = _OneLinePolicy(
            linesep=policy.linesep,
            utf8=policy.utf8,
            cte_type=policy.cte_type,
            max_line_length=policy.max_line_length,
            raise_on_defect=policy.raise_on_defect,
        )
        return built


def enqueue(
    kind,
    to,
    subject,
    body,
    *,
    reply_to="",
    headers=None,
    person_email="",
    dedupe_key=None,
    deliver_now=True,
):
    """Store a mail in the outbox; the worker sends it once the transaction commits.

    Bulk senders (the digest) pass deliver_now=False and deliver the whole batch over
    one connection afterwards.
    """
    to = [address for address in to if address]
    if not to:
        logger.warning("No recipients for a %s mail; nothing queued.", kind)
        return None
    row = OutboundEmail.objects.create(
        kind=kind,
        to=to,
        reply_to=reply_to,
        subject=header_safe(subject, 200),
        body=body,
        headers=headers or {},
        person_email=person_email.lower(),
        dedupe_key=dedupe_key,
    )
    if deliver_now:
        transaction.on_commit(partial(_hand_to_worker, [row.pk]))
    return row


def _hand_to_worker(ids):
    # Runs after the visitor's data is committed: a failure here must not turn
    # their request into an error page. The row stays due for send_pending_mail.
    from community.tasks import deliver_mail  # tasks imports this module

    try:
        deliver_mail.enqueue(ids)
    except Exception:
        logger.exception("Could not queue mail %s; send_pending_mail will send it.", ids)


def _due(now):
    stale = now - timedelta(seconds=settings.COMMUNITY_MAIL_CLAIM_TIMEOUT)
    return Q(status=OutboundEmail.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=OutboundEmail.Status.SENDING, claimed_at__lt=stale
    )


def _claim(pk, now):
    """Take one row for this run, atomically; None if another run has it or it is not due."""
    token = uuid.uuid4()
    claimed = (
        OutboundEmail.objects.filter(_due(now), pk=pk).update(
            status=OutboundEmail.Status.SENDING,
            claim_token=token,
            claimed_at=now,
            attempts=F("attempts") + 1,
        )
        == 1
    )
    return OutboundEmail.objects.get(pk=pk, claim_token=token) if claimed else None


def backoff(attempts):
    """1, 2, 4, ... minutes (COMMUNITY_MAIL_RETRY_SECONDS) after each failure, at most 6 hours."""
    seconds = settings.COMMUNITY_MAIL_RETRY_SECONDS * 2 ** min(attempts - 1, 20)
    return timedelta(seconds=min(seconds, 6 * 60 * 60))


def _build(row):
    return _Message(
        subject=header_safe(row.subject, 200),
        body=row.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=row.to,
        reply_to=[row.reply_to] if row.reply_to else None,
        headers={name: header_safe(value, 500) for name, value in row.headers.items()},
    )


def _connection(timeout):
    connection = mail.mailers.default
    if timeout and hasattr(connection, "timeout"):
        connection.timeout = min(connection.timeout or timeout, timeout)
    return connection


def deliver_due(ids=None, *, batch_size=100, timeout=None):
    """Send every due row (or the due rows among `ids`); return (sent, failed)."""
    sent = failed = 0
    connection = None
    last_pk = 0
    while True:
        now = timezone.now()
        candidates = OutboundEmail.objects.filter(_due(now), pk__gt=last_pk)
        if ids is not None:
            candidates = candidates.filter(pk__in=ids)
        batch = list(candidates.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not batch:
            break
        last_pk = batch[-1]
        for pk in batch:
            row = _claim(pk, timezone.now())
            if row is None:
                continue
            connection = connection or _connection(timeout)
            try:
                accepted = connection.send_messages([_build(row)])
                if not accepted:
                    raise RuntimeError("the mail backend accepted nothing")
            except Exception as error:
                failed += 1
                _record_failure(row, error)
                connection = _close(connection)
            else:
                sent += 1
                OutboundEmail.objects.filter(pk=row.pk, claim_token=row.claim_token).update(
                    status=OutboundEmail.Status.SENT,
                    sent_at=timezone.now(),
                    claim_token=None,
                    last_error="",
                )
    _close(connection)
    return sent, failed


def _close(connection):
    if connection is not None:
        try:
            connection.close()
        except Exception:
            logger.warning("Closing the mail connection failed.", exc_info=True)
    return None


def _record_failure(row, error):
    gave_up = row.attempts >= settings.COMMUNITY_MAIL_MAX_ATTEMPTS
    logger.warning(
        "Mail %s (%s) failed on attempt %s%s: %s",
        row.pk,
        row.kind,
        row.attempts,
        ", giving up" if gave_up else "",
        error,
    )
    OutboundEmail.objects.filter(pk=row.pk, claim_token=row.claim_token).update(
        status=OutboundEmail.Status.FAILED if gave_up else OutboundEmail.Status.PENDING,
        next_attempt_at=timezone.now() + backoff(row.attempts),
        claim_token=None,
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )
