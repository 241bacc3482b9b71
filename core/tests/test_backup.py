"""Backups that restore: a real site in its own processes, backed up, wiped and restored.

Runs on the database the suite runs on (SQLite, or a throwaway PostgreSQL database on
the PostgreSQL leg), with media on local disk.
"""

import hashlib
import os
import subprocess
import time
from pathlib import Path

import pytest

from bench.serve import PY, ROOT

ADD_PEOPLE = """
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from community.models import Subscriber
for n in range(3):
    Subscriber.objects.create(
        email=f"reader{n}@example.org", first_name="Reader", consent_text="yes",
        consented_at=timezone.now(), wants_updates=True,
    )
default_storage.save("uploads/editor-upload.bin", ContentFile(b"an upload " * 1000))
"""


class Site:
    """A FibroSite with its own database and media, driven through manage.py."""

    def __init__(self, tmp_path):
        self.media = tmp_path / "media"
        self.pg_name = None
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith("postgres"):
            self.pg_name = f"fibrosite_backup_{os.getpid()}"
            url = f"postgres://postgres@127.0.0.1:5432/{self.pg_name}"
        else:
            url = f"sqlite:///{tmp_path / 'site.sqlite3'}"
            self.sqlite = tmp_path / "site.sqlite3"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CACHE_"))},
            "DJANGO_SETTINGS_MODULE": "fibrosite.settings",
            "DJANGO_SECRET_KEY": "backup-test-" + "k" * 50,
            "DATABASE_URL": url,
            "CACHE_URL": "locmemcache://",
            "MEDIA_ROOT": str(self.media),
        }

    def manage(self, *command, check=True):
        result = subprocess.run(
            [PY, "manage.py", *command], cwd=ROOT, env=self.env, capture_output=True, text=True
        )
        if check and result.returncode != 0:
            raise AssertionError(f"manage.py {command[0]} failed:\n{result.stderr}")
        return result

    def create(self):
        if self.pg_name:
            self._pg("createdb")
        self.manage("migrate", "-v0")

    def wipe(self):
        """Lose everything: the database and every media file (a new machine)."""
        if self.pg_name:
            self._pg("dropdb")
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.sqlite}{suffix}").unlink(missing_ok=True)
        subprocess.run(["rm", "-rf", str(self.media)], check=True)
        self.create()

    def drop(self):
        if self.pg_name:
            self._pg("dropdb", "--if-exists")

    def _pg(self, tool, *args):
        subprocess.run([tool, "-h", "127.0.0.1", "-U", "postgres", *args, self.pg_name], check=True)

    def rows(self):
        # The content version is moved on by a restore on purpose (cached pages go stale).
        dump = self.manage(
            "dumpdata", "--indent", "1", "--exclude", "core.ContentVersion",
            "--exclude", "contenttypes", "--exclude", "auth.permission",
        ).stdout  # fmt: skip
        return dump

    def files(self):
        return {
            str(path.relative_to(self.media)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(self.media.rglob("*"))
            if path.is_file()
        }


@pytest.fixture
def site(tmp_path):
    site = Site(tmp_path)
    site.create()
    yield site
    site.drop()


def timed(site, *command):
    started = time.perf_counter()
    result = site.manage(*command)
    return time.perf_counter() - started, result


def test_a_backup_restores_every_row_and_file_after_a_wipe_and_refuses_what_it_should(
    site, tmp_path
):
    """One site for the whole journey: each manage.py run costs seconds."""
    site.manage("load_demo")
    site.manage("shell", "-c", ADD_PEOPLE)
    rows, files = site.rows(), site.files()
    assert '"email": "reader2@example.org"' in rows
    assert "uploads/editor-upload.bin" in files
    assert sum(name.endswith(".webp") for name in files) > 10  # demo images, resized

    backup_seconds, made = timed(site, "backup", str(tmp_path / "backup"))
    assert "media files" in made.stdout
    again = site.manage("backup", str(tmp_path / "backup"), check=False)
    assert again.returncode != 0 and "is not empty" in again.stderr

    # A backup is refused whole, in one line, when a file in it is damaged or it isn't one.
    subprocess.run(["cp", "-a", str(tmp_path / "backup"), str(tmp_path / "damaged")], check=True)
    damaged = tmp_path / "damaged" / "media" / "uploads" / "editor-upload.bin"
    damaged.write_bytes(damaged.read_bytes()[:-10])
    for folder, message in [
        (tmp_path / "damaged", "is missing or damaged in the backup; nothing was changed"),
        (tmp_path, "is not a FibroSite backup"),
    ]:
        refused = site.manage("restore", "--force", str(folder), check=False)
        [line] = refused.stderr.strip().splitlines()
        assert refused.returncode != 0 and message in line

    # A site with content is never replaced by accident.
    refused = site.manage("restore", str(tmp_path / "backup"), check=False)
    assert refused.returncode != 0
    assert refused.stderr.strip().splitlines() == [
        "CommandError: Restore refused: this site already has content; add --force to replace it"
    ]
    assert site.files() == files

    site.wipe()
    assert site.files() == {} and "reader2@example.org" not in site.rows()
    restore_seconds, restored = timed(site, "restore", str(tmp_path / "backup"))
    assert "Restored the backup" in restored.stdout
    assert site.rows() == rows
    assert site.files() == files
    # The target is under 10 s each (make bench); manage.py's own start-up is included.
    assert backup_seconds < 10 and restore_seconds < 10, (backup_seconds, restore_seconds)
