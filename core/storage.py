"""Media storage that never leaves a half-written file behind."""

import logging
import os
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.files.storage import FileSystemStorage

logger = logging.getLogger("fibrosite")


class MediaStorage(FileSystemStorage):
    """FileSystemStorage that removes its partial file when a write fails (disk full,
    quota, I/O error) and lets the error through for the caller to explain."""

    def _save(self, name, content):
        try:
            return super()._save(name, content)
        except FileExistsError:
            raise
        except OSError:
            # Names are server-made and new (O_EXCL): anything at the path is our own
            # unfinished write.
            path = self.path(name)
            if os.path.isfile(path):
                os.remove(path)
            logger.exception("Could not store %s", name)
            raise


def media_name(url):
    """The storage name behind an address of our own media, or None for anything else.

    Our media is MEDIA_URL: `/media/…` on this site (also as an absolute SITE_URL
    address), or the bucket's or CDN's address when MEDIA_STORAGE_URL is set.
    """
    parts = urlsplit(url)
    media = urlsplit(settings.MEDIA_URL)
    if parts.scheme or parts.netloc:
        home = media if media.netloc else urlsplit(settings.SITE_URL)
        if (parts.scheme, parts.netloc) != (home.scheme, home.netloc):
            return None
    path = unquote(parts.path)
    if not path.startswith(media.path) or ".." in path:
        return None
    return path.removeprefix(media.path) or None
