"""Uploaded export files wait here, outside media (drafts and commenters are private)."""

import uuid
from pathlib import Path

from django.conf import settings


def _root():
    root = Path(settings.BLOGGER_IMPORT_ROOT)
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    return root


def save(upload):
    name = f"{uuid.uuid4().hex}.xml"
    with open(_root() / name, "wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    return name


def path(name):
    return _root() / Path(name).name


def delete(name):
    path(name).unlink(missing_ok=True)
