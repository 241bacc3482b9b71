"""`make bench` (search part): time a search in process, beside the minimal view.

    python bench/search.py [--db sqlite|postgres] [--articles 10000] [--requests 40]

Builds a throwaway site (production settings, page cache off), loads the demo content,
and times three searches through Django's test client in one process: what a request
costs in database work, ranking and rendering, without the network or gunicorn. The
minimal Django view (bench/minimal) is timed the same way in its own process. Then the
benchmark volume (bench/volume.py, BENCH_ARTICLES articles) is added and everything is
timed again. Writes bench/results/search-<db>.md. Target: at most 50 ms per search.
/faq/ is timed beside them: what an ordinary page costs in the same process and run.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serve import PY, ROOT, drop_site_database, run, site_env  # noqa: E402

REFERENCE = ("reference: /faq/ (a page with no search)", "/faq/")
QUERIES = [
    ("a typo (“slepe”)", "/search/?q=slepe"),
    ("a two-word question (“does pacing help?”)", "/search/?q=does+pacing+help%3F"),
    ("a word in every article (“fatigue”)", "/search/?q=fatigue"),
]
RESULTS = ROOT / "bench" / "results"


def time_in_process(paths, requests):
    """Per path: median and best wall-clock ms, and median CPU ms of this process.

    The paths take turns, so the machine's drift (it is shared) touches each alike; the
    best of many runs is the least disturbed one.
    """
    import django

    django.setup()
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    for _ in range(5):  # warm up: imports, connections, caches
        for path in paths:
            client.get(path)
    wall = {path: [] for path in paths}
    cpu = {path: [] for path in paths}
    for _ in range(requests):
        for path in paths:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            wall[path].append((time.perf_counter() - start) * 1000)
            cpu[path].append((time.process_time() - start_cpu) * 1000)
            if response.status_code != 200:
                sys.exit(f"{path} answered {response.status_code}")
    return {
        path: {"median": median(wall[path]), "best": min(wall[path]), "cpu": median(cpu[path])}
        for path in paths
    }


def timed(env, requests, paths):
    done = subprocess.run(
        [PY, __file__, "--measure", str(requests), *paths], env=env, cwd=ROOT,
        capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode:
        sys.exit(f"timing {paths} failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def measure(env, requests):
    site = timed(env, requests, [path for _, path in [*QUERIES, REFERENCE]])
    minimal_env = {**env, "DJANGO_SETTINGS_MODULE": "minimal.settings", "PYTHONPATH": "bench"}
    return site, timed(minimal_env, requests, ["/"])["/"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--measure", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        requests, *paths = args.measure
        print(json.dumps(time_in_process(paths, int(requests))))
        return

    workdir = Path(tempfile.mkdtemp(prefix="fibrosite-search-bench-"))
    env = {**site_env(args.db, workdir), "PAGECACHE_SECONDS": "0"}
    rows = []
    try:
        run([PY, "manage.py", "migrate", "--noinput", "-v0"], env)
        run([PY, "manage.py", "createcachetable"], env)
        run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env)
        run([PY, "manage.py", "load_demo"], env, stdout=subprocess.DEVNULL)
        print(f"Search in process on {args.db}: demo content", flush=True)
        rows.append(("demo (10 articles)", *measure(env, args.requests)))
        started = time.monotonic()
        run([PY, "bench/volume.py"], {**env, "BENCH_ARTICLES": str(args.articles)},
            stdout=subprocess.DEVNULL)  # fmt: skip
        built = time.monotonic() - started
        print(f"Search in process on {args.db}: {args.articles:,} more articles", flush=True)
        rows.append((f"{args.articles + 10:,} articles", *measure(env, args.requests)))
    finally:
        drop_site_database(env)
        shutil.rmtree(workdir, ignore_errors=True)
    write_report(args, rows, built)


def write_report(args, rows, built):
    lines = [
        f"FibroSite search in process, {args.db}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: Django's test client, "
        f"production settings, page cache off; {args.requests} requests per row, the rows "
        "taking turns, after 5 warm-ups. Wall-clock ms (median and best) cover the database "
        "and rendering; CPU ms is this process alone (on SQLite that includes the database). "
        "The minimal view (bench/minimal) is timed the same way, same run.",
        "",
        "| content | request | median ms | best ms | CPU ms | minimal view median ms "
        "| ratio (medians) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for content, site, minimal in rows:
        for label, path in [*QUERIES, REFERENCE]:
            t = site[path]
            lines.append(
                f"| {content} | {label} | {t['median']:.1f} | {t['best']:.1f} | {t['cpu']:.1f} "
                f"| {minimal['median']:.2f} | {t['median'] / minimal['median']:.0f}x |"
            )
    lines += ["", f"Adding the volume and rebuilding the search index took {built:.0f} s.", ""]
    report = "\n".join(lines)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"search-{args.db}.md").write_text(report)
    print("\n" + report)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fibrosite.settings")
    sys.path.insert(0, str(ROOT))
    main()
