"""A whole-site backup: the database (by its own engine's tools) and every media file.

A backup is a folder:
    manifest.json     what was saved: engine, row counts per model, a SHA-256 per file
    database.sqlite3  SQLite's online backup API: a consistent copy while the site runs
    database.pgdump   or pg_dump's custom format: one consistent snapshot
    media/...         every file in the media storage (local disk or a bucket)

The database is copied first, then the media. Stored files are never changed in place
(new uploads get new names), so every file the saved rows refer to is in the copy;
at worst it also holds a file uploaded a moment after the snapshot.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection, connections
from django.utils import timezone

from core.models import ContentVersion
from core.pagecache import content_changed, current_version

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"


class BackupError(Exception):
    """A backup or restore that can't go ahead; the message is one line for the operator."""


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def row_counts():
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def media_names(storage=default_storage, folder=""):
    """Every file name in the storage, recursively (works for disk and buckets)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [str(PurePosixPath(folder, name)) for name in files]
    for sub in folders:
        names += media_names(storage, str(PurePosixPath(folder, sub)))
    return sorted(names)


def _engine():
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def _pg_env():
    settings = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    args = ["-h", settings.get("HOST") or "127.0.0.1", "-p", str(settings.get("PORT") or 5432)]
    if settings.get("USER"):
        args += ["-U", settings["USER"]]
    return env, args, settings["NAME"]


def _run(command, env=None):
    result = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{command[0]} failed: {last}")


def backup(target):
    """Write a backup into `target` (a new or empty folder); return the manifest."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty; choose a new folder for each backup")
    engine = _engine()
    target.mkdir(parents=True, exist_ok=True)
    counts = row_counts()
    if engine == "sqlite":
        database = target / SQLITE_FILE
        source = connection.settings_dict["NAME"]
        if str(source) == ":memory:" or "mode=memory" in str(source):
            raise BackupError("an in-memory SQLite database can't be backed up")
        with sqlite3.connect(source) as live, sqlite3.connect(database) as copy:
            live.backup(copy)
        copy.close()
        live.close()
    else:
        env, args, name = _pg_env()
        database = target / PG_FILE
        _run(["pg_dump", *args, "--format=custom", "--no-owner", "--no-acl",
              "--file", str(database), name], env)  # fmt: skip
    files = {database.name: _sha256(database), **save_media(target)}
    manifest = {
        "format": FORMAT,
        "created": timezone.now().isoformat(),
        "engine": engine,
        "counts": counts,
        "files": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


def save_media(target):
    """Copy every media file into target/media; return {"media/<name>": sha256}."""
    files = {}
    for name in media_names():
        destination = Path(target) / "media" / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as stored, open(destination, "wb") as out:
            shutil.copyfileobj(stored, out)
        files[f"media/{name}"] = _sha256(destination)
    return files


def put_media_back(source, files):
    """Make the media storage hold exactly the backup's files (names from `files`)."""
    wanted = {name.removeprefix("media/") for name in files if name.startswith("media/")}
    for name in media_names():
        if name not in wanted:
            default_storage.delete(name)
    for name in sorted(wanted):
        if default_storage.exists(name):
            default_storage.delete(name)
        with open(Path(source) / "media" / name, "rb") as saved:
            stored = default_storage.save(name, File(saved))
        if stored != name:
            raise BackupError(f"the media storage renamed {name} to {stored}")


def read_manifest(source):
    """The backup's manifest, after checking every file it lists is there and intact."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text())
        files, engine = manifest["files"], manifest["engine"]
    except FileNotFoundError:
        raise BackupError(f"{source} is not a FibroSite backup (no {MANIFEST})") from None
    except (ValueError, KeyError, TypeError):
        raise BackupError(f"{source / MANIFEST} is damaged") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source} was written in an unknown format")
    for name, checksum in files.items():
        path = (source / name).resolve()
        if source.resolve() not in path.parents:
            raise BackupError(f"{source / MANIFEST} names a file outside the backup: {name}")
        if not path.is_file() or _sha256(path) != checksum:
            raise BackupError(f"{name} is missing or damaged in the backup; nothing was changed")
    if engine != _engine():
        raise BackupError(f"this backup is of a {engine} site; restore it into a {engine} database")
    return manifest


def site_is_empty():
    """True for a freshly migrated site: no content rows and no media files."""
    content = ("articles", "store", "community")
    for model in apps.get_models():
        if model._meta.app_label in content and model._base_manager.exists():
            return False
    return not media_names()


def restore(source, *, force=False):
    """Replace this site's database and media with the backup in `source`."""
    source = Path(source)
    manifest = read_manifest(source)
    if not force and not site_is_empty():
        raise BackupError("this site already has content; add --force to replace it")
    live_version = current_version() or 0
    if manifest["engine"] == "sqlite":
        live_name = connection.settings_dict["NAME"]
        connections.close_all()
        with sqlite3.connect(source / SQLITE_FILE) as saved, sqlite3.connect(live_name) as live:
            saved.backup(live)
        saved.close()
        live.close()
    else:
        env, args, name = _pg_env()
        connections.close_all()
        _run(["pg_restore", *args, "--clean", "--if-exists", "--no-owner", "--no-acl",
              "--single-transaction", "--dbname", name, str(source / PG_FILE)], env)  # fmt: skip
    wanted = {
        name.removeprefix("media/") for name in manifest["files"] if name.startswith("media/")
    }
    for name in media_names():
        if name not in wanted:
            default_storage.delete(name)
    for name in sorted(wanted):
        if default_storage.exists(name):
            default_storage.delete(name)
        with open(source / "media" / name, "rb") as saved:
            stored = default_storage.save(name, File(saved))
        if stored != name:
            raise BackupError(f"the media storage renamed {name} to {stored}")
    # Pages cached by running processes are keyed on the content version: move it past
    # both the live and the restored number, so no cached page can match again.
    ContentVersion.objects.filter(pk=1, number__lt=live_version).update(number=live_version)
    content_changed()
    counts = row_counts()
    differing = sorted(
        label for label, count in manifest["counts"].items() if counts.get(label) != count
    )
    if differing:
        raise BackupError(f"restored row counts differ from the backup for {', '.join(differing)}")
    return manifest
