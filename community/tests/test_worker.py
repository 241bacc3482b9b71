"""The real queue and worker: a visitor's post never waits for the mail server.

gunicorn with production settings (the database-backed task queue), a real SMTP
server that hangs, then recovers, and `manage.py db_worker` as its own process.
"""

import http.cookiejar
import os
import re
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

from bench.serve import PY, ROOT
from community.tests.smtp import SMTPSink
from fibrosite.tests.served import ServedSite


def _opener():
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def post_contact(site, message):
    """Fill in /contact/ as a person would; return (seconds the POST took, final URL)."""
    browser = _opener()
    page = browser.open(site.url + "/contact/", timeout=10).read().decode()
    fields = dict(re.findall(r'name="(csrfmiddlewaretoken|started)" value="([^"]*)"', page))
    form = {
        **fields,
        "leave_empty": "",
        "name": "Robin Ash",
        "email": "robin@example.org",
        "topic": "question",
        "message": message,
        "consent": "on",
    }
    request = urllib.request.Request(  # noqa: S310 - our own loopback server
        site.url + "/contact/",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Referer": site.url + "/contact/"},
    )
    started = time.perf_counter()
    with browser.open(request, timeout=30) as response:
        response.read()
        return time.perf_counter() - started, response.url


@pytest.fixture
def site_database(tmp_path):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'site.sqlite3'}"
        return
    name = f"fibrosite_worker_{os.getpid()}"
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    yield f"postgres://postgres@127.0.0.1:5432/{name}"
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name])


def test_a_contact_post_never_waits_for_a_hung_mail_server_and_is_mailed_once(
    tmp_path, site_database
):
    with SMTPSink(stalled=True) as smtp:
        environ = {
            "EMAIL_URL": smtp.url,
            "NOTIFY_EMAILS": "editors@fibrosite.test",
            "COMMUNITY_FORM_MIN_SECONDS": "0",
            "COMMUNITY_MAIL_TIMEOUT": "1",
            "COMMUNITY_MAIL_RETRY_SECONDS": "1",
            "PAGECACHE_SECONDS": "0",
        }
        with ServedSite(tmp_path, site_database, demo=False, **environ) as site:
            seconds, landed = post_contact(site, "Does pacing help with the crashes?")
            assert landed.endswith("/contact/thanks/")
            # The hung server would have held the request for COMMUNITY_MAIL_TIMEOUT.
            assert seconds < 0.9
            assert smtp.connections == 0, "the request itself talked to the mail server"

            log = (tmp_path / "worker.log").open("w")
            worker = subprocess.Popen(
                [PY, "manage.py", "db_worker", "--interval", "0.1"],
                cwd=ROOT, env=site.env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                deadline = time.monotonic() + 20
                while smtp.connections == 0 and time.monotonic() < deadline:
                    time.sleep(0.05)
                assert smtp.connections >= 1, (tmp_path / "worker.log").read_text()
                time.sleep(1.5)  # at least one try timed out against the hung server
                assert smtp.messages == []
                smtp.recover()
                [raw] = smtp.wait_for(1)
                time.sleep(2.5)  # longer than the next retry would wait: nothing more comes
            finally:
                worker.terminate()
                worker.wait(timeout=20)
                log.close()
            assert len(smtp.messages) == 1, (tmp_path / "worker.log").read_text()
            assert b"Does pacing help with the crashes?" in raw
            assert b"To: editors@fibrosite.test" in raw

            pending = site.manage("send_pending_mail")
            assert len(smtp.messages) == 1, pending.stdout
