"""`make bench`, part three: anonymous pages through the shipped nginx front.

    python bench/front.py [--db sqlite|postgres] [--duration 5] [--rounds 3] [--connections 32]

deploy/nginx.conf as shipped (only ports and paths changed, as in fibrosite/tests/test_front.py)
in front of two gunicorn instances, all on CPU 0; wrk on CPU 1, over HTTPS. Each page
alternates with the machine's limit, nginx serving a 10 KB static file through the same
front, and its ratio is the median of the rounds' ratios (target: at least 0.8x, p99 under
20 ms). Writes bench/results/front-<db>.md.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from run import LDN, wrk  # noqa: E402
from serve import PY, Server, drop_site_database, run, site_env  # noqa: E402

from fibrosite.tests.front import HOST, Front  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


# What Chromium sends. Pages come back gzipped from the site's page cache (compressed once,
# when stored); the 10 KB static file is text/plain, which the front never compresses.
BROWSER_ENCODING = "gzip, deflate, br, zstd"


def measure(label, url, static_url, args, encoding=BROWSER_ENCODING):
    extra = ["-H", f"Host: {HOST}"] + (["-H", f"Accept-Encoding: {encoding}"] if encoding else [])
    wrk(url, 2, args.connections, extra)  # warm up: the micro-cache, TLS sessions, workers
    pages, bases = [], []
    for n in range(args.rounds):
        turns = [(pages, url), (bases, static_url)]
        for runs, target in turns if n % 2 == 0 else reversed(turns):
            runs.append(wrk(target, args.duration, args.connections, extra))
    row = {
        "label": label,
        "rps": median(r["rps"] for r in pages),
        "p50": median(r["p50"] for r in pages),
        "p99": median(r["p99"] for r in pages),
        "static_rps": median(r["rps"] for r in bases),
        "static_p99": median(r["p99"] for r in bases),
        "ratio": median(p["rps"] / b["rps"] for p, b in zip(pages, bases, strict=True)),
        "non2xx": sum(r["non2xx"] for r in pages),
    }
    print(f"  {label:<28} {row['rps']:>8.0f} req/s  p99 {row['p99']:>6.2f} ms  "
          f"static {row['static_rps']:>8.0f} req/s  ratio {row['ratio']:.2f}x", flush=True)  # fmt: skip
    return row


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="fibrosite-front-"))
    env = site_env(args.db, workdir)
    env.update(
        SITE_URL=f"https://{HOST}", TRUSTED_PROXY_COUNT="1", DJANGO_SERVE_MEDIA="false",
        STATIC_ROOT=str(workdir / "static"),
    )  # fmt: skip
    servers, nginx, rows = [], None, []
    try:
        run([PY, "manage.py", "migrate", "--noinput", "-v0"], env)
        run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env)
        run([PY, "manage.py", "load_demo"], env, stdout=subprocess.DEVNULL)
        (workdir / "static" / "bench-10k.txt").write_bytes(b"x" * 10_240)
        for _ in range(2):
            servers.append(Server("fibrosite.wsgi", env, ready_path="/healthz"))
        nginx = Front(
            workdir / "nginx", [f"127.0.0.1:{s.port}" for s in servers],
            workdir / "static", workdir / "media", cpu="0",
        )  # fmt: skip
        static = nginx.url + "/static/bench-10k.txt"
        print(f"Through the shipped nginx front ({args.db}), beside nginx serving a 10 KB "
              "static file:", flush=True)  # fmt: skip
        for label, path in (("home", "/"), ("article", LDN), ("/articles/", "/articles/")):
            rows.append(measure(label, nginx.url + path, static, args))
        # For comparison: a client that asks for no compression gets 2-3x the bytes.
        rows.append(measure("article, uncompressed", nginx.url + LDN, static, args, None))
    finally:
        if nginx:
            nginx.stop()
        for server in servers:
            server.stop()
        drop_site_database(env)
        shutil.rmtree(workdir, ignore_errors=True)
    lines = [
        f"Anonymous pages through deploy/nginx.conf, {args.db}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: nginx (1 worker) and two "
        f"gunicorn instances (2 workers each) on CPU 0, wrk -t2 -c{args.connections} over "
        "HTTPS on CPU 1, sending Chromium's Accept-Encoding (pages come back gzipped, "
        "the static file as it is) except where a row says uncompressed. Pages and the "
        f"static file alternate; medians of {args.rounds} windows of {args.duration} s.",
        "",
        "| page | req/s | p50 ms | p99 ms | static 10 KB req/s | static p99 ms | ratio | non-2xx |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['label']} | {r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f} | "
            f"{r['static_rps']:.0f} | {r['static_p99']:.2f} | {r['ratio']:.2f}x | {r['non2xx']} |"
        )
    lines.append("\nTarget: at least 0.8x the static file's requests per second, p99 under 20 ms.")
    report = "\n".join(lines) + "\n"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"front-{args.db}.md").write_text(report)
    print("\n" + report)


if __name__ == "__main__":
    main()
