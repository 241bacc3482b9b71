"""Faults with real parts: many writers on one SQLite file, PostgreSQL going away and back."""

import os
import shutil
import socket
import subprocess
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import Client

from articles.models import FAQ, Article, Category
from articles.tests.conftest import image_bytes
from community.models import ContactMessage, OutboundEmail
from community.tests.conftest import stamp
from conftest import free_port
from fibrosite.tests.served import ServedSite, fetch


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_twenty_people_sending_the_contact_form_at_once_all_get_saved(thread_connections, settings):
    """No "database is locked": WAL, immediate transactions and a busy timeout on SQLite."""
    settings.COMMUNITY_RATE_LIMITS = {**settings.COMMUNITY_RATE_LIMITS, "contact": (100, 600)}
    settings.NOTIFY_EMAILS = ["editors@fibrosite.test"]
    writers = 20
    barrier = threading.Barrier(writers)
    results, errors = [], []

    def send(n):
        thread_connections()
        try:
            barrier.wait()
            response = Client().post(
                "/contact/",
                {"name": f"Reader {n}", "email": f"r{n}@example.org", "topic": "question",
                 "message": "Hello", "consent": "on", "started": stamp(), "leave_empty": ""},
                REMOTE_ADDR=f"127.0.0.{n + 1}",
            )  # fmt: skip
            results.append(response.status_code)
        except Exception as error:  # collected: a thread can't fail the test itself
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert results == [302] * writers
    thread_connections()
    assert ContactMessage.objects.count() == writers
    assert OutboundEmail.objects.filter(kind="contact").count() == writers


class ClosableProxy:
    """A TCP proxy to PostgreSQL that a test can cut and restore, like a network outage."""

    def __init__(self, target_port):
        self.target = ("127.0.0.1", target_port)
        self.port = free_port()
        self.open = False
        self.sockets = []
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()
        self.restore()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            # Connections made while open are tracked and closed by cut().
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self):
        self.open = False
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        self.sockets = []

    def close(self):
        self.cut()
        self.listener.close()

    def restore(self):
        self.open = True


@pytest.mark.fault
def test_database_outage_gives_a_calm_500_and_the_site_recovers_without_restart(tmp_path):
    """gunicorn with production settings on PostgreSQL through a proxy we cut and restore."""
    if not shutil.which("createdb"):
        pytest.fail("PostgreSQL client tools are needed for this fault test")
    name = f"fibrosite_fault_{os.getpid()}"
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    proxy = ClosableProxy(5432)
    database = f"postgres://postgres@127.0.0.1:{proxy.port}/{name}"
    try:
        with ServedSite(tmp_path, database, PAGECACHE_SECONDS="0") as site:
            assert fetch(site.url + "/")[0] == 200

            proxy.cut()
            status, _, body = fetch(site.url + "/")
            assert status == 500
            assert "Sorry, something went wrong on our side" in body and "Traceback" not in body
            status, _, body = fetch(site.url + "/healthz")
            assert status == 503 and '"database": "unavailable"' in body

            proxy.restore()
            assert fetch(site.url + "/healthz")[0] == 200
            status, _, body = fetch(site.url + "/")
            assert status == 200 and "Living well with fibromyalgia" in body
    finally:
        proxy.close()
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name])


@pytest.fixture
def full_disk(settings, tmp_path):
    """MEDIA_ROOT (and the staging folder uploads wait in for the worker) on a tiny tmpfs
    that is already full: writes fail with ENOSPC."""
    media = tmp_path / "full-media"
    media.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(media)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.fail(f"this fault test needs root to mount a tmpfs: {mounted.stderr!r}")
    try:
        (media / "uploads").mkdir()
        (media / "articles").mkdir()
        (media / "pending").mkdir()
        filler = media / "filler"
        with filler.open("wb") as handle:
            try:
                while True:
                    handle.write(b"\0" * 4096)
                    handle.flush()
            except OSError:
                pass
        settings.MEDIA_ROOT = settings.UPLOAD_STAGING_ROOT = media
        yield media
    finally:
        subprocess.run(["umount", str(media)], check=False)


def stored_files(media):
    return sorted(
        str(p.relative_to(media)) for p in media.rglob("*") if p.is_file() and p.name != "filler"
    )


@pytest.mark.fault
@pytest.mark.django_db
def test_editor_upload_on_a_full_disk_is_a_clear_error_with_no_partial_file(
    admin_client, full_disk
):
    image = SimpleUploadedFile("photo.png", image_bytes(size=(600, 600)), content_type="image/png")
    response = admin_client.post("/editor/upload/", {"image": image})
    assert response.status_code == 507
    assert "could not store this image" in response.json()["image"][0]
    assert stored_files(full_disk) == []


def article_post(category, **fields):
    """The admin's article form as an editor sends it, with one FAQ typed in."""
    return {
        "title": "Quiet nights", "slug": "quiet-nights", "summary": "Rest.",
        "body": "A long draft the editor typed.", "status": "published",
        "publish_at_0": "2026-01-10", "publish_at_1": "09:00:00", "category": category.pk,
        "hero_alt": "A dark bedroom", "reviewer_name": "", "last_reviewed": "",
        **{f"{p}-{k}": v for p in ("faqs", "references") for k, v in (
            ("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"), ("MIN_NUM_FORMS", "0"),
            ("MAX_NUM_FORMS", "1000"))},
        "faqs-TOTAL_FORMS": "1", "faqs-0-question": "Can I nap?",
        "faqs-0-answer": "Yes, briefly.", "faqs-0-order": "0",
        **fields,
    }  # fmt: skip


@pytest.mark.fault
@pytest.mark.django_db
@pytest.mark.parametrize("editing", [False, True], ids=["new article", "existing article"])
def test_article_saved_with_an_image_on_a_full_disk_saves_nothing(admin_client, full_disk, editing):
    category = Category.objects.create(name="Sleep", slug="sleep")
    url = "/admin/articles/article/add/"
    if editing:
        article = Article.objects.create(
            title="Old title", slug="quiet-nights", summary="Rest.", body="Old body.",
            category=category,
        )  # fmt: skip
        url = f"/admin/articles/article/{article.pk}/change/"
    image = SimpleUploadedFile("hero.png", image_bytes(size=(900, 600)), content_type="image/png")
    response = admin_client.post(url, article_post(category, hero_image=image))
    assert response.status_code == 200  # the form again, not a redirect or a 500
    html = response.content.decode()
    assert "could not be stored" in html and "Everything you typed is still here" in html
    assert 'value="Quiet nights"' in html and "A long draft the editor typed." in html
    assert 'value="Can I nap?"' in html and "Yes, briefly." in html  # the inline too
    if editing:  # nothing half-saved: the old text and no FAQ
        assert Article.objects.get().title == "Old title" and not FAQ.objects.exists()
    else:
        assert not Article.objects.exists()  # no row pointing at a missing file
    assert stored_files(full_disk) == []  # no partial file
