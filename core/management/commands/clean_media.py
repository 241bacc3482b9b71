import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import models
from django.utils import timezone

# A media address anywhere in stored text: markdown, rendered HTML, absolute URLs.


def _media_reference():
    """A media address in text: MEDIA_URL (a path, or the bucket's or CDN's address)."""
    return re.compile(re.escape(settings.MEDIA_URL) + r"""([^\s"'<>()\[\]]+)""")


def referenced_media():
    """Every storage name a row of the site's own apps refers to: file fields, renditions,
    text. All their models are read, declared or not: a file kept too long costs a little
    disk, one deleted too soon is an image lost."""
    names = set()
    media_reference = _media_reference()

    def collect(value):
        if isinstance(value, str):
            if len(value) < 500:
                names.add(value)  # a file field's name, or a rendition's
            names.update(unquote(match) for match in media_reference.findall(value))
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    kinds = (models.FileField, models.JSONField, models.TextField, models.CharField)
    own = [config for config in apps.get_app_configs() if _is_ours(config)]
    for model in (model for config in own for model in config.get_models()):
        fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, kinds)]
        if fields:
            for row in model._default_manager.values_list(*fields).iterator():
                for value in row:
                    collect(value)
    return names


def _is_ours(app_config):
    return Path(app_config.path).is_relative_to(settings.BASE_DIR)


def stored_files(folder=""):
    """Every file under MEDIA_ROOT, as storage names."""
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:  # nothing uploaded yet
        return
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in folders:
        yield from stored_files(f"{folder}/{sub}" if folder else sub)


class Command(BaseCommand):
    help = (
        "List media files that no article, FAQ, product or other content refers to any more "
        "(replaced images, their sizes, uploads from abandoned drafts); --delete removes them. "
        "Files younger than --min-age-days are kept: a draft being written may use them soon."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="remove the files listed")
        parser.add_argument("--min-age-days", type=int, default=2)

    def handle(self, *args, delete=False, min_age_days=2, **options):
        if min_age_days < 0:
            raise CommandError("--min-age-days can't be negative")
        referenced = referenced_media()
        cutoff = timezone.now() - timedelta(days=min_age_days)
        orphans = [
            name
            for name in stored_files()
            if name not in referenced and default_storage.get_modified_time(name) < cutoff
        ]
        total = sum(default_storage.size(name) for name in orphans)
        for name in orphans:
            self.stdout.write(name)
            if delete:
                default_storage.delete(name)
        verb = "Removed" if delete else "Found"
        advice = "" if delete or not orphans else " Run again with --delete to remove them."
        self.stdout.write(
            f"{verb} {len(orphans)} unused media file(s), {total / 1024:.0f} KB.{advice}"
        )
