"""Media storage that never leaves a half-written file behind."""

import logging
import os

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
