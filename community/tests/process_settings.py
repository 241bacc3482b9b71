"""Child processes of the concurrency test: a real SQLite file, a recording mailer."""

from fibrosite.test_settings import *  # noqa: F403

MAILERS = {"default": {"BACKEND": "community.tests.backends.RecordingBackend"}}
