from django.core.management.base import BaseCommand

from community.mail import deliver_due


class Command(BaseCommand):
    help = (
        "Send every mail in the outbox that is due (new, or waiting to be retried) and exit. "
        "Safe to run from cron and to run twice at once: each mail is claimed by one run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=100)

    def handle(self, *args, batch_size, **options):
        sent, failed = deliver_due(batch_size=batch_size)
        message = f"Sent {sent} mail(s)."
        if failed:
            message += (
                f" {failed} failed and will be retried later (see the admin's outgoing emails)."
            )
        self.stdout.write(message)
