from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore the site from a backup folder made by `manage.py backup`: its database and "
        "media replace this site's. Refuses a site that has content unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR")
        parser.add_argument(
            "--force", action="store_true", help="Replace a site that already has content."
        )

    def handle(self, *args, directory, force, **options):
        try:
            manifest = restore(directory, force=force)
        except (BackupError, OSError) as error:
            raise CommandError(f"Restore refused: {error}") from None
        media = sum(name.startswith("media/") for name in manifest["files"])
        self.stdout.write(
            f"Restored the backup of {manifest['created']}: "
            f"{sum(manifest['counts'].values())} rows and {media} media files."
        )
