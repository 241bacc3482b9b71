"""`make bench`, part two: the waits people and operators notice, beside the minimal view.

    python bench/ops.py [--db sqlite|postgres] [--posts 20] [--rounds 3]

- A visitor's contact post while the mail server accepts connections but never answers
  (target: under 100 ms), beside a GET of the minimal Django view in the same run; then the
  worker delivers the messages exactly once after the server recovers.
- `manage.py backup` and `manage.py restore` of the demo site (target: under 10 s each).
Prints a table and writes it to bench/results/ops-<db>.md.
"""

import argparse
import http.cookiejar
import re
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="fibrosite-ops-"))
    env = site_env(args.db, workdir)
    lines = []
    servers = []
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
            minimal = Server("minimal.wsgi", {**env, "DJANGO_SETTINGS_MODULE": "minimal.settings"},
                             cwd=ROOT / "bench")  # fmt: skip
            servers.append(minimal)
            site = Server("fibrosite.wsgi", env)
            servers.append(site)
            timed_contact_post(site.url, 0)  # warm up
            posts, gets = [], []
            for n in range(1, args.posts + 1):
                gets.append(timed_get(minimal.url + "/"))
                posts.append(timed_contact_post(site.url, n))
            if smtp.connections:
                sys.exit("a visitor's request talked to the mail server")
            worker = subprocess.Popen([*manage, "db_worker", "--interval", "0.1", "-v", "0"],
                                      cwd=ROOT, env=env)  # fmt: skip
            try:
                time.sleep(3)  # the worker tries, the hung server times it out
                smtp.recover()
                started = time.perf_counter()
                smtp.wait_for(args.posts + 1, timeout=120)
                delivered_after = time.perf_counter() - started
                time.sleep(3)
            finally:
                worker.terminate()
                worker.wait(timeout=30)
            lines += [
                "| what | median | max | minimal view GET, same run (median) | target |",
                "|---|---:|---:|---:|---|",
                f"| contact post, mail server hung ({args.posts} posts) | "
                f"{median(posts) * 1000:.1f} ms | {max(posts) * 1000:.1f} ms | "
                f"{median(gets) * 1000:.1f} ms | under 100 ms |",
                "",
                f"After the mail server recovered, the worker delivered all {args.posts + 1} "
                f"notifications in {delivered_after:.1f} s; messages received: "
                f"{len(smtp.messages)} (exactly once each: {len(smtp.messages) == args.posts + 1}).",
                "",
            ]
        for server in servers:
            server.stop()
        servers.clear()

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
        lines += [
            f"| demo site ({args.db}, local media, {size / 1e6:.1f} MB) | median | max | target |",
            "|---|---:|---:|---|",
            f"| `manage.py backup` | {median(backups):.2f} s | {max(backups):.2f} s | under 10 s |",
            f"| `manage.py restore --force` | {median(restores):.2f} s | {max(restores):.2f} s "
            "| under 10 s |",
        ]
    finally:
        for server in servers:
            server.stop()
        drop_site_database(env)
        shutil.rmtree(workdir, ignore_errors=True)
    report = (
        f"Waits people notice, {args.db}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
        " (gunicorn 2 workers; times include manage.py's own start-up).\n\n"
        + "\n".join(lines)
        + "\n"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"ops-{args.db}.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
