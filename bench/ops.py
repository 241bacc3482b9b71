"""`make bench`, part two: the waits people and operators notice, beside the minimal view.

    python bench/ops.py [--db sqlite|postgres] [--posts 20] [--rounds 3]

- A visitor's contact post while the mail server accepts connections but never answers
  (target: under 100 ms), beside a GET of the minimal Django view in the same run; then the
  worker delivers the messages exactly once after the server recovers.
- An editor's admin save of an article with a 12-megapixel phone photo as its hero, 2 tags,
  3 FAQs and 3 references (target: under 1 s), beside the minimal view; then how long until
  a real `manage.py db_worker` has cleaned and resized the photo and the article's page
  shows it.
- `manage.py backup` and `manage.py restore` of the demo site (target: under 10 s each).
Prints a table and writes it to bench/results/ops-<db>.md.
"""

import argparse
import http.cookiejar
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from serve import PY, ROOT, Server, drop_site_database, run, site_env  # noqa: E402

from articles.tests.photos import phone_photo  # noqa: E402
from community.tests.smtp import SMTPSink  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def timed_get(url):
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
        response.read()
    return time.perf_counter() - started


def timed_contact_post(site_url, n):
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    page = browser.open(site_url + "/contact/", timeout=30).read().decode()
    fields = dict(re.findall(r'name="(csrfmiddlewaretoken|started)" value="([^"]*)"', page))
    form = {**fields, "leave_empty": "", "name": f"Bench {n}", "email": f"b{n}@example.org",
            "topic": "question", "message": "Benchmark message.", "consent": "on"}  # fmt: skip
    request = urllib.request.Request(  # noqa: S310 - loopback
        site_url + "/contact/", data=urllib.parse.urlencode(form).encode(),
        headers={"Referer": site_url + "/contact/"},
    )  # fmt: skip
    started = time.perf_counter()
    with browser.open(request, timeout=30) as response:
        response.read()
        if not response.url.endswith("/contact/thanks/"):
            sys.exit(f"the contact post was not accepted: {response.url}")
    return time.perf_counter() - started


def multipart(fields, files):
    """A multipart/form-data body: fields as (name, value) pairs, files as name: (file name, bytes)."""
    boundary = secrets.token_hex(16)
    parts = []
    for name, value in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())  # fmt: skip
    for name, (filename, data) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
            + data + b"\r\n"
        )  # fmt: skip
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Editor:
    """A signed-in editor's browser (cookies, CSRF token) on the served site."""

    def __init__(self, site_url, username, password):
        self.url = site_url
        self.browser = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        page = self.get("/admin/login/")
        self.post("/admin/login/?next=/admin/", [
            ("csrfmiddlewaretoken", self.token(page)), ("username", username),
            ("password", password), ("next", "/admin/"),
        ])  # fmt: skip

    @staticmethod
    def token(page):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def get(self, path):
        with self.browser.open(self.url + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path, fields, files=None):
        if files:
            body, kind = multipart(fields, files)
        else:
            body, kind = (
                urllib.parse.urlencode(fields).encode(),
                "application/x-www-form-urlencoded",
            )
        request = urllib.request.Request(  # noqa: S310 - loopback
            self.url + path, data=body,
            headers={"Content-Type": kind, "Referer": self.url + path},
        )  # fmt: skip
        with self.browser.open(request, timeout=60) as response:
            return response.url, response.read().decode()


# The article's own hero, from its sizes (cards of related articles have sizes too).
HERO_SIZES = (
    r'<figure class="hero"><picture><source type="image/webp" srcset="[^"]*/articles/sizes/'
)


def read(url):
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
        return response.read().decode()


def article_fields(page, n):
    """The add form filled in: 2 tags, 3 questions, 3 references, published now."""
    category = re.search(r'<select name="category"[^>]*>.*?<option value="(\d+)"', page, re.S)
    tags = re.findall(r'<option value="(\d+)"', re.search(r'<select name="tags".*?</select>', page,
                                                           re.S).group(0))[:2]  # fmt: skip
    fields = [
        ("csrfmiddlewaretoken", Editor.token(page)), ("title", f"Pacing on bad days, part {n}"),
        ("slug", f"bench-pacing-{n}-{secrets.token_hex(3)}"),
        ("summary", "Rest before you crash.\nPlan small steps."),
        ("body", "## Start small\n\nTen minutes, then rest.\n\n## Then more\n\nSlowly."),
        ("status", "published"), ("publish_at_0", "2026-01-10"), ("publish_at_1", "09:00:00"),
        ("category", category.group(1)), ("hero_alt", "A calm lake at dawn"),
        ("written_by", ""), ("reviewed_by", ""), ("last_reviewed", ""), ("_save", "Save"),
    ]  # fmt: skip
    fields += [("tags", tag) for tag in tags]
    for prefix in ("faqs", "references"):
        fields += [(f"{prefix}-TOTAL_FORMS", "3"), (f"{prefix}-INITIAL_FORMS", "0"),
                   (f"{prefix}-MIN_NUM_FORMS", "0"), (f"{prefix}-MAX_NUM_FORMS", "1000")]  # fmt: skip
    for i in range(3):
        fields += [
            (f"faqs-{i}-question", f"Question {i} about pacing?"),
            (f"faqs-{i}-answer", f"Answer **{i}**: rest before you crash."),
            (f"faqs-{i}-order", str(i)),
            (f"references-{i}-citation", f"Study {i}. Journal of Pain 2020."),
            (f"references-{i}-doi", f"10.1000/pain{i}"), (f"references-{i}-order", str(i)),
        ]  # fmt: skip
    return fields


def admin_saves(env, saves):
    """Median admin save and the wait for the worker's sizes, beside the minimal view."""
    manage = [PY, "manage.py"]
    password = secrets.token_urlsafe(16)
    run([*manage, "createsuperuser", "--noinput", "--username", "bench-editor", "--email", ""],
        {**env, "DJANGO_SUPERUSER_PASSWORD": password})  # fmt: skip
    photo = phone_photo()
    servers = []
    worker = subprocess.Popen([*manage, "db_worker", "--interval", "0.05", "-v", "0"],
                              cwd=ROOT, env=env)  # fmt: skip
    try:
        minimal, site = start_minimal_and_site(env, servers)
        editor = Editor(site.url, "bench-editor", password)
        took, visible, gets = [], [], []
        for n in range(saves + 1):  # the first warms the processes up
            page = editor.get("/admin/articles/article/add/")
            fields = article_fields(page, n)
            gets.append(timed_get(minimal.url + "/"))
            started = time.perf_counter()
            landed, _ = editor.post("/admin/articles/article/add/", fields,
                                    {"hero_image": ("IMG_0001.JPG", photo)})  # fmt: skip
            saved = time.perf_counter()
            if not landed.endswith("/admin/articles/article/"):
                sys.exit(f"the admin save was not accepted: {landed}")
            slug = dict(fields)["slug"]
            deadline = saved + 60
            while not re.search(HERO_SIZES, read(f"{site.url}/articles/{slug}/")):  # as a reader
                if time.perf_counter() > deadline:
                    sys.exit("the worker did not publish the hero's sizes within 60 s")
                time.sleep(0.05)
            if n:
                took.append(saved - started)
                visible.append(time.perf_counter() - saved)
    finally:
        for server in servers:
            server.stop()
        worker.terminate()
        worker.wait(timeout=30)
    return [
        "| what | median | max | minimal view GET, same run (median) | target |",
        "|---|---:|---:|---:|---|",
        f"| admin save with 12 MP hero ({len(photo) / 1e6:.1f} MB JPEG), 2 tags, 3 FAQs, 3 refs "
        f"({saves} saves) | {median(took) * 1000:.0f} ms | {max(took) * 1000:.0f} ms | "
        f"{median(gets[1:]) * 1000:.1f} ms | under 1 s |",
        f"| renditions visible after (worker cleans, resizes, page shows them) | "
        f"{median(visible):.2f} s | {max(visible):.2f} s | | a few seconds |",
        "",
    ]


def start_minimal_and_site(env, servers):
    """The minimal view (the baseline) and the site under gunicorn, added to `servers`."""
    minimal = Server("minimal.wsgi", {**env, "DJANGO_SETTINGS_MODULE": "minimal.settings"},
                     cwd=ROOT / "bench")  # fmt: skip
    servers.append(minimal)
    site = Server("fibrosite.wsgi", env)
    servers.append(site)
    return minimal, site


def contact_posts(env, smtp, posts):
    """A visitor's contact post while the mail server hangs, then the worker's delivery."""
    manage = [PY, "manage.py"]
    servers = []
    try:
        minimal, site = start_minimal_and_site(env, servers)
        timed_contact_post(site.url, 0)  # warm up
        took, gets = [], []
        for n in range(1, posts + 1):
            gets.append(timed_get(minimal.url + "/"))
            took.append(timed_contact_post(site.url, n))
        if smtp.connections:
            sys.exit("a visitor's request talked to the mail server")
        worker = subprocess.Popen([*manage, "db_worker", "--interval", "0.1", "-v", "0"],
                                  cwd=ROOT, env=env)  # fmt: skip
        try:
            time.sleep(3)  # the worker tries, the hung server times it out
            smtp.recover()
            started = time.perf_counter()
            smtp.wait_for(posts + 1, timeout=120)
            delivered_after = time.perf_counter() - started
            time.sleep(3)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    finally:
        for server in servers:
            server.stop()
    return [
        "| what | median | max | minimal view GET, same run (median) | target |",
        "|---|---:|---:|---:|---|",
        f"| contact post, mail server hung ({posts} posts) | "
        f"{median(took) * 1000:.1f} ms | {max(took) * 1000:.1f} ms | "
        f"{median(gets) * 1000:.1f} ms | under 100 ms |",
        "",
        f"After the mail server recovered, the worker delivered all {posts + 1} "
        f"notifications in {delivered_after:.1f} s; messages received: "
        f"{len(smtp.messages)} (exactly once each: {len(smtp.messages) == posts + 1}).",
        "",
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--saves", type=int, default=5)
    parser.add_argument("--parts", default="mail,admin,backup", help="comma-separated")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    workdir = Path(tempfile.mkdtemp(prefix="fibrosite-ops-"))
    env = site_env(args.db, workdir)
    lines = []
    try:
        with SMTPSink(stalled=True) as smtp:
            env.update(
                EMAIL_URL=smtp.url, NOTIFY_EMAILS="editors@fibrosite.test",
                COMMUNITY_FORM_MIN_SECONDS="0", COMMUNITY_MAIL_TIMEOUT="2",
                COMMUNITY_MAIL_RETRY_SECONDS="1", RATE_LIMIT_CONTACT="1000/60",
            )  # fmt: skip
            manage = [PY, "manage.py"]
            run([*manage, "migrate", "--noinput", "-v0"], env)
            run([*manage, "collectstatic", "--noinput", "-v0"], env)
            run([*manage, "load_demo"], env, stdout=subprocess.DEVNULL)
            if "mail" in parts:
                lines += contact_posts(env, smtp, args.posts)
        if "admin" in parts:
            lines += admin_saves(env, args.saves)
        if "backup" in parts:
            lines += backup_and_restore(env, workdir, args)
    finally:
        drop_site_database(env)
        shutil.rmtree(workdir, ignore_errors=True)
    report = (
        f"Waits people notice, {args.db}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
        " (gunicorn 2 workers; times include manage.py's own start-up).\n\n"
        + "\n".join(lines)
        + "\n"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    some = "" if parts == {"mail", "admin", "backup"} else "-" + "-".join(sorted(parts))
    (RESULTS / f"ops-{args.db}{some}.md").write_text(report)
    print(report)


def backup_and_restore(env, workdir, args):
    backups, restores = [], []
    for n in range(args.rounds):
        folder = workdir / f"backup-{n}"
        started = time.perf_counter()
        run([PY, "manage.py", "backup", str(folder)], env, stdout=subprocess.DEVNULL)
        backups.append(time.perf_counter() - started)
        started = time.perf_counter()
        run([PY, "manage.py", "restore", "--force", str(folder)], env,
            stdout=subprocess.DEVNULL)  # fmt: skip
        restores.append(time.perf_counter() - started)
    size = sum(f.stat().st_size for f in (workdir / "backup-0").rglob("*") if f.is_file())
    return [
        f"| demo site ({args.db}, local media, {size / 1e6:.1f} MB) | median | max | target |",
        "|---|---:|---:|---|",
        f"| `manage.py backup` | {median(backups):.2f} s | {max(backups):.2f} s | under 10 s |",
        f"| `manage.py restore --force` | {median(restores):.2f} s | {max(restores):.2f} s "
        "| under 10 s |",
    ]


if __name__ == "__main__":
    main()
