from django.core.management.base import BaseCommand

from community.digest import send_digests
from community.mail import deliver_due


class Command(BaseCommand):
    help = (
        "Email confirmed 'updates' subscribers the articles published since their last digest. "
        "Resumable and idempotent: rerunning after a crash sends nobody the same digest twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=200)
        parser.add_argument(
            "--limit", type=int, default=None, help="Handle at most this many subscribers."
        )
        parser.add_argument(
            "--queue-only",
            action="store_true",
            help="Only queue the digests; leave delivery to send_pending_mail.",
        )

    def handle(self, *args, batch_size, limit, queue_only, **options):
        queued, skipped = send_digests(batch_size=batch_size, limit=limit)
        self.stdout.write(f"Queued {queued} digest(s); {skipped} subscriber(s) had nothing new.")
        if not queue_only:
            sent, failed = deliver_due()
            self.stdout.write(f"Sent {sent} mail(s); {failed} failed and will be retried.")
