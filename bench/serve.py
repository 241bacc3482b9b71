"""Serving a throwaway copy of the site for `make bench` and `make audit`."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(cmd, env, **kwargs):
    subprocess.run(cmd, env=env, cwd=ROOT, check=True, **kwargs)


def wait_for(url, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own loopback server
            return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def status_of(url):
    try:
        return urllib.request.urlopen(url, timeout=5).status  # noqa: S310
    except urllib.error.HTTPError as error:
        return error.code


class Server:
    def __init__(self, app, env, cwd=ROOT, pythonpath=None, cpu="0", workers=2, ready_path="/"):
        self.port = free_port()
        env = dict(env)
        if pythonpath:
            env["PYTHONPATH"] = pythonpath
        gunicorn = str(Path(PY).parent / "gunicorn")
        self.process = subprocess.Popen(
            [*(["taskset", "-c", cpu] if cpu else []), gunicorn, app, "--workers", str(workers),
             "--bind", f"127.0.0.1:{self.port}", "--no-control-socket", "--log-level", "warning"],
            env=env, cwd=cwd, start_new_session=True,
        )  # fmt: skip
        self.url = f"http://127.0.0.1:{self.port}"
        try:
            wait_for(self.url + ready_path)
        except RuntimeError:
            self.stop()
            raise

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=20)


def site_env(db, workdir):
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CACHE_"))
    }
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        SITE_URL="http://127.0.0.1:8000",
        MEDIA_ROOT=str(workdir / "media"),
        UPLOAD_STAGING_ROOT=str(workdir / "staging"),
        EMAIL_URL="consolemail://",
        DJANGO_SERVE_MEDIA="true",
        DJANGO_SETTINGS_MODULE="fibrosite.settings",
    )
    if db == "postgres":
        name = f"fibrosite_bench_{os.getpid()}"
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True
        )
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
        env["CACHE_URL"] = "redis://127.0.0.1:6379/5"
        subprocess.run(["redis-cli", "-n", "5", "flushdb"], check=True, capture_output=True)
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    return env


def drop_site_database(env):
    """Remove the PostgreSQL database site_env() made (SQLite's goes with its folder)."""
    url = env.get("DATABASE_URL", "")
    if url.startswith("postgres://"):
        name = url.rsplit("/", 1)[1]
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name])
