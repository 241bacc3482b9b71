"""`make audit`: Lighthouse, axe-core and the Nu HTML checker on the main public pages.

Serves a throwaway copy of the site with production settings under gunicorn (like
`make bench`), then for each page prints Lighthouse's four scores (mobile emulation,
Debian's Chromium, up to three tries: about one run in nine fails with NO_NAVSTART),
axe violations in light and dark mode and at the largest text size (dark), and Nu checker errors. Also reports the article's
HTML size and the CSS size, raw and gzip-compressed. Writes audit/results.md.
"""

import gzip
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "bench"))

from serve import PY, ROOT, Server, run, site_env  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
VNU = HERE / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-quic "
    "--no-first-run --disable-background-networking --disable-component-update --disable-sync"
)


def pages(env):
    code = (
        "import django; django.setup()\n"
        "from store.models import Product\n"
        "print(Product.objects.visible().order_by('pk').first().get_absolute_url())"
    )
    product = subprocess.run(
        [PY, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    return [
        ("home", "/"),
        ("article", "/articles/low-dose-naltrexone-fibromyalgia-fatigue/"),
        ("category", "/articles/category/sleep/"),
        ("search", "/search/?q=sleep"),
        ("faq", "/faq/"),
        ("store", "/store/"),
        ("product", product),
        ("contact", "/contact/"),
    ]


def lighthouse(url, workdir):
    out = workdir / "lighthouse.json"
    for _ in range(3):
        subprocess.run(
            [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
             f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}"],
            env={**os.environ, "CHROME_PATH": CHROMIUM}, check=False, timeout=180,
        )  # fmt: skip
        try:
            report = json.loads(out.read_text())
        except (OSError, ValueError):
            continue
        scores = {c: report["categories"][c]["score"] for c in CATEGORIES}
        if all(score is not None for score in scores.values()):
            failing = [
                audit["id"]
                for audit in report["audits"].values()
                if audit.get("score") is not None and audit["score"] < 1
                and audit.get("scoreDisplayMode") in ("binary", "numeric")
            ]  # fmt: skip
            return {c: round(s * 100) for c, s in scores.items()}, failing
    return {c: None for c in CATEGORIES}, ["lighthouse failed three times"]


def axe(url):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    counts = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_FLAGS.split())
        for look, scheme, size in (("light", "light", ""), ("dark", "dark", ""),
                                   ("largest", "dark", "larger")):  # fmt: skip
            context = browser.new_context(color_scheme=scheme)
            if size:
                context.add_init_script(
                    f"localStorage.setItem('fibrosite-comfort', '{{\"size\": \"{size}\"}}')"
                )
            page = context.new_page()
            page.goto(url)
            violations = Axe().run(page).response["violations"]
            counts[look] = [v["id"] for v in violations]
            context.close()
        browser.close()
    return counts


def nu_errors(files):
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = {}
    for message in messages:
        name = Path(message.get("url", "")).stem
        errors.setdefault(name, []).append(message.get("message", ""))
    return errors


def main():
    # Stop our servers too if this script is stopped (they run in their own sessions).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    for tool in (LIGHTHOUSE, VNU, Path(CHROMIUM)):
        if not tool.exists():
            sys.exit(
                f"missing {tool}: run `make audit` (it installs them) and apt-get install chromium"
            )
    workdir = Path(tempfile.mkdtemp(prefix="fibrosite-audit-"))
    env = site_env("sqlite", workdir)
    run([PY, "manage.py", "migrate", "--noinput", "-v0"], env)
    run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    run([PY, "manage.py", "load_demo"], env, stdout=subprocess.DEVNULL)
    site = Server("fibrosite.wsgi", env)
    rows, html_files, sizes = [], [], {}
    try:
        for name, path in pages(env):
            url = site.url + path
            html = urllib.request.urlopen(url, timeout=10).read()  # noqa: S310 - our server
            file = workdir / f"{name}.html"
            file.write_bytes(html)
            html_files.append(file)
            if name == "article":
                sizes["article HTML"] = (len(html), len(gzip.compress(html)))
            scores, failing = lighthouse(url, workdir)
            rows.append({"page": name, "path": path, **scores, "failing": failing, "axe": axe(url)})
            print(f"{name:<8} {scores}  axe {rows[-1]['axe']}  {failing}", flush=True)
        css_name = json.loads((ROOT / "staticfiles" / "staticfiles.json").read_text())["paths"][
            "css/site.css"
        ]
        css = (ROOT / "staticfiles" / css_name).read_bytes()
        sizes["CSS"] = (len(css), len((ROOT / "staticfiles" / (css_name + ".gz")).read_bytes()))
        errors = nu_errors(html_files)
    finally:
        site.stop()
    report(rows, errors, sizes)


def report(rows, errors, sizes):
    lines = [
        f"FibroSite audit, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: production settings "
        "under gunicorn; Lighthouse 12.2.3 (mobile) on Debian's Chromium; axe-core via "
        "axe-playwright-python; Nu HTML checker (vnu-jar 26.9.27, errors only).",
        "",
        "| page | performance | accessibility | best practices | SEO | axe light | axe dark | axe largest text | Nu errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['page']} (`{r['path']}`) | {r['performance']} | {r['accessibility']} | "
            f"{r['best-practices']} | {r['seo']} | {len(r['axe']['light'])} | {len(r['axe']['dark'])} | {len(r['axe']['largest'])} | "
            f"{len(errors.get(r['page'], []))} |"
        )
    lines += ["", "| file | raw bytes | gzip bytes |", "|---|---:|---:|"]
    lines += [f"| {name} | {raw:,} | {packed:,} |" for name, (raw, packed) in sizes.items()]
    problems = [
        f"- {r['page']}: Lighthouse below 100 on {', '.join(r['failing'])}"
        for r in rows
        if r["failing"]
    ]
    problems += [f"- {r['page']}: axe {r['axe']}" for r in rows if any(r["axe"].values())]
    problems += [f"- {page}: {msg}" for page, msgs in errors.items() for msg in msgs]
    if problems:
        lines += ["", "Details:", *problems]
    text = "\n".join(lines) + "\n"
    (HERE / "results.md").write_text(text)
    print("\n" + text)


if __name__ == "__main__":
    main()
