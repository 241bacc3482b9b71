"""The site served for real by gunicorn (production settings) for tests across processes."""

import contextlib
import http.client
import os
import re
import ssl
import subprocess
import urllib.error
import urllib.request
from http.cookies import SimpleCookie
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
        self.manage("migrate", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        if self.demo:
            self.manage("load_demo")
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
