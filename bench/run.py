"""`make bench`: FibroSite under gunicorn beside two baselines, measured with wrk in one run.

    python bench/run.py [--db sqlite|postgres] [--duration 5] [--rounds 3] [--connections 32]

Servers are pinned to CPU 0 and wrk to CPU 1 (taskset), so the site and the baselines
get the same share of this 2-core machine. Every page is measured in turns with the
minimal view, and its ratio is the median of the rounds' ratios (the machine's speed
drifts within a run). Requests carry Chromium's Accept-Encoding, as every reader's
browser sends it (cached pages come back gzipped; the minimal view answers as it always
does), except where a row says uncompressed. Prints a table and writes it to
bench/results/<db>.md. Quote the ratios, not the raw numbers.
"""

import argparse
import json
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serve import PY, ROOT, Server, drop_site_database, run, site_env, status_of  # noqa: E402

RESULTS = ROOT / "bench" / "results"
LDN = "/articles/low-dose-naltrexone-fibromyalgia-fatigue/"
BROWSER = ["-H", "Accept-Encoding: gzip, deflate, br, zstd"]  # what Chromium sends


def wrk(url, duration, connections, extra=()):
    out = subprocess.run(
        ["taskset", "-c", "1", "wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency",
         *extra, url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p):
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {"rps": rps, "p50": pct(50), "p99": pct(99), "non2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(0) if errors else ""}  # fmt: skip


def measure(label, url, args, rows, baseline_url, extra=BROWSER):
    """wrk on a page and on the minimal view in turns; the median of the rounds' ratios.

    This machine's speed drifts by 15% from one few-second window to the next, so the
    page and its baseline alternate (page first in odd rounds, baseline first in even
    ones) and each round's ratio compares two neighbouring windows.
    """
    wrk(url, 2, args.connections, extra)  # warm up: caches, connections, imports
    wrk(baseline_url, 1, args.connections, extra)
    pages, bases = [], []
    for n in range(args.rounds):
        turns = [(pages, url), (bases, baseline_url)]
        for runs, target in turns if n % 2 == 0 else reversed(turns):
            runs.append(wrk(target, args.duration, args.connections, extra))
    result = {key: median(run[key] for run in pages) for key in ("rps", "p50", "p99")}
    result["non2xx"] = sum(run["non2xx"] for run in pages)
    result["label"] = label
    result["baseline"] = {key: median(run[key] for run in bases) for key in ("rps", "p99")}
    result["baseline"]["non2xx"] = sum(run["non2xx"] for run in bases)
    result["ratio"] = median(
        page["rps"] / base["rps"] for page, base in zip(pages, bases, strict=True)
    )
    rows.append(result)
    print(f"  {label:<34} {result['rps']:>9.0f} req/s  p50 {result['p50']:>6.2f} ms  "
          f"p99 {result['p99']:>6.2f} ms  ratio {result['ratio']:.2f}x  non-2xx {result['non2xx']}",
          flush=True)  # fmt: skip
    return result


def main():
    # Stop our servers too if this script is stopped (they run in their own sessions).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk window")
    parser.add_argument("--rounds", type=int, default=3, help="page/baseline pairs per page")
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if args.rounds < 1 or args.duration < 1:
        parser.error("--rounds and --duration must be at least 1")
    for tool in ("wrk", "taskset"):
        if not shutil.which(tool):
            sys.exit(
                f"{tool} is needed: apt-get install -y {'wrk' if tool == 'wrk' else 'util-linux'}"
            )

    workdir = Path(tempfile.mkdtemp(prefix="fibrosite-bench-"))
    env = site_env(args.db, workdir)
    manage = [PY, "manage.py"]
    run([*manage, "migrate", "--noinput", "-v0"], env)
    run([*manage, "collectstatic", "--noinput", "-v0"], env)
    run([*manage, "load_demo"], env, stdout=subprocess.DEVNULL)
    manifest = json.loads((ROOT / "staticfiles" / "staticfiles.json").read_text())["paths"]
    css = "/static/" + manifest["css/site.css"]

    rows, scaling, visible = [], [], None
    servers = []
    try:
        print(f"FibroSite benchmark on {args.db}: wrk -t2 -c{args.connections}, "
              "servers on CPU 0, wrk on CPU 1", flush=True)  # fmt: skip
        minimal_env = {**env, "DJANGO_SETTINGS_MODULE": "minimal.settings"}
        minimal = Server("minimal.wsgi", minimal_env, cwd=ROOT / "bench")
        servers.append(minimal)
        print("Scaling check, page cache off (10 demo articles):", flush=True)
        cold_env = {**env, "PAGECACHE_SECONDS": "0"}
        cold = Server("fibrosite.wsgi", cold_env)
        servers.append(cold)
        for label, path in (
            ("/articles/ (10 articles)", "/articles/"),
            ("search (10 articles)", "/search/?q=sleep"),
        ):
            scaling.append(measure(label, cold.url + path, args, [], minimal.url + "/"))
        cold.stop()
        servers.remove(cold)

        run([PY, "bench/volume.py"], env, stdout=subprocess.DEVNULL)
        cold = Server("fibrosite.wsgi", cold_env)
        servers.append(cold)
        print("Scaling check, page cache off (1,000+ articles):", flush=True)
        for label, path in (
            ("/articles/ (1,010 articles)", "/articles/"),
            ("search (1,010 articles)", "/search/?q=sleep"),
        ):
            scaling.append(measure(label, cold.url + path, args, [], minimal.url + "/"))
        cold.stop()
        servers.remove(cold)

        site = Server("fibrosite.wsgi", env)
        servers.append(site)
        print(
            "Pages (page cache on, 1,000+ articles), ratio to the minimal Django view:", flush=True
        )
        base = minimal.url + "/"
        measure("baseline: static CSS (WhiteNoise)", site.url + css, args, rows, base)
        pages = [("home", "/"), ("article", LDN), ("/articles/", "/articles/"), ("/faq/", "/faq/"),
                 ("search", "/search/?q=sleep"), ("/store/", "/store/")]  # fmt: skip
        product = first_product_path(env)
        if product:
            pages.append(("product", product))
        for label, path in pages:
            if status_of(site.url + path) != 200:
                print(f"  {label}: skipped (HTTP {status_of(site.url + path)})")
                continue
            measure(label, site.url + path, args, rows, base)
        # A client that doesn't take gzip gets the plain copy: 4x the bytes on the wire.
        measure("article, uncompressed", site.url + LDN, args, rows, base, extra=())
        visible = save_visible(site.url, env)
        print(f"  an editor's save visible on every worker after {visible[0]:.2f} s "
              f"(median of 5; worst {visible[1]:.2f} s)", flush=True)  # fmt: skip
    finally:
        for server in servers:
            server.stop()
        drop_site_database(env)
        shutil.rmtree(workdir, ignore_errors=True)
    write_report(args, rows, scaling, visible)


SAVE_CODE = """
import django; django.setup()
from articles.models import Article
article = Article.objects.get(slug="low-dose-naltrexone-fibromyalgia-fatigue")
article.title = "{title}"
article.save()
"""


def save_visible(site_url, env, saves=5, streak=40):
    """Seconds from an editor's save (committed by another process) until every request
    that follows shows it: the first of `streak` consecutive fresh pages, from both
    workers, each on a new connection. Median and worst of `saves` saves."""
    import urllib.request

    waits = []
    for n in range(saves):
        title = f"Low-dose naltrexone, revision {n} {time.time():.0f}"
        run([PY, "-c", SAVE_CODE.format(title=title)], env)
        saved, fresh_since, seen = time.monotonic(), None, 0
        while seen < streak:
            page = urllib.request.urlopen(site_url + LDN, timeout=5).read().decode()  # noqa: S310
            now = time.monotonic()
            if title in page:
                fresh_since = fresh_since or now
                seen += 1
            else:
                fresh_since, seen = None, 0
            if now - saved > 30:
                raise RuntimeError("an editor's save was still not visible after 30 s")
        waits.append(fresh_since - saved)
    return median(waits), max(waits)


def first_product_path(env):
    code = (
        "import django; django.setup()\n"
        "from django.apps import apps\n"
        "Product = apps.get_model('store', 'Product') if apps.is_installed('store') else None\n"
        "p = Product and Product.objects.order_by('pk').first()\n"
        "print(p.get_absolute_url() if p else '')"
    )
    try:
        return subprocess.run([PY, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()  # fmt: skip
    except (subprocess.CalledProcessError, LookupError):
        return ""


def write_report(args, rows, scaling, visible=None):
    RESULTS.mkdir(parents=True, exist_ok=True)
    lines = [
        f"FibroSite benchmark, {args.db}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: "
        f"gunicorn 2 workers (CPU 0), wrk -t2 -c{args.connections} (CPU 1).",
        "",
        f"Each page and the minimal Django view (its baseline) take turns, {args.rounds} windows",
        f"of {args.duration} s each; figures are medians, and the ratio is the median of the",
        "rounds' page/baseline ratios (the machine's speed drifts within a run). Requests send",
        "Chromium's Accept-Encoding (cached pages come back gzipped), except the uncompressed row.",
        "",
        "| page | req/s | p50 ms | p99 ms | minimal view req/s | minimal view p99 ms | ratio | non-2xx (page; baseline) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        base = r["baseline"]
        lines.append(
            f"| {r['label']} | {r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f} | {base['rps']:.0f} "
            f"| {base['p99']:.2f} | {r['ratio']:.2f}x | {r['non2xx']}; {base['non2xx']} |"
        )
    lines += ["", "Scaling with the page cache off (same run; each beside its own minimal-view baseline):",
              "", "| page | req/s | p50 ms | p99 ms | minimal view req/s | ratio |",
              "|---|---:|---:|---:|---:|---:|"]  # fmt: skip
    for r in scaling:
        lines.append(f"| {r['label']} | {r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f} "
                     f"| {r['baseline']['rps']:.0f} | {r['ratio']:.3f}x |")  # fmt: skip
    if len(scaling) == 4:
        for i, name in ((0, "/articles/"), (1, "search")):
            lines.append(f"\n{name}: 1,010 articles run at {scaling[i + 2]['ratio'] / scaling[i]['ratio']:.2f}x "
                         "the speed of 10 articles, each taken as a ratio to its baseline "
                         "(target: at least 0.5x).")  # fmt: skip
    if visible:
        lines.append(f"\nAn editor's save (another process, committed) visible on every worker "
                     f"after {visible[0]:.2f} s, median of 5 saves (worst {visible[1]:.2f} s; "
                     "target: within 2 s): each process reuses the content version it read "
                     "for at most 1 s.")  # fmt: skip
    report = "\n".join(lines) + "\n"
    (RESULTS / f"{args.db}.md").write_text(report)
    print("\n" + report)


if __name__ == "__main__":
    main()
