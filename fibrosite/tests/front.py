"""The shipped nginx front (deploy/nginx.conf) run as written, with ports and paths changed.

`python -m fibrosite.tests.front` checks the shipped file with `nginx -t` (as CI does).
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.serve import ROOT, free_port

SHIPPED = ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HOST = "fibrosite.example.org"


def self_signed_certificate(folder):
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", f"/CN={HOST}", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def templated(folder, http_port, https_port, upstreams, static_root, media_root):
    """The shipped site file with its ports and paths replaced (each exactly once) and the
    main configuration that includes it: nginx in the foreground, everything in `folder`."""
    cert, key = self_signed_certificate(folder)
    text = SHIPPED.read_text()
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "/var/cache/nginx/fibrosite": str(folder / "cache"),
        "/etc/letsencrypt/live/fibrosite.example.org/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/fibrosite.example.org/privkey.pem": str(key),
        "alias /srv/fibrosite/staticfiles/;": f"alias {static_root}/;",
        "alias /srv/fibrosite/media/;": f"alias {media_root}/;",
        "server 127.0.0.1:8000;": " ".join(f"server {address};" for address in upstreams),
    }
    for old, new in replacements.items():
        if text.count(old) != 1:
            raise AssertionError(f"deploy/nginx.conf no longer has exactly one {old!r}")
        text = text.replace(old, new)
    (folder / "fibrosite.conf").write_text(text)
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the test's files
    main = folder / "nginx.conf"
    main.write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\nevents {{ worker_connections 512; }}\n"
        f"http {{\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        '    log_format front \'$remote_addr "$request" $status $upstream_addr '
        "$upstream_cache_status';\n"
        f"    access_log {folder / 'access.log'} front;\n{temp}\n"
        f"    include {folder / 'fibrosite.conf'};\n}}\n"
    )
    return main


def check(main):
    """`nginx -t` on a templated configuration: (ok, what nginx said)."""
    result = subprocess.run(
        [NGINX, "-t", "-c", str(main), "-e", str(main.parent / "error.log")],
        capture_output=True, text=True,
    )  # fmt: skip
    return result.returncode == 0, result.stderr


class Front:
    """A private nginx with the shipped configuration in front of the given gunicorns."""

    def __init__(self, folder, upstreams, static_root, media_root, cpu=None):
        self.http_port, self.https_port = free_port(), free_port()
        self.folder = folder
        folder.mkdir(exist_ok=True)
        self.config = templated(
            folder, self.http_port, self.https_port, upstreams, static_root, media_root
        )
        ok, said = check(self.config)
        if not ok:
            raise AssertionError(f"nginx -t refused deploy/nginx.conf:\n{said}")
        self.process = subprocess.Popen(
            [*(["taskset", "-c", cpu] if cpu else []),
             NGINX, "-c", str(self.config), "-e", str(folder / "error.log")],
            start_new_session=True, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.url = f"https://127.0.0.1:{self.https_port}"
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"nginx did not start: {self.error_log()}") from None
                time.sleep(0.05)

    def access_log(self):
        return (self.folder / "access.log").read_text()

    def error_log(self):
        return (self.folder / "error.log").read_text()

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def main():
    """Check the shipped deploy/nginx.conf with nginx -t; exit non-zero with its words if not."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in ("static", "media"):
            (folder / name).mkdir()
        config = templated(
            folder, free_port(), free_port(), ["127.0.0.1:8000", "127.0.0.1:8001"],
            folder / "static", folder / "media",
        )  # fmt: skip
        started = time.monotonic()
        ok, said = check(config)
        print(said.strip().replace(str(folder / "nginx.conf"), "deploy/nginx.conf (templated)"))
        print(f"nginx -t took {time.monotonic() - started:.2f} s")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
