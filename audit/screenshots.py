"""`make screenshots`: phone and desktop screenshots of the main pages, light, dark and with the
largest text size, into artifacts/screenshots/ (git-ignored).

Serves a throwaway copy of the site with production settings under gunicorn (as `make audit`
does) and drives Debian's Chromium. `--docs` also refreshes the first-screen pair the README
shows (docs/article-phone.png and docs/article-desktop.png).
"""

import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.append(str(HERE.parent / "bench"))  # after audit/, whose run.py is the one meant

from run import CHROME_FLAGS, CHROMIUM, pages  # noqa: E402
from serve import PY, ROOT, Server, run, site_env  # noqa: E402

OUT = ROOT / "artifacts" / "screenshots"
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
LOOKS = {"light": ("light", None), "dark": ("dark", None), "largest-text": ("light", "larger")}


def main():
    from playwright.sync_api import sync_playwright

    docs = "--docs" in sys.argv
    workdir = Path(tempfile.mkdtemp(prefix="fibrosite-screenshots-"))
    env = site_env("sqlite", workdir)
    run([PY, "manage.py", "migrate", "--noinput", "-v0"], env)
    run([PY, "manage.py", "createcachetable"], env)
    run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    run([PY, "manage.py", "load_demo"], env, stdout=subprocess.DEVNULL)
    site = Server("fibrosite.wsgi", env)
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_FLAGS.split())
            for size_name, size in SIZES.items():
                for look, (scheme, text) in LOOKS.items():
                    context = browser.new_context(viewport=size, color_scheme=scheme)
                    if text:
                        context.add_init_script(
                            f"localStorage.setItem('fibrosite-comfort', '{{\"size\": \"{text}\"}}')"
                        )
                    page = context.new_page()
                    for name, path in pages(env):
                        page.goto(site.url + path, wait_until="load")
                        file = OUT / f"{name}-{size_name}-{look}.png"
                        page.screenshot(path=str(file), full_page=True)
                        if docs and name == "article" and look == "light":
                            page.screenshot(path=str(ROOT / "docs" / f"article-{size_name}.png"))
                    context.close()
            browser.close()
    finally:
        site.stop()
    print(f"Screenshots in {OUT.relative_to(ROOT)}/ ({len(list(OUT.glob('*.png')))} files)")


if __name__ == "__main__":
    main()
