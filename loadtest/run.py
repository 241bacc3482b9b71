"""`make loadtest`: two gunicorn instances sharing PostgreSQL and Redis under mixed load.

    python loadtest/run.py [--seconds 60] [--connections 50] [--runs 2]

Each run: `connections` virtual visitors for `seconds`, 90% page reads and 10% form
posts (contact, signup, comment), alternating between instance A and B, each visitor
on its own loopback address (127.0.0.x) as a real visitor has its own IP. A form is
fetched first (CSRF cookie and token, the "form shown at" stamp) and posted only once
a person could have filled it in (3 s later), so the site's bot checks stay on.

Checks: no 5xx; every accepted post (302 to the thank-you page) is in the database;
worker memory after each run; an article saved through the admin on A is shown by B
on the very next request. Prints a summary and writes loadtest/results.md.
"""

import argparse
import http.client
import json
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from serve import PY, ROOT, Server, drop_site_database, run, site_env  # noqa: E402

LDN = "/articles/low-dose-naltrexone-fibromyalgia-fatigue/"
READS = [
    "/", LDN, "/articles/pacing-energy-budget/", "/articles/unrefreshing-sleep/",
    "/articles/", "/faq/", "/store/", "/search/?q=fatigue", "/articles/category/sleep/",
]  # fmt: skip
FORMS = {
    "contact": "/contact/",
    "signup": "/community/",
    "comment": LDN + "comment/",
}
FORM_WAIT = 3.0


class Inputs(HTMLParser):
    """Every named field of the first POST form (inputs, textareas, selects)."""

    def __init__(self, html):
        super().__init__()
        self.fields, self._textarea, self._select, self.in_form = {}, None, None, False
        self._multiple = self._first = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "").lower() == "post":
            self.in_form = True
        if tag == "option" and self._select:
            if "selected" in a or (self._first and not self._multiple):
                self.fields[self._select] = a.get("value", "")
            self._first = False
            return
        if not self.in_form or "name" not in a:
            return
        if tag == "input" and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.fields[a["name"]] = a.get("value", "on")
            else:
                self.fields[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields[a["name"]] = ""
        elif tag == "select":
            # As a browser: a single select sends its selected (or first) option, a
            # multiple select sends only what is selected.
            self._select = a["name"]
            self._multiple = "multiple" in a
            self._first = True

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self.in_form = False


class Visitor:
    def __init__(self, number, ports, run_id, subnet=1):
        # Each visitor its own loopback address, as each reader has their own IP.
        self.address = f"127.0.{subnet}.{2 + number % 250}"
        self.ports = ports
        self.run_id = run_id
        self.number = number
        self.connections = {}
        self.cookies = {}
        self.pending = None  # (form kind, fields, fetched at, port)
        self.sent = 0

    def request(self, port, method, path, body=None):
        connection = self.connections.get(port)
        if connection is None:
            connection = http.client.HTTPConnection(
                "127.0.0.1", port, timeout=30, source_address=(self.address, 0)
            )
            self.connections[port] = connection
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{port}{path}"
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            connection.close()
            self.connections.pop(port, None)
            return None, b"", time.perf_counter() - started
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        return response, content, time.perf_counter() - started

    def fill(self, kind, fields):
        tag = f"load-{self.run_id}-{self.number}-{self.sent}"
        email = f"{tag}@example.org"
        common = {"name": f"Load {tag}", "email": email, "consent": "on"}
        if kind == "contact":
            fields.update(
                common, topic=fields.get("topic") or "question", message=f"Hello from {tag}"
            )
        elif kind == "signup":
            fields.update(email=email, first_name="Load", wants_updates="on", consent="on")
        else:
            fields.update(common, body=f"Comment {tag}")
        fields["leave_empty"] = ""
        return email


def visit(visitor, deadline, stats, lock):
    rng = random.Random(visitor.number)  # noqa: S311 - load pattern, not security
    while time.monotonic() < deadline:
        port = visitor.ports[rng.randrange(len(visitor.ports))]
        wants_post = rng.random() < 0.10
        if wants_post and visitor.pending and time.monotonic() - visitor.pending[2] >= FORM_WAIT:
            kind, fields, _, form_port = visitor.pending
            visitor.pending = None
            email = visitor.fill(kind, fields)
            response, _, elapsed = visitor.request(
                form_port, "POST", FORMS[kind], urllib.parse.urlencode(fields)
            )
            status = response.status if response else 0
            accepted = status == 302 and "thanks" in (response.getheader("Location") or "")
            with lock:
                stats["status"][status] += 1
                stats["latency"].append(elapsed)
                stats["posts"][kind] += 1
                if accepted:
                    stats["accepted"][kind].append(email)
            visitor.sent += 1
            continue
        if wants_post and visitor.pending is None:
            kind = rng.choice(list(FORMS))
            response, content, elapsed = visitor.request(port, "GET", FORMS[kind])
            if response is not None and response.status == 200:
                visitor.pending = (kind, Inputs(content.decode()).fields, time.monotonic(), port)
        else:
            response, _, elapsed = visitor.request(port, "GET", rng.choice(READS))
        with lock:
            stats["status"][response.status if response else 0] += 1
            stats["latency"].append(elapsed)


def worker_memory(servers):
    """Resident memory (MB) of each gunicorn worker, by instance."""
    result = {}
    for label, server in servers.items():
        children = subprocess.run(
            ["pgrep", "-P", str(server.process.pid)], capture_output=True, text=True
        ).stdout.split()
        sizes = []
        for pid in children:
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(round(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024, 1))
        result[label] = sorted(sizes)
    return result


def count_in_database(env, emails):
    code = (
        "import django, json, sys; django.setup()\n"
        "from community.models import ContactMessage, Subscriber, Comment\n"
        "from django.db.models.functions import Lower\n"
        "data = json.load(sys.stdin)\n"
        "print(ContactMessage.objects.filter(email__in=data['contact']).count(),"
        " Subscriber.objects.annotate(e=Lower('email')).filter(e__in=data['signup']).count(),"
        " Comment.objects.filter(email__in=data['comment']).count())"
    )
    out = subprocess.run(
        [PY, "-c", code], input=json.dumps(emails), env=env, cwd=ROOT,
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    return dict(zip(("contact", "signup", "comment"), map(int, out), strict=True))


def admin_save_is_seen_on_the_other_instance(env, a, b):
    """Log in on A, change an article's title in the admin form, read it from B."""
    password = secrets.token_urlsafe(16)
    code = (
        "import django; django.setup()\n"
        "from django.contrib.auth import get_user_model\n"
        "U = get_user_model(); u, _ = U.objects.get_or_create(username='loadtest-editor')\n"
        f"u.is_staff = u.is_superuser = True; u.set_password({password!r}); u.save()\n"
        "from articles.models import Article\n"
        f"print(Article.objects.get(slug={LDN.split('/')[2]!r}).pk)"
    )
    pk = subprocess.run([PY, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                        check=True).stdout.strip()  # fmt: skip
    editor = Visitor(0, [a.port], "admin")
    editor.address = "127.0.0.1"
    _, login_page, _ = editor.request(a.port, "GET", "/admin/login/")
    fields = Inputs(login_page.decode()).fields
    fields.update(username="loadtest-editor", password=password, next="/admin/")
    editor.request(a.port, "POST", "/admin/login/", urllib.parse.urlencode(fields))
    change = f"/admin/articles/article/{pk}/change/"
    _, form_page, _ = editor.request(a.port, "GET", change)
    fields = Inputs(form_page.decode()).fields
    new_title = f"Is low-dose naltrexone the answer? (edited {secrets.token_hex(3)})"
    fields["title"] = new_title
    fields["_save"] = "Save"
    response, _, _ = editor.request(a.port, "POST", change, urllib.parse.urlencode(fields))
    reader = Visitor(1, [b.port], "reader")
    _, page, _ = reader.request(b.port, "GET", LDN)
    return response is not None and response.status == 302 and new_title in page.decode()


def main():
    # Stop our servers too if this script is stopped (they run in their own sessions).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="fibrosite-load-"))
    env = site_env("postgres", workdir)
    env["STATIC_ROOT"] = str(workdir / "static")
    run([PY, "manage.py", "migrate", "--noinput", "-v0"], env)
    run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    run([PY, "manage.py", "load_demo"], env, stdout=subprocess.DEVNULL)
    servers = {
        "A": Server("fibrosite.wsgi", env, cpu=None),
        "B": Server("fibrosite.wsgi", env, cpu=None),
    }
    ports = [server.port for server in servers.values()]
    lines = [
        f"FibroSite load test, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: two gunicorn "
        f"instances (2 workers each) sharing PostgreSQL and Redis; {args.connections} visitors "
        f"for {args.seconds} s per run, 90% reads / 10% form posts.",
        "",
        "| run | requests | req/s | p50 ms | p99 ms | 5xx | other errors | posts sent | accepted | in the database | worker RSS MB (A; B) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    ok = True
    memory_before = worker_memory(servers)
    try:
        for run_number in range(1, args.runs + 1):
            stats = {"status": Counter(), "latency": [], "posts": Counter(),
                     "accepted": {kind: [] for kind in FORMS}}  # fmt: skip
            lock = threading.Lock()
            deadline = time.monotonic() + args.seconds
            visitors = [
                Visitor(n, ports, f"r{run_number}", subnet=run_number)
                for n in range(args.connections)
            ]
            threads = [
                threading.Thread(target=visit, args=(v, deadline, stats, lock)) for v in visitors
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            total = sum(stats["status"].values())
            latency = sorted(stats["latency"])
            errors_5xx = sum(n for status, n in stats["status"].items() if status >= 500)
            failures = stats["status"][0]
            accepted = {kind: len(emails) for kind, emails in stats["accepted"].items()}
            stored = count_in_database(env, stats["accepted"])
            memory = worker_memory(servers)
            ok &= errors_5xx == 0 and failures == 0 and stored == accepted
            lines.append(
                f"| {run_number} | {total} | {total / args.seconds:.0f} | "
                f"{latency[len(latency) // 2] * 1000:.1f} | {latency[int(len(latency) * 0.99)] * 1000:.1f} | "
                f"{errors_5xx} | {failures} | {sum(stats['posts'].values())} | "
                f"{sum(accepted.values())} ({', '.join(f'{k} {v}' for k, v in accepted.items())}) | "
                f"{sum(stored.values())} | {memory['A']}; {memory['B']} |"
            )
            print(lines[-1], "statuses:", dict(stats["status"]), flush=True)
        seen = admin_save_is_seen_on_the_other_instance(env, servers["A"], servers["B"])
        ok &= seen
    finally:
        for server in servers.values():
            server.stop()
        drop_site_database(env)
    lines += [
        "",
        f"Worker RSS before the first run (MB): A {memory_before['A']}; B {memory_before['B']}.",
        f"An article title saved in the admin on A was {'shown' if seen else 'NOT shown'} by B on the next request.",
        f"Result: {'PASS' if ok else 'FAIL'} (no 5xx, every accepted post stored, admin save seen across instances).",
    ]
    report = "\n".join(lines) + "\n"
    (Path(__file__).parent / "results.md").write_text(report)
    print("\n" + report)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
