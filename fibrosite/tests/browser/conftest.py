"""Real-browser tests: Playwright driving Debian's Chromium against pytest-django's live server."""

import os
import shutil
from io import StringIO

import pytest
from django.core.management import call_command

# The live server runs in a thread beside Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


# Rows a flushed test database has already (recreated by migrate's signal) or that are
# no part of the demo's content.
NOT_DEMO = ["contenttypes", "auth.permission", "sessions", "admin.logentry"]


@pytest.fixture(scope="session")
def demo_snapshot(tmp_path_factory):
    """The demo's rows and media files, as the first test to need them loaded them."""
    folder = tmp_path_factory.mktemp("demo")
    return {"rows": folder / "rows.json", "media": folder / "media"}


@pytest.fixture
def demo(transactional_db, settings, demo_snapshot):
    """The demo content, loaded as `make run` would.

    load_demo draws and resizes every picture (about 8 s), so it runs once a session; each
    later test gets the same rows (loaddata) and media files back, in under a second.
    """
    rows, media = demo_snapshot["rows"], demo_snapshot["media"]
    if not rows.exists():
        call_command("load_demo", stdout=StringIO())
        call_command(
            "dumpdata", natural_foreign=True, exclude=NOT_DEMO, output=str(rows), verbosity=0
        )
        shutil.copytree(settings.MEDIA_ROOT, media)
        return
    call_command("loaddata", str(rows), verbosity=0)
    shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
