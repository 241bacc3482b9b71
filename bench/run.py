"""`make bench`: FibroSite under gunicorn beside two baselines, measured with wrk in one run.

    python bench/run.py [--db sqlite|postgres] [--duration 10] [--connections 32]

Servers are pinned to CPU 0 and wrk to CPU 1 (taskset), so the site and the baselines
get the same share of this 2-core machine. Prints a table and writes it to
bench/results/<db>.md. Figures are only comparable within one run: quote the ratios.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
RESULTS = ROOT / "bench" / "results"
LDN = "/articles/low-dose-naltrexone-fibromyalgia-fatigue/"


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
    def __init__(self, app, env, cwd=ROOT, pythonpath=None):
        self.port = free_port()
        env = dict(env)
        if pythonpath:
            env["PYTHONPATH"] = pythonpath
        gunicorn = str(Path(PY).parent / "gunicorn")
        self.process = subprocess.Popen(
            ["taskset", "-c", "0", gunicorn, app, "--workers", "2", "--bind",
             f"127.0.0.1:{self.port}", "--no-control-socket", "--log-level", "warning"],
            env=env, cwd=cwd, start_new_session=True,
        )  # fmt: skip
        self.url = f"http://127.0.0.1:{self.port}"
        wait_for(self.url + "/")

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=20)


def wrk(url, duration, connections):
    out = subprocess.run(
        ["taskset", "-c", "1", "wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
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


def measure(label, url, args, rows, baseline=None):
    wrk(url, 2, args.connections)  # warm up: caches, connections, imports
    result = wrk(url, args.duration, args.connections)
    result["label"] = label
    result["ratio"] = result["rps"] / baseline if baseline else None
    rows.append(result)
    ratio = f"{result['ratio']:.2f}x" if baseline else "-"
    print(f"  {label:<34} {result['rps']:>9.0f} req/s  p50 {result['p50']:>6.2f} ms  "
          f"p99 {result['p99']:>6.2f} ms  ratio {ratio:>6}  non-2xx {result['non2xx']}", flush=True)  # fmt: skip
    return result


def site_env(args, workdir):
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CACHE_"))
    }
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        SITE_URL="http://127.0.0.1:8000",
        MEDIA_ROOT=str(workdir / "media"),
        EMAIL_URL="consolemail://",
        DJANGO_SETTINGS_MODULE="fibrosite.settings",
    )
    if args.db == "postgres":
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    for tool in ("wrk", "taskset"):
        if not shutil.which(tool):
            sys.exit(
                f"{tool} is needed: apt-get install -y {'wrk' if tool == 'wrk' else 'util-linux'}"
            )

    workdir = Path(tempfile.mkdtemp(prefix="fibrosite-bench-"))
    env = site_env(args, workdir)
    manage = [PY, "manage.py"]
    run([*manage, "migrate", "--noinput", "-v0"], env)
    run([*manage, "collectstatic", "--noinput", "-v0"], env)
    run([*manage, "load_demo"], env, stdout=subprocess.DEVNULL)
    manifest = json.loads((ROOT / "staticfiles" / "staticfiles.json").read_text())["paths"]
    css = "/static/" + manifest["css/site.css"]

    rows, scaling = [], []
    servers = []
    try:
        print(f"FibroSite benchmark on {args.db}: wrk -t2 -c{args.connections} -d{args.duration}s, "
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
            scaling.append(measure(label, cold.url + path, args, []))
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
            scaling.append(measure(label, cold.url + path, args, []))
        cold.stop()
        servers.remove(cold)

        site = Server("fibrosite.wsgi", env)
        servers.append(site)
        print(
            "Pages (page cache on, 1,000+ articles), ratio to the minimal Django view:", flush=True
        )
        base = measure("baseline: minimal Django view", minimal.url + "/", args, rows)["rps"]
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
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    write_report(args, rows, scaling)


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


def write_report(args, rows, scaling):
    RESULTS.mkdir(parents=True, exist_ok=True)
    lines = [
        f"FibroSite benchmark, {args.db}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: "
        f"gunicorn 2 workers (CPU 0), wrk -t2 -c{args.connections} -d{args.duration}s (CPU 1).",
        "",
        "| page | req/s | p50 ms | p99 ms | vs minimal view | non-2xx |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        ratio = f"{r['ratio']:.2f}x" if r["ratio"] else "1.00x (baseline)"
        lines.append(
            f"| {r['label']} | {r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f} | {ratio} | {r['non2xx']} |"
        )
    lines += ["", "Scaling with the page cache off (same run):", "",
              "| page | req/s | p50 ms | p99 ms |", "|---|---:|---:|---:|"]  # fmt: skip
    for r in scaling:
        lines.append(f"| {r['label']} | {r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f} |")
    if len(scaling) == 4:
        for i, name in ((0, "/articles/"), (1, "search")):
            lines.append(f"\n{name}: 1,010 articles run at {scaling[i + 2]['rps'] / scaling[i]['rps']:.2f}x "
                         "the speed of 10 articles (target: at least 0.5x).")  # fmt: skip
    report = "\n".join(lines) + "\n"
    (RESULTS / f"{args.db}.md").write_text(report)
    print("\n" + report)


if __name__ == "__main__":
    main()
