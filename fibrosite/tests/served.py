"""The site served for real by gunicorn (production settings) for tests across processes."""

import os
import subprocess
import urllib.error
import urllib.request

from bench.serve import PY, ROOT, Server


def fetch(url):
    """(status, headers, body) of a GET, error statuses included."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our server
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


class ServedSite:
    """Migrate, collect static files and load the demo, then run gunicorn until stopped."""

    def __init__(self, tmp_path, database_url, workers=1, **environ):
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
        self.workers = workers
        self.server = self.url = None

    def manage(self, *command):
        return subprocess.run(
            [PY, "manage.py", *command], cwd=ROOT, env=self.env, check=True,
            capture_output=True, text=True,
        )  # fmt: skip

    def __enter__(self):
        for command in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"], ["load_demo"]):
            self.manage(*command)
        self.server = Server("fibrosite.wsgi", self.env, cpu=None, workers=self.workers)
        self.url = self.server.url
        return self

    def __exit__(self, *exc):
        self.server.stop()
