import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from articles.blogger import importer
from articles.blogger.parse import ExportError


class Command(BaseCommand):
    help = "Import a Blogger export (Takeout feed.atom or the older 'Back up content' file)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the export file")
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would be imported; write nothing"
        )
        parser.add_argument(
            "--allow-private-hosts",
            action="store_true",
            help="allow fetching images from private and loopback addresses (tests, intranets)",
        )

    def handle(self, *args, file, dry_run, allow_private_hosts, **options):
        bar, current = None, None

        def progress(stage, done, total):
            nonlocal bar, current
            if bar is None or current != stage:
                if bar is not None:
                    bar.close()
                current = stage
                # tqdm draws only on a terminal (disable=None), so logs stay clean.
                unit = "B" if stage == "Reading the export" else ""
                bar = tqdm(
                    total=total,
                    desc=stage,
                    unit=unit,
                    unit_scale=True,
                    file=sys.stderr,
                    disable=None,
                )
            bar.total = total
            bar.update(done - bar.n)  # tqdm redraws at most ten times a second

        try:
            report = importer.run(
                file, dry_run=dry_run, allow_private_hosts=allow_private_hosts, progress=progress
            )
        except FileNotFoundError:
            raise CommandError(f"{file}: no such file") from None
        except (IsADirectoryError, PermissionError) as error:
            raise CommandError(f"{file}: cannot be read ({error.strerror})") from None
        except ExportError as error:
            raise CommandError(f"{file}: refused: {error}") from None
        except importer.ImportBusy as error:
            raise CommandError(f"{file}: {error}") from None
        finally:
            if bar is not None:
                bar.close()
        self.stdout.write(report.text())
