"""The site served for real by gunicorn (production settings) for tests across processes."""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


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
            [PYTHON, "manage.py", *command], cwd=ROOT, env=self.env, check=True,
            capture_output=True, text=True,
        )  # fmt: skip

    def __enter__(self):
        for command in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"], ["load_demo"]):
            self.manage(*command)
        port = free_port()  # chosen just before gunicorn binds it
        self.url = f"http://127.0.0.1:{port}"
        self.server = subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), "fibrosite.wsgi", "--workers",
             str(self.workers), "--bind", f"127.0.0.1:{port}", "--no-control-socket",
             "--log-level", "critical"],
            cwd=ROOT, env=self.env, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.server.poll() is None:
            try:
                if fetch(self.url + "/healthz")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.__exit__()
        raise RuntimeError(f"gunicorn did not answer on port {port}")

    def __exit__(self, *exc):
        if self.server:
            self.server.terminate()
            try:
                self.server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
