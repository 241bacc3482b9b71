from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from PIL import Image

from core.images import SIZED_IMAGES, build_renditions, clean_image
from core.management.commands.clean_media import stored_files

SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
METADATA = {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "photoshop", "mp"}


def carries_metadata(name):
    with default_storage.open(name) as stored, Image.open(stored) as image:
        return bool(
            METADATA & image.info.keys()
            or getattr(image, "text", None)  # PNG text chunks
            or image.getexif()
            or image.format == "MPO"
        )


class Command(BaseCommand):
    help = (
        "Re-encode stored images that still carry metadata (EXIF with GPS and camera, XMP, "
        "comments, colour profiles), from before uploads were cleaned, and give hero and "
        "product images fresh sizes under names that don't reveal the original's address."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only list what would change")

    def handle(self, *args, dry_run=False, **options):
        cleaned = set()
        for name in stored_files():
            if not name.lower().endswith(SUFFIXES):
                continue
            try:
                if not carries_metadata(name):
                    continue
                if not dry_run:
                    self._rewrite(name)
            except (OSError, ValidationError, Image.UnidentifiedImageError) as error:
                self.stderr.write(f"Skipped {name}: {error}")
                continue
            cleaned.add(name)
            self.stdout.write(f"{'Would clean' if dry_run else 'Cleaned'} {name}")
        rebuilt = 0 if dry_run else self._rebuild_sizes(cleaned)  # update() invalidates
        self.stdout.write(
            f"{len(cleaned)} image(s) {'carry' if dry_run else 'cleaned of'} metadata; "
            f"sizes rebuilt for {rebuilt} hero or product image(s)."
        )

    def _rewrite(self, name):
        with default_storage.open(name) as stored:
            content, info = clean_image(stored)
        if PurePosixPath(name).suffix.lower().lstrip(".") not in (info.extension, "jpeg"):
            raise ValidationError(f"its bytes are {info.format}, not what its name says")
        default_storage.delete(name)
        saved = default_storage.save(name, content)
        if saved != name:  # written meanwhile by someone else: keep theirs, drop ours
            default_storage.delete(saved)
            raise OSError("the file changed while it was being cleaned")

    def _rebuild_sizes(self, cleaned):
        rebuilt = 0
        for model, field, renditions_field, widths, width, height in SIZED_IMAGES:
            rows = model._default_manager.exclude(**{field: ""})
            rows = rows.exclude(**{f"{field}__startswith": "pending/"}).values_list(  # worker's
                "pk", field, renditions_field
            )
            for pk, name, renditions in rows.iterator():
                old = [r[key] for r in renditions for key in ("webp", "original")]
                stem = PurePosixPath(name).stem
                if name not in cleaned and not any(stem in size for size in old):
                    continue
                try:
                    fresh = build_renditions(name, widths)
                except (OSError, Image.UnidentifiedImageError) as error:
                    self.stderr.write(f"Skipped sizes of {name}: {error}")
                    continue
                model._default_manager.filter(pk=pk).update(
                    **{renditions_field: fresh, width: fresh[-1]["width"],
                       height: fresh[-1]["height"]}
                )  # fmt: skip
                for size in old:
                    default_storage.delete(size)
                rebuilt += 1
        return rebuilt
