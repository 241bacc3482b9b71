import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connections
from django.db.utils import load_backend


@pytest.fixture(autouse=True)
def _fresh_cache_and_media(settings, tmp_path):
    """Each test starts with an empty cache (Redis on the PostgreSQL leg) and its own media."""
    for cache in caches.all():
        cache.clear()
    from core.pagecache import process_version

    process_version.forget()  # a version read in the last test's (rolled back) transaction
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.UPLOAD_STAGING_ROOT = tmp_path / "staging"
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _search_indexes_at_once(request, monkeypatch):
    """Each test runs in a transaction that is rolled back, so on-commit callbacks never
    run: saves reach the search index at once, through the worker's own code. Tests marked
    `search_after_commit` see the real path (one task queued once the save commits)."""
    if request.node.get_closest_marker("search_after_commit"):
        return
    from articles import search

    monkeypatch.setattr(
        search, "_queue", lambda model, pk: search.reindex([(model._meta.label, pk)])
    )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A throwaway redis-server on a spare port that a test may stop for real."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis():
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is needed for fault tests (Debian package redis-server)")
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def thread_connections(tmp_path):
    """Give each thread its own connection to a database that handles concurrent writers.

    PostgreSQL: the test database itself. SQLite: the in-memory test database answers a
    second writer with "table is locked" instead of queueing it, so the threads use a
    migrated database file with the production options (WAL, IMMEDIATE, busy timeout).
    Returns the function each thread calls first.
    """
    main = connections["default"]
    if not (main.vendor == "sqlite" and main.is_in_memory_db()):
        yield lambda: None
        return
    file_settings = {**main.settings_dict, "NAME": str(tmp_path / "concurrent.sqlite3")}

    def connect():
        connections["default"] = load_backend(main.settings_dict["ENGINE"]).DatabaseWrapper(
            file_settings, "default"
        )

    connect()
    try:
        call_command("migrate", verbosity=0)
        yield connect
    finally:
        connections["default"].close()
        connections["default"] = main


@pytest.fixture
def task_queue():
    """Tasks are queued and not run, as with the real queue before the worker gets to them;
    yields the list of queued results (each has .task and .args)."""
    from django.tasks.backends.dummy import DummyBackend

    from core.tasks import task_backend

    with task_backend(DummyBackend(alias="default", params={})) as backend:
        yield backend.results


# Shared content factories: one place for the objects most tests start from. App-specific
# fixtures (an article with FAQs and references, products) build on these.


@pytest.fixture
def category(db):
    from articles.models import Category

    return Category.objects.create(name="Fatigue", slug="fatigue", order=1)


@pytest.fixture
def make_article(category):
    """make_article(**fields): a published article, a day older than the one before."""
    from datetime import timedelta

    from django.utils import timezone

    from articles.models import Article

    counter = iter(range(1, 100_000))

    def make(**fields):
        n = next(counter)
        tags = fields.pop("tags", [])
        defaults = {
            "title": f"Article {n}",
            "slug": f"article-{n}",
            "summary": "First point\nSecond point",
            "body": "## One\n\nText about pacing and energy.",
            "category": category,
            "status": Article.Status.PUBLISHED,
            "publish_at": timezone.now() - timedelta(days=n),
        }
        article = Article.objects.create(**{**defaults, **fields})
        article.tags.set(tags)
        return article

    return make
