"""Background work for the community app, run by the task worker (`manage.py db_worker`).

The outbox row (community.models.OutboundEmail) stays the record of every mail: a
task only says "deliver these rows now". If the worker is down the rows wait, and
`manage.py send_pending_mail` (or the worker, once back) sends them.
"""

import logging

from django.conf import settings
from django.db.models import Min
from django.tasks import task

from community.mail import deliver_due
from community.models import OutboundEmail

logger = logging.getLogger("fibrosite.community.mail")


@task
def deliver_mail(ids=None):
    """Send the due outbox rows among `ids` (all due rows when None); retry failures later."""
    sent, failed = deliver_due(ids=ids, timeout=settings.COMMUNITY_MAIL_TIMEOUT)
    if failed:
        schedule_retry(ids)
    return {"sent": sent, "failed": failed}


def schedule_retry(ids):
    """Run deliver_mail again when the earliest failed row among `ids` is due."""
    rows = OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    when = rows.aggregate(when=Min("next_attempt_at"))["when"]
    if when is not None:
        deliver_mail.using(run_after=when).enqueue(ids)


@task
def send_signup_mail(subscriber_id):
    from community.services import subscriber_signup_mail  # services enqueues this task

    subscriber_signup_mail(subscriber_id)
