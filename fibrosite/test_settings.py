"""Settings for the test suite: the real settings with a fixed key and fast hashing.

DATABASE_URL and CACHE_URL are honoured, so the PostgreSQL + Redis leg of CI
really uses them.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key-" + "x" * 50)
os.environ.setdefault("EMAIL_URL", "memorymail://")

from fibrosite.settings import *  # noqa: E402, F403

if not os.environ.get("CACHE_URL"):
    # Unset: memory, as for local development (served runs default to the database cache).
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"},
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "p"},
    }

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Serve static files from the finders; tests never run collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Route /media/ through Django so tests can fetch uploaded images.
SERVE_MEDIA = True
# Tasks run in the test's own process as they are enqueued; the real queue and worker
# process are tested on their own (community/tests/test_worker.py).
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
