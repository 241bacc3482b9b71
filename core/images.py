"""Uploaded images: validated from their bytes, cleaned, renamed by the server, resized once.

Used by articles (hero and markdown images), the markdown editor's uploads and the store
(product images). Every stored image goes through `clean_image` or `encode`, which keep
the pixels and drop everything else a camera or phone writes (EXIF with GPS position and
camera model, XMP, comments, text chunks, embedded ICC profiles with their descriptions).

Image fields (hero, sharing, profile and product images) do that in the worker, not in
the editor's save: the request checks the upload from its bytes and keeps it under a
random name in a private staging folder (UPLOAD_STAGING_ROOT, never served); the field
holds `pending/<name>` meanwhile, which pages treat as no image yet. The worker
(`prepare_image`) cleans it into media under a new random name, makes the sizes and
swaps the field in one update. Images dropped into a body are cleaned at once
(`store_clean_image`): their address goes straight into the text.
"""

import io
import logging
import uuid
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models.fields.files import ImageFieldFile
from PIL import Image, ImageCms, ImageOps

logger = logging.getLogger("fibrosite")

# What Pillow finds in the bytes decides the format, never the name or declared type.
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# Phones save multi-picture JPEGs (a photo plus depth maps or previews); the first
# picture is an ordinary JPEG and is all we keep.
ALIASES = {"MPO": "JPEG"}
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # 40 megapixels: far above any camera photo an editor needs

FORMAT_ERROR = "{format} images can't be used: save it as JPEG, PNG or WebP."
UNREADABLE_ERROR = "This file is not an image we can read. Please upload a JPEG, PNG or WebP image."
# iPhones save HEIC, which Pillow can't read without a plugin: say what to do about it.
HEIC_ERROR = "HEIC images (iPhone photos) can't be used: save it as JPEG, PNG or WebP."


def too_big_message(size):
    """The same words the editor's upload script shows before sending (static/js/editor.js)."""
    return (
        f"This image is {size / 1024 / 1024:.1f} MB; images can be up to "
        f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB."
    )


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
        raise ValidationError(too_big_message(size), code="too_big")
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                width, height = image.size
                fmt = ALIASES.get(image.format, image.format)
                if fmt not in FORMATS:
                    raise ValidationError(
                        FORMAT_ERROR.format(format=image.format or "These"), code="format"
                    )
                if width * height > MAX_PIXELS:
                    raise _too_many_pixels(width, height)
                image.verify()
                info = ImageInfo(fmt, FORMATS[fmt], width, height)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            "This image is too large to process safely. Please upload a smaller version.",
            code="too_many_pixels",
        ) from None
    except Exception:  # Pillow raises many types for broken or non-image files
        name = (getattr(file, "name", "") or "").lower()
        if name.endswith((".heic", ".heif")):
            raise ValidationError(HEIC_ERROR, code="format") from None
        raise ValidationError(UNREADABLE_ERROR, code="unreadable") from None
    finally:
        file.seek(0)
    return info


_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
# Kept from what Pillow read: part of the picture itself, not a note about it.
_PICTURE_INFO = ("transparency",)


def _in_srgb(image):
    """The picture converted to sRGB when it carries a colour profile (or is CMYK), so it
    looks the same once the profile, which may hold names and notes, is left out."""
    profile = image.info.get("icc_profile")
    if profile:
        alpha = "A" in image.getbands() or "transparency" in image.info
        mode = "RGBA" if alpha else "RGB"
        source = image if image.mode in ("RGB", "RGBA", "CMYK", "L") else image.convert(mode)
        try:
            return ImageCms.profileToProfile(
                source, ImageCms.ImageCmsProfile(io.BytesIO(profile)), _SRGB, outputMode=mode
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            logger.warning("Unusable colour profile in an uploaded image; colours kept as they are")
    if image.mode == "CMYK":
        return image.convert("RGB")
    return image


def encode(image, fmt, quality=82):
    """The image's pixels in `fmt`, with no metadata at all (no EXIF, XMP, comment,
    text chunk or ICC profile): bytes that are safe to publish."""
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif fmt == "WEBP" and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    picture_info = {key: image.info[key] for key in _PICTURE_INFO if key in image.info}
    image = image.copy()  # Pillow's encoders read some metadata from `info`: start clean
    image.info = picture_info
    # WebP's default effort takes ~4 s on a 12-megapixel photo; a lower one halves that
    # for files of about the same size, so the worker's sizes appear sooner.
    webp = {"quality": quality, "method": 2 if image.width * image.height > 4_000_000 else 4}
    options = {"PNG": {}, "JPEG": {"quality": quality, "optimize": True}}.get(fmt, webp)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def clean_image(file):
    """Check an uploaded image and return (ContentFile of clean bytes, ImageInfo).

    The one way images get into storage (editor uploads, hero and product images, imports):
    turned upright by its EXIF orientation, converted to sRGB, then re-encoded in its own
    format with no metadata. Raises ValidationError with a message for the editor.
    """
    content, info, _ = _clean(file)
    return content, info


def _clean(file):
    """clean_image's work, also returning the clean picture itself (to resize it without
    decoding the file again)."""
    inspect_image(file)
    try:
        with Image.open(file) as opened:
            opened.load()
            fmt = ALIASES.get(opened.format, opened.format)
            picture = _in_srgb(ImageOps.exif_transpose(opened))
            clean = encode(picture, fmt, 90)
    except Exception:  # the header was fine but the pixels are not (truncated file)
        raise ValidationError(UNREADABLE_ERROR, code="unreadable") from None
    finally:
        file.seek(0)
    info = ImageInfo(fmt, FORMATS[fmt], picture.width, picture.height)
    # Named, so Django's ImageField can read the dimensions from it.
    return ContentFile(clean, name=f"{uuid.uuid4().hex}.{info.extension}"), info, picture


def store_clean_image(file, folder, storage=default_storage):
    """Clean an uploaded image and save it under a random name in `folder`; its name."""
    content, _ = clean_image(file)
    return storage.save(f"{folder}/{content.name}", content)


def check_pixels(file):
    """Decode the picture (a JPEG at a quarter of its size: the same bytes are read, in a
    fraction of the time), so a file whose header is fine but whose data is cut short is
    refused while the editor is still there, not later in the worker."""
    file.seek(0)
    try:
        with Image.open(file) as image:
            if image.format in ("JPEG", "MPO"):
                image.draft("RGB", (image.width // 4, image.height // 4))
            image.load()
    except Exception:  # Pillow raises many types for broken data
        raise ValidationError(UNREADABLE_ERROR, code="unreadable") from None
    finally:
        file.seek(0)


PENDING = "pending"  # field value prefix of an upload still waiting in the staging folder


def is_pending(name):
    return bool(name) and str(name).startswith(f"{PENDING}/")


def staging_storage():
    """Private: uploads wait here, as sent, until the worker has cleaned them. Never under
    MEDIA_ROOT and never given an address."""
    from core.storage import MediaStorage

    return MediaStorage(location=settings.UPLOAD_STAGING_ROOT, base_url="/not-served/")


class SafeImageFormField(forms.ImageField):
    """Django's ImageField, preceded by our own checks so every refusal is explained."""

    def to_python(self, data):
        if data in self.empty_values:
            return None
        inspect_image(data)
        check_pixels(data)  # a cut-off file is the form's error, not the save's
        data.pixels_checked = True
        return super().to_python(data)


class SafeImageFieldFile(ImageFieldFile):
    """A save checks the upload and stages it privately under a server-made name that
    follows the real format; the worker publishes a clean copy (`prepare_image`)."""

    def save(self, name, content, save=True):
        info = inspect_image(content)
        if not getattr(content, "pixels_checked", False) and not getattr(
            getattr(content, "file", None), "pixels_checked", False
        ):
            check_pixels(content)
        staged = staging_storage().save(f"{PENDING}/{uuid.uuid4().hex}.{info.extension}", content)
        if not staged.startswith(f"{PENDING}/"):  # the storage chose another folder
            raise ValidationError(UNREADABLE_ERROR, code="unreadable")
        self.name = staged
        # Known from the header (before turning upright); the worker records the final size.
        self._dimensions_cache = (info.width, info.height)
        self._committed = True
        setattr(self.instance, self.field.attname, self)
        if save:
            self.instance.save()

    @property
    def is_public(self):
        """Cleaned and in media: pages may show it (a staged upload is not yet)."""
        return bool(self.name) and not is_pending(self.name)

    @property
    def url(self):
        # AttributeError: widgets and templates then treat it as a file with no address
        # (the admin shows no "Currently:" link to the upload as sent).
        if is_pending(self.name):
            raise AttributeError(f"{self.name} is not cleaned yet and has no address")
        return super().url


class ValidatedImageField(models.ImageField):
    """An ImageField that only stores JPEG, PNG or WebP under a random name."""

    attr_class = SafeImageFieldFile

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": SafeImageFormField, **kwargs})

    def update_dimension_fields(self, instance, force=False, *args, **kwargs):
        # A stored image gone missing from disk keeps its recorded size, so an editor can
        # still save the text around it (Django would re-read the file and fail).
        # A staged upload is not in media either: its size came from its header.
        # Loaded without its size columns (.only()): nothing to check, and reading them
        # would cost a query per row.
        if not force and self.width_field not in instance.__dict__:
            return
        value = instance.__dict__.get(self.attname)
        name = getattr(value, "name", value)
        if is_pending(name) and instance.__dict__.get(self.width_field):
            return
        try:
            super().update_dimension_fields(instance, force, *args, **kwargs)
        except FileNotFoundError:
            logger.warning("Image %s is missing from storage", getattr(instance, self.attname))


def build_renditions(name, widths, storage=default_storage):
    """Resize a stored image once, to each width it exceeds, in WebP and its own format.

    Returns [{"width", "height", "webp", "original"}, ...] (storage names), smallest first,
    always ending with the full-size image so srcset covers every screen. The names share
    a new random stem, so nobody can work out the original's address from them.
    """
    with storage.open(name) as stored, Image.open(stored) as source:
        source.load()
    image = _in_srgb(ImageOps.exif_transpose(source))
    return _renditions(image, ALIASES.get(source.format, source.format), name, widths, storage)


def _renditions(image, original_format, name, widths, storage):
    folder = PurePosixPath(name).parent / "sizes"
    stem = uuid.uuid4().hex
    results = []
    for width in sorted({w for w in widths if w < image.width} | {image.width}):
        height = round(image.height * width / image.width)
        # reducing_gap: shrink by whole factors first, then Lanczos (much faster from a
        # 12-megapixel photo, and indistinguishable at these sizes).
        resized = (
            image
            if width == image.width
            else image.resize((width, height), Image.LANCZOS, reducing_gap=3.0)
        )
        variant = {"width": width, "height": height}
        for key, fmt in (("webp", "WEBP"), ("original", original_format)):
            variant[key] = storage.save(
                str(folder / f"{stem}-{width}.{FORMATS[fmt]}"), ContentFile(encode(resized, fmt))
            )
        results.append(variant)
    return results


def prepare_image(model, pk, image_field, renditions_field, widths, name):
    """The worker's part: clean a staged upload into media, resize it, and point the row
    at the clean file and its sizes in one update, unless the row has another image by
    now. Returns what was stored: {"name", "width", "height", "renditions"} or None."""
    manager = model._default_manager
    field = model._meta.get_field(image_field)
    size = (field.width_field, field.height_field)
    row = manager.filter(pk=pk, **{image_field: name}).values(*size).first()
    if row is None:
        _discard_staged(name)
        return None
    storage = field.storage
    changes, made = {}, []
    final, picture = name, None
    if is_pending(name):
        try:
            with staging_storage().open(name) as staged:
                content, info, picture = _clean(staged)
        except (ValidationError, FileNotFoundError):
            # Checked in the request, so only a file lost or damaged since: no image then.
            logger.exception("Staged image %s could not be cleaned; the image is dropped", name)
            cleared = {image_field: "", field.width_field: None, field.height_field: None}
            manager.filter(pk=pk, **{image_field: name}).update(**cleared)
            _discard_staged(name)
            return None
        final = storage.save(published_name(field, name), content)
        made.append(final)
        changes = {image_field: final, field.width_field: info.width}
        changes[field.height_field] = info.height
    if picture is None:
        renditions = build_renditions(final, widths, storage)
    else:  # resized from the picture just cleaned, without decoding it again
        renditions = _renditions(picture, info.format, final, widths, storage)
    made += [r[key] for r in renditions for key in ("webp", "original")]
    with transaction.atomic():
        updated = manager.filter(pk=pk, **{image_field: name}).update(
            **changes, **{renditions_field: renditions}
        )
    if not updated:  # replaced while we worked: what we made belongs to nobody
        for leftover in made:
            storage.delete(leftover)
        _discard_staged(name)
        return None
    _discard_staged(name)
    stored = {**row, **changes}  # what the row holds now, without reading it again
    return {
        "name": final,
        "width": stored[field.width_field],
        "height": stored[field.height_field],
        "renditions": renditions,
    }


def published_name(field, name):
    """Where the worker puts a staged upload's clean copy: the same random name in the
    field's folder (so a revision that recorded the staged name still finds the image)."""
    if not is_pending(name):
        return name
    return f"{field.upload_to}/{PurePosixPath(name).name}"


def _discard_staged(name):
    if is_pending(name):
        staging_storage().delete(name)


def saved_name(instance, field):
    """The image's name when the row was loaded or last saved (its FieldTracker's)."""
    value = instance.tracker.previous(field)
    return getattr(value, "name", value) or ""


def refresh_renditions(instance, image_field, renditions_field, widths, previous_name):
    """After a save: have a newly stored image cleaned and resized (or clear the list when
    it went).

    That is a task (core/tasks.py) queued in the same transaction, so an editor's save
    never waits for Pillow: the worker does it and pages show no image until then (never
    the upload as sent). Returns the image's current name, for the caller to remember as
    "saved".
    """
    from django.tasks import TaskResultStatus

    from core.tasks import make_renditions  # the task module imports this one

    name = getattr(instance, image_field).name or ""
    if name != previous_name:
        if getattr(instance, renditions_field):
            setattr(instance, renditions_field, [])
            type(instance)._default_manager.filter(pk=instance.pk).update(**{renditions_field: []})
        if name:
            result = make_renditions.enqueue(
                instance._meta.label, instance.pk, image_field, renditions_field,
                list(widths), name,
            )  # fmt: skip
            if result.status == TaskResultStatus.SUCCESSFUL and result.return_value:
                # Run at once (the tests, commands): the instance follows the row.
                done = result.return_value
                field = instance._meta.get_field(image_field)
                setattr(instance, image_field, done["name"])
                setattr(instance, field.width_field, done["width"])
                setattr(instance, field.height_field, done["height"])
                setattr(instance, renditions_field, done["renditions"])
                return done["name"]
    return name


# Image fields kept with sizes, declared by their apps in AppConfig.ready():
# (model, image field, renditions field, widths, width field, height field).
SIZED_IMAGES = []


def sized_image(model, field, *, renditions, widths, width, height):
    """Declare an image field with sizes, so `strip_image_metadata` can rebuild them."""
    SIZED_IMAGES.append((model, field, renditions, tuple(widths), width, height))
