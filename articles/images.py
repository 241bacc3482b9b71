"""Uploaded images: validated from their bytes, renamed by the server, resized once.

Used by articles (hero and markdown images) and by the store (product images).
"""

import io
import logging
import uuid
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.db.models.fields.files import ImageFieldFile
from PIL import Image, ImageOps

logger = logging.getLogger("fibrosite")

# What Pillow finds in the bytes decides the format, never the name or declared type.
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # 40 megapixels: far above any camera photo an editor needs

FORMAT_ERROR = "Please upload a JPEG, PNG or WebP image."
UNREADABLE_ERROR = "This file is not an image we can read. Please upload a JPEG, PNG or WebP image."


@dataclass(frozen=True)
class ImageInfo:
    format: str
    extension: str
    width: int
    height: int


def _too_many_pixels(width, height):
    return ValidationError(
        f"This image is too large to process safely ({width} x {height} pixels). "
        f"Please resize it to under {MAX_PIXELS // 1_000_000} megapixels and upload it again.",
        code="too_many_pixels",
    )


def inspect_image(file):
    """Check an uploaded file really is a JPEG, PNG or WebP of sane size; return its facts."""
    size = getattr(file, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            f"This image is {size / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB. Please upload a smaller version.",
            code="too_big",
        )
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                width, height = image.size
                if image.format not in FORMATS:
                    raise ValidationError(FORMAT_ERROR, code="format")
                if width * height > MAX_PIXELS:
                    raise _too_many_pixels(width, height)
                image.verify()
                info = ImageInfo(image.format, FORMATS[image.format], width, height)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            "This image is too large to process safely. Please upload a smaller version.",
            code="too_many_pixels",
        ) from None
    except Exception:  # Pillow raises many types for broken or non-image files
        raise ValidationError(UNREADABLE_ERROR, code="unreadable") from None
    finally:
        file.seek(0)
    return info


class SafeImageFormField(forms.ImageField):
    """Django's ImageField, preceded by our own checks so every refusal is explained."""

    def to_python(self, data):
        if data in self.empty_values:
            return None
        inspect_image(data)
        return super().to_python(data)


class SafeImageFieldFile(ImageFieldFile):
    """Every save gets a server-made name whose extension follows the real format."""

    def save(self, name, content, save=True):
        extension = inspect_image(content).extension
        super().save(f"{uuid.uuid4().hex}.{extension}", content, save)


class ValidatedImageField(models.ImageField):
    """An ImageField that only stores JPEG, PNG or WebP under a random name."""

    attr_class = SafeImageFieldFile

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": SafeImageFormField, **kwargs})

    def update_dimension_fields(self, instance, force=False, *args, **kwargs):
        # A stored image gone missing from disk keeps its recorded size, so an editor can
        # still save the text around it (Django would re-read the file and fail).
        try:
            super().update_dimension_fields(instance, force, *args, **kwargs)
        except FileNotFoundError:
            logger.warning("Image %s is missing from storage", getattr(instance, self.attname))


def build_renditions(name, widths, storage=default_storage):
    """Resize a stored image once, to each width it exceeds, in WebP and its own format.

    Returns [{"width", "height", "webp", "original"}, ...] (storage names), smallest first,
    always ending with the full-size image so srcset covers every screen.
    """
    with storage.open(name) as stored, Image.open(stored) as source:
        source.load()
    image = ImageOps.exif_transpose(source)
    original_format = source.format
    path = PurePosixPath(name)
    folder = path.parent / "sizes"
    results = []
    for width in sorted({w for w in widths if w < image.width} | {image.width}):
        height = round(image.height * width / image.width)
        resized = image if width == image.width else image.resize((width, height), Image.LANCZOS)
        variant = {"width": width, "height": height}
        for key, fmt in (("webp", "WEBP"), ("original", original_format)):
            buffer = io.BytesIO()
            frame = resized.convert("RGB") if fmt == "JPEG" and resized.mode != "RGB" else resized
            frame.save(buffer, fmt, quality=82, optimize=True)
            extension = FORMATS[fmt]
            variant[key] = storage.save(
                str(folder / f"{path.stem}-{width}.{extension}"), ContentFile(buffer.getvalue())
            )
        results.append(variant)
    return results


def refresh_renditions(instance, image_field, renditions_field, widths, previous_name):
    """After a save: resize a newly stored image once (or clear the list when it went).

    Returns the image's current name, for the caller to remember as "saved".
    """
    name = getattr(instance, image_field).name or ""
    if name != previous_name:
        renditions = build_renditions(name, widths) if name else []
        setattr(instance, renditions_field, renditions)
        type(instance)._default_manager.filter(pk=instance.pk).update(
            **{renditions_field: renditions}
        )
    return name
