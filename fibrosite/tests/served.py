"""The site served for real by gunicorn (production settings) for tests across processes."""

import atexit
import contextlib
import http.client
import os
import re
import shutil
import sqlite3
import ssl
import subprocess
import tempfile
import urllib.error
import urllib.request
from contextlib import closing
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench.serve import PY, ROOT, Server


def fetch(url):
    """(status, headers, body) of a GET, error statuses included."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our server
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


class Visitor:
    """One person's browser, as far as a server can tell: its cookies and its own address.

    Talks http or https (certificates not checked: the tests' own) from a chosen loopback
    source address, so a proxy in front sees several visitors.
    """

    CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

    def __init__(self, base_url, address="127.0.0.1", host=None):
        parts = urlsplit(base_url)
        self.base_url, self.scheme, self.address = base_url, parts.scheme, address
        self.netloc = parts.netloc
        self.host = host or parts.netloc
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        """(status, headers, body text) of one request on a new connection."""
        if self.scheme == "https":
            context = ssl._create_unverified_context()  # noqa: S323 - our self-signed test cert
            connection = http.client.HTTPSConnection(
                self.netloc, timeout=10, source_address=(self.address, 0), context=context
            )
        else:
            connection = http.client.HTTPConnection(
                self.netloc, timeout=10, source_address=(self.address, 0)
            )
        sent = {"Host": self.host, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.headers, text

    def get(self, path, **headers):
        return self.request("GET", path, headers=headers)

    def post_form(self, path, data):
        """POST a form fetched first (for its CSRF token), as a browser does."""
        status, _, page = self.get(path)
        token = self.CSRF_FIELD.search(page)
        assert token, f"no CSRF token on {path} ({status})"
        body = urlencode({"csrfmiddlewaretoken": token.group(1), **data})
        origin = f"{self.scheme}://{self.host}"
        return self.request("POST", path, body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": origin, "Referer": origin + path,
        })  # fmt: skip

    def sign_in(self, username, password):
        return self.post_form(
            "/admin/login/?next=/admin/", {"username": username, "password": password}
        )


class ServedSite:
    """Migrate, collect static files and load the demo, then run gunicorn until stopped."""

    def __init__(self, tmp_path, database_url, workers=1, demo=True, ready_path="/", **environ):
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CACHE_"))},
            "DJANGO_SETTINGS_MODULE": "fibrosite.settings",
            "DJANGO_SECRET_KEY": "served-test-" + "k" * 50,
            "DATABASE_URL": database_url,
            "CACHE_URL": "locmemcache://",
            "MEDIA_ROOT": str(tmp_path / "media"),
            "STATIC_ROOT": str(tmp_path / "static"),
            **environ,
        }
        self.env = {name: value for name, value in self.env.items() if value is not None}
        self.workers = workers
        self.demo = demo
        self.ready_path = ready_path
        self.server = self.url = None

    def manage(self, *command, **environ):
        return subprocess.run(
            [PY, "manage.py", *command], cwd=ROOT, env={**self.env, **environ}, check=True,
            capture_output=True, text=True,
        )  # fmt: skip

    def create_editor(self, username, password):
        self.manage(
            "createsuperuser", "--noinput", "--username", username, "--email", "",
            DJANGO_SUPERUSER_PASSWORD=password,
        )  # fmt: skip

    def __enter__(self):
        kind = self.demo and _snapshot_kind(self.env)
        if kind and kind in _demo_sites:
            _demo_sites[kind].copy_to(self.env)
        else:
            self.manage("migrate", "-v0")
            if self.demo:
                self.manage("load_demo")
            if kind and (snapshot := DemoSnapshot.take(self.env)):
                _demo_sites[kind] = snapshot
        if _static_files.exists():
            shutil.copytree(_static_files, self.env["STATIC_ROOT"], dirs_exist_ok=True)
        else:
            self.manage("collectstatic", "--noinput", "-v0")
            shutil.copytree(self.env["STATIC_ROOT"], _static_files)
        self.server = self.start_instance(self.workers)
        self.url = self.server.url
        return self

    def start_instance(self, workers=1):
        """A gunicorn on this site's database and files (the caller stops it)."""
        return Server(
            "fibrosite.wsgi", self.env, cpu=None, workers=workers, ready_path=self.ready_path
        )

    def __exit__(self, *exc):
        self.server.stop()


# A migrated site with the demo loaded takes about 15 s to make (load_demo draws and resizes
# every picture); the first served site of a test session keeps a copy of its database and
# media files, and later ones start from that copy. Collected static files likewise.
_session_folder = Path(tempfile.mkdtemp(prefix="fibrosite-served-"))
_static_files = _session_folder / "static"
_demo_sites = {}
PSQL = ["-h", "127.0.0.1", "-U", "postgres"]


def _snapshot_kind(env):
    """Which copy a site can start from: its database's kind, or None (media in a bucket)."""
    if env.get("MEDIA_STORAGE_URL"):
        return None
    return "postgres" if env["DATABASE_URL"].startswith("postgres") else "sqlite"


def _database_name(env):
    """A PostgreSQL database's name, or an SQLite file's path."""
    url = env["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///")
    return urlsplit(url).path.lstrip("/")


class DemoSnapshot:
    def __init__(self, database, media):
        self.database, self.media = database, media

    @classmethod
    def take(cls, env):
        media = _session_folder / f"media-{len(_demo_sites)}"
        shutil.copytree(env["MEDIA_ROOT"], media)
        if env["DATABASE_URL"].startswith("postgres"):
            template = f"fibrosite_demo_{os.getpid()}_{len(_demo_sites)}"
            copied = subprocess.run(
                ["createdb", *PSQL, "-T", _database_name(env), template], capture_output=True
            )
            if copied.returncode:  # still in use by some connection: no copy this time
                return None
            atexit.register(subprocess.run, ["dropdb", *PSQL, "--if-exists", template])
            return cls(template, media)
        copy = _session_folder / f"demo-{len(_demo_sites)}.sqlite3"
        with closing(sqlite3.connect(_database_name(env))) as site:
            with closing(sqlite3.connect(copy)) as kept:
                site.backup(kept)  # consistent, whatever the write-ahead log still holds
        return cls(copy, media)

    def copy_to(self, env):
        shutil.copytree(self.media, env["MEDIA_ROOT"], dirs_exist_ok=True)
        name = _database_name(env)
        if env["DATABASE_URL"].startswith("postgres"):
            subprocess.run(["dropdb", *PSQL, "--if-exists", "--force", name], check=True)
            subprocess.run(["createdb", *PSQL, "-T", self.database, name], check=True)
            return
        with closing(sqlite3.connect(self.database)) as kept:
            with closing(sqlite3.connect(name)) as site:
                kept.backup(site)


@contextlib.contextmanager
def production_backends(tmp_path, name):
    """(DATABASE_URL, CACHE_URL) for a served site, like the leg the suite runs on.

    On the PostgreSQL + Redis leg: a fresh PostgreSQL database (dropped afterwards) and the
    suite's Redis database. Otherwise an SQLite file and the production default, the
    database cache.
    """
    suite_database = os.environ.get("DATABASE_URL", "")
    suite_cache = os.environ.get("CACHE_URL", "")
    if not suite_database.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / (name + '.sqlite3')}", "dbcache://fibrosite_cache"
        return
    database = f"fibrosite_{name}_{os.getpid()}"
    server = suite_database.rsplit("/", 1)[0]
    psql = ["-h", "127.0.0.1", "-U", "postgres"]
    subprocess.run(["dropdb", *psql, "--if-exists", database], check=True)
    subprocess.run(["createdb", *psql, database], check=True)
    try:
        yield f"{server}/{database}", suite_cache or "redis://127.0.0.1:6379/1"
    finally:
        subprocess.run(["dropdb", *psql, "--if-exists", "--force", database], check=False)
