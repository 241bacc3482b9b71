"""`make screenshots`: phone and desktop screenshots of the main pages, light, dark and with the
largest text size, into artifacts/screenshots/ (git-ignored).

Serves a throwaway copy of the site with production settings under gunicorn (as `make audit`
does) and drives Debian's Chromium. `--docs` also refreshes the first-screen pair the README
shows (docs/article-phone.png and docs/article-desktop.png) and the editor with its
side-by-side preview (docs/editor-side-by-side.png).
"""

import base64
import secrets
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
EDITOR_ARTICLE = "Is low-dose naltrexone"
# A photo dropped into the body after its first paragraph, as an editor drags one in.
DROP_PHOTO = """(b64) => {
  const body = document.querySelector("#id_body");
  const at = body.value.indexOf("\\n\\n") + 2;
  body.focus();
  body.setSelectionRange(at, at);
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], "heat-pack.jpg", {type: "image/jpeg"}));
  body.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true}));
}"""

# Then described, with a blank line before the heading that follows, as the editor would.
DESCRIBE_PHOTO = """() => {
  const body = document.querySelector("#id_body");
  body.value = body.value.replace(/!\\[Describe this image\\]\\(([^)]+)\\)/,
    "![A heat pack wrapped in a towel on a sofa]($1)\\n\\n");
  body.dispatchEvent(new Event("input", {bubbles: true}));
}"""


def editor_screenshot(browser, site, env):
    """The demo article in the editor at 1,280 px: the markdown beside its preview."""
    sys.path.append(str(ROOT))
    from core.demo_images import soft_picture

    password = secrets.token_urlsafe(16)
    run(
        [PY, "manage.py", "createsuperuser", "--noinput", "--username", "docs",
         "--email", "docs@example.org"],
        {**env, "DJANGO_SUPERUSER_PASSWORD": password}, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(site.url + "/admin/login/")
    page.fill("#id_username", "docs")
    page.fill("#id_password", password)
    page.get_by_role("button", name="Log in").click()
    page.goto(site.url + "/admin/articles/article/")
    page.get_by_role("link", name=EDITOR_ARTICLE).first.click()
    photo = base64.b64encode(soft_picture("docs-editor", size=(1200, 800)).read()).decode()
    page.evaluate(DROP_PHOTO, photo)
    page.locator(".editor-upload-message").filter(has_text="was added").wait_for()
    page.evaluate(DESCRIBE_PHOTO)
    # Locators reach into the preview's shadow root; the admin's CSP allows no eval.
    shown = page.locator(".site-preview img[alt^='A heat pack']")
    shown.wait_for()
    for _ in range(100):
        if shown.evaluate("i => i.complete && i.naturalWidth > 0"):
            break
        page.wait_for_timeout(100)
    page.evaluate(
        "window.scrollBy(0, document.querySelector('.field-body').getBoundingClientRect().top - 8)"
    )
    page.screenshot(path=str(ROOT / "docs" / "editor-side-by-side.png"))
    page.close()


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
            if docs:
                editor_screenshot(browser, site, env)
            browser.close()
    finally:
        site.stop()
    print(f"Screenshots in {OUT.relative_to(ROOT)}/ ({len(list(OUT.glob('*.png')))} files)")


if __name__ == "__main__":
    main()
