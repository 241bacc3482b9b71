from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the whole site into DIR (a new or empty folder): the database, by its own "
        "engine's tools, and every media file, with a manifest of row counts and checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR")

    def handle(self, *args, directory, **options):
        try:
            manifest = backup(directory)
        except (BackupError, OSError) as error:
            raise CommandError(f"Backup refused: {error}") from None
        media = sum(name.startswith("media/") for name in manifest["files"])
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            f"Backed up {rows} rows ({manifest['engine']}) and {media} media files to {directory}."
        )
