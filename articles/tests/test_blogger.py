"""The Blogger importer, end to end: real export files in both formats, a real image
server on 127.0.0.1, images read back from storage, the command's exit status."""

import http.server
import io
import threading
import time
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connections
from PIL import ExifTags, Image

from articles.blogger import convert, exports
from articles.blogger.fetch import FetchFailed, FetchRefused, fetch, is_public
from articles.models import Article, BloggerImport, BloggerItem, Category, Tag
from community.models import Comment


@pytest.fixture(autouse=True)
def _private_imports(settings, tmp_path):
    settings.BLOGGER_IMPORT_ROOT = tmp_path / "imports"


def gps_jpeg():
    image = Image.new("RGB", (400, 300), (200, 120, 80))
    exif = Image.Exif()
    exif[ExifTags.Base.Model] = "Pocket Camera 9"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 40.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


class _Handler(http.server.BaseHTTPRequestHandler):
    files = {}

    def do_GET(self):  # noqa: N802 - http.server's API name
        if self.path == "/redirect-to-file":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
            return
        body = self.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def image_server():
    _Handler.files = {
        "/img/a/s1600/garden.jpg": gps_jpeg(),
        "/img/a/s320/garden.jpg": b"small copy: must not be the one fetched",
        "/img/not-an-image.jpg": b"<html>this is a web page</html>",
    }
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


MESSY = (
    '<div dir="ltr" style="text-align: left;" trbidi="on">'
    '<span style="font-family: &quot;Arial&quot;; font-size: small;">Pacing&nbsp;means '
    "stopping <b>before</b> you crash.</span><br /><br /><br />"
    "Rest is part of the plan.<br />Not a reward.<br /><br />"
    '<div class="separator" style="clear: both; text-align: center;">'
    '<a href="{base}/img/a/s1600/garden.jpg" imageanchor="1" style="margin-left: 1em;">'
    '<img border="0" src="{base}/img/a/s320/garden.jpg" width="320" height="240" /></a></div>'
    '<a href="javascript:alert(1)">click me</a> <a href="https://example.org/pacing" '
    'onmouseover="steal()">a pacing guide</a>'
    '<iframe width="320" height="266" src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>'
    "<script>document.cookie</script><style>body{{color:red}}</style>"
    '<img src="x" onerror="alert(2)" /></div>'
)


def blog(base, **changes):
    entries = [
        {
            "kind": "post", "id": "1001", "title": "Pacing on bad days",
            "published": "2024-03-05T09:30:00.000Z", "updated": "2024-03-06T10:00:00.000Z",
            "labels": ["fatigue", "Pacing"], "path": "/2024/03/pacing-on-bad-days.html",
            "html": MESSY.format(base=base),
        },
        {
            "kind": "post", "id": "1002", "status": "draft", "title": "Notes on sleep",
            "published": "2024-04-01T08:00:00.000Z", "html": "<p>Half written.</p>",
        },
        {
            "kind": "post", "id": "1003", "status": "deleted", "title": "Gone",
            "published": "2024-04-02T08:00:00.000Z", "html": "<p>Deleted.</p>",
            "path": "/2024/04/gone.html",
        },
        {
            "kind": "post", "id": "1004", "title": "Broken pictures",
            "published": "2024-05-01T08:00:00.000Z", "path": "/2024/05/broken-pictures.html",
            "html": f'<p>One is missing: <img src="{base}/img/missing.jpg" alt="a chart" />'
            f' one is a page: <img src="{base}/img/not-an-image.jpg" /></p>',
        },
        {
            "kind": "page", "id": "2001", "title": "About me",
            "published": "2023-01-01T00:00:00.000Z", "path": "/p/about.html",
            "html": "<p>I have lived with fibromyalgia since 2010.</p>",
        },
        {
            "kind": "comment", "id": "3001", "parent": "1001", "author": "Maria G.",
            "published": "2024-03-07T18:45:00.000Z",
            "html": "Thank you! <b>So</b> helpful<br />Really.<script>alert(3)</script>"
            "<a href='javascript:x'>me</a>",
        },
        {
            "kind": "comment", "id": "3002", "parent": "1001", "status": "deleted",
            "author": "Spammer", "published": "2024-03-08T00:00:00.000Z", "html": "buy pills",
        },
    ]  # fmt: skip
    for entry in entries:
        entry.update(changes.get(entry["id"], {}))
    return entries


@pytest.fixture
def fatigue(db):
    return Category.objects.create(name="Fatigue", slug="fatigue")


def write(tmp_path, text, name="feed.atom"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def import_file(path, *args):
    out = io.StringIO()
    call_command("import_blogger", path, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def imported(tmp_path, image_server, fatigue):
    report = import_file(
        write(tmp_path, exports.takeout(blog(image_server))), "--allow-private-hosts"
    )
    return report


def test_takeout_posts_pages_labels_and_comments(imported, fatigue):
    post = Article.objects.get(title="Pacing on bad days")
    assert post.status == Article.Status.PUBLISHED
    assert post.publish_at == datetime(2024, 3, 5, 9, 30, tzinfo=UTC)
    assert post.slug == "pacing-on-bad-days"
    assert post.category == fatigue  # "fatigue" label matches the category, any case
    assert sorted(post.tags.values_list("name", flat=True)) == ["Pacing", "fatigue"]
    assert post.summary.startswith("Pacing means stopping before you crash.")

    assert Article.objects.get(title="Notes on sleep").status == Article.Status.DRAFT
    about = Article.objects.get(title="About me")
    assert about.status == Article.Status.DRAFT  # pages wait for an editor
    assert about.category.name == "From the blog"
    assert not Article.objects.filter(title="Gone").exists()

    comment = Comment.objects.get()
    assert comment.article == post and comment.status == Comment.Status.APPROVED
    assert comment.name == "Maria G." and comment.email == ""
    assert comment.created == datetime(2024, 3, 7, 18, 45, tzinfo=UTC)
    assert comment.body == "Thank you! So helpful\nReally.me"

    assert (
        "Posts: 2 new, 0 updated, 0 unchanged (0 of the new or updated are drafts)" not in imported
    )
    assert "Posts: 3 new" in imported and "1 deleted on Blogger and skipped" in imported
    assert "Pages: 1 new" in imported
    assert "Comments: 1 imported, 0 already here, 1 skipped" in imported
    assert "Images: 1 fetched, 2 failed, 0 refused" in imported


def test_messy_blogger_html_becomes_clean_markdown(imported):
    post = Article.objects.get(title="Pacing on bad days")
    body = post.body
    assert (
        "Pacing means stopping **before** you crash.\n\nRest is part of the plan.  \nNot a reward."
        in body
    )
    for leftover in ("<", "style", "trbidi", "\xa0", "&nbsp;", "javascript", "onmouseover",
                     "document.cookie", "color:red", "onerror"):  # fmt: skip
        assert leftover not in body, leftover
    assert "click me [a pacing guide](https://example.org/pacing)" in body
    assert "[Watch the video](https://www.youtube.com/watch?v=dQw4w9WgXcQ)" in body
    html = post.body_html
    assert "<script" not in html and "<iframe" not in html and "onerror" not in html
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in html


def test_linked_small_picture_is_replaced_by_the_large_one_stored_in_media(imported):
    post = Article.objects.get(title="Pacing on bad days")
    name = post.body.split("](/media/", 1)[1].split(")", 1)[0]
    assert name.startswith("uploads/")
    with default_storage.open(name) as stored, Image.open(stored) as image:
        assert image.size == (400, 300)  # the s1600 original, not the s320 copy
    # Served through its sizes like an uploaded picture (one: it is narrower than 480 px).
    [sized] = post.body_renditions[name]
    assert (sized["width"], sized["height"]) == (400, 300)
    assert f'src="/media/{sized["original"]}"' in post.body_html
    assert 'width="400"' in post.body_html and 'srcset="/media/' in post.body_html


def test_gps_and_camera_metadata_are_stripped_from_imported_images(imported):
    name = Article.objects.get(title="Pacing on bad days").body.split("](/media/")[1].split(")")[0]
    with default_storage.open(name) as stored, Image.open(stored) as image:
        exif = image.getexif()
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
        assert ExifTags.Base.Model not in exif


def test_pictures_that_cannot_be_fetched_stay_links_and_are_reported(imported, image_server):
    post = Article.objects.get(title="Broken pictures")
    assert f"[a chart]({image_server}/img/missing.jpg)" in post.body
    assert f"({image_server}/img/not-an-image.jpg)" in post.body
    assert f"image failed: {image_server}/img/missing.jpg (the server answered 404)" in imported
    assert "not-an-image.jpg (not a usable image" in imported


def test_private_addresses_are_refused_without_the_flag(tmp_path, image_server, fatigue):
    report = import_file(write(tmp_path, exports.takeout(blog(image_server))))
    assert "Images: 0 fetched, 0 failed, 3 refused" in report
    assert "127.0.0.1 is a private or reserved address" in report
    post = Article.objects.get(title="Pacing on bad days")
    assert f"({image_server}/img/a/s1600/garden.jpg)" in post.body
    assert not (default_storage.exists("uploads") and default_storage.listdir("uploads")[1])


PRIVATE = ["127.0.0.1", "10.1.2.3", "192.168.0.9", "172.16.5.5", "169.254.169.254", "::1",
           "fe80::1", "::ffff:127.0.0.1", "100.64.0.1", "240.0.0.1", "0.0.0.0"]  # noqa: S104  # fmt: skip
PUBLIC = ["8.8.8.8", "2606:4700:4700::1111"]


@pytest.mark.parametrize(
    "address,public", [(a, False) for a in PRIVATE] + [(a, True) for a in PUBLIC]
)
def test_address_policy(address, public):
    assert is_public(address) is public


def test_names_are_checked_after_resolution_and_redirects_are_checked(image_server):
    port = image_server.rsplit(":", 1)[1]
    with pytest.raises(FetchRefused, match=r"localhost is a private or reserved address \(127"):
        fetch(f"http://localhost:{port}/img/a/s1600/garden.jpg")
    with pytest.raises(FetchRefused, match="not a web address: file:///etc/passwd"):
        fetch(f"{image_server}/redirect-to-file", allow_private=True)
    with pytest.raises(FetchFailed, match="too large"):
        fetch(f"{image_server}/img/a/s1600/garden.jpg", allow_private=True, max_bytes=1000)


def test_old_blogger_addresses_answer_301(imported, client, fatigue, django_assert_max_num_queries):
    post = Article.objects.get(title="Pacing on bad days")
    for old in ("/2024/03/pacing-on-bad-days.html", "/2024/03/pacing-on-bad-days.html?m=1"):
        # One lookup per old link (plus the page cache's content-version check on some setups).
        with django_assert_max_num_queries(2):
            response = client.get(old)
        assert response.status_code == 301 and response["Location"] == post.get_absolute_url()
    assert client.get("/2024/04/gone.html").status_code == 404
    about = Article.objects.get(title="About me")
    assert client.get("/p/about.html").status_code == 404  # a draft until an editor publishes
    about.status = Article.Status.PUBLISHED
    about.save()
    assert client.get("/p/about.html")["Location"] == about.get_absolute_url()
    assert client.get("/search/label/FATIGUE")["Location"] == fatigue.get_absolute_url()
    pacing = Tag.objects.get(name="Pacing")
    response = client.get("/search/label/Pacing")
    assert response.status_code == 301 and response["Location"] == pacing.get_absolute_url()
    assert client.get("/search/label/Nothing").status_code == 404
    response = client.get("/feeds/posts/default?alt=rss")
    assert response.status_code == 301 and response["Location"] == "/feed/atom/"


def test_imported_comment_shows_as_text_without_markup(imported, client):
    post = Article.objects.get(title="Pacing on bad days")
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Maria G." in page and "So helpful" in page
    assert "alert(3)" not in page and "noreply@blogger.com" not in page


def _state():
    return (
        sorted(Article.objects.values_list("slug", "title", "body", "status", "updated")),
        sorted(Comment.objects.values_list("name", "body")),
        sorted(Tag.objects.values_list("name", flat=True)),
        BloggerItem.objects.count(),
    )


def test_same_file_twice_and_the_other_format_change_nothing(tmp_path, image_server, fatigue):
    entries = blog(image_server)
    takeout = write(tmp_path, exports.takeout(entries))
    import_file(takeout, "--allow-private-hosts")
    before = _state()
    again = import_file(takeout, "--allow-private-hosts")
    assert "Posts: 0 new, 0 updated, 3 unchanged" in again
    assert "Images: 0 fetched" in again
    assert _state() == before
    other = import_file(
        write(tmp_path, exports.backup(entries), "blog.xml"), "--allow-private-hosts"
    )
    assert "Back up content file" in other
    assert "Posts: 0 new, 0 updated, 3 unchanged" in other
    assert "Comments: 0 imported, 1 already here" in other
    assert _state() == before


def test_backup_format_alone_imports_the_same_blog(tmp_path, image_server, fatigue):
    report = import_file(
        write(tmp_path, exports.backup(blog(image_server)), "blog.xml"), "--allow-private-hosts"
    )
    assert "Posts: 3 new" in report
    assert Article.objects.get(title="Notes on sleep").status == Article.Status.DRAFT
    assert Article.objects.get(title="About me").status == Article.Status.DRAFT
    assert Comment.objects.get().name == "Maria G."
    assert BloggerItem.objects.get(blogger_id="1001").path == "/2024/03/pacing-on-bad-days.html"


def test_later_export_updates_unless_edited_here(tmp_path, image_server, fatigue):
    import_file(write(tmp_path, exports.takeout(blog(image_server))), "--allow-private-hosts")
    edited = Article.objects.get(title="Broken pictures")
    edited.body = "Rewritten by our editor."
    edited.save()
    BloggerItem.objects.filter(article=edited).update(synced_at=edited.updated.replace(year=2000))
    later = blog(
        image_server,
        **{
            "1002": {"status": "live", "updated": "2024-06-01T00:00:00Z", "html": "<p>Done.</p>",
                     "path": "/2024/06/notes-on-sleep.html"},
            "1004": {"updated": "2024-06-01T00:00:00Z", "html": "<p>Changed on Blogger.</p>"},
        },
    )  # fmt: skip
    report = import_file(
        write(tmp_path, exports.takeout(later), "later.atom"), "--allow-private-hosts"
    )
    sleep = Article.objects.get(title="Notes on sleep")
    assert sleep.status == Article.Status.PUBLISHED and sleep.body.strip() == "Done."
    assert Article.objects.get(pk=edited.pk).body == "Rewritten by our editor."
    assert "conflict: Broken pictures" in report
    assert "Posts: 0 new, 1 updated" in report


def test_dry_run_writes_nothing(tmp_path, image_server, db, capsys):
    report = import_file(write(tmp_path, exports.takeout(blog(image_server))), "--dry-run")
    assert capsys.readouterr().err == ""  # no progress bar unless on a terminal
    assert "dry run, nothing written" in report
    assert "Posts: 3 would be new" in report and "Images: 3 to fetch" in report
    assert not Article.objects.exists() and not Comment.objects.exists()
    assert not BloggerItem.objects.exists() and not Tag.objects.exists()


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    "<feed xmlns='http://www.w3.org/2005/Atom'>&lol2;</feed>"
)
EXTERNAL = (
    '<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    "<feed xmlns='http://www.w3.org/2005/Atom'><title>&x;</title></feed>"
)
RSS = "<?xml version='1.0'?><rss version='2.0'><channel><title>x</title></channel></rss>"
ATOM_NOT_BLOGGER = "<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>urn:x:1</id><title>t</title></entry></feed>"


@pytest.mark.parametrize(
    "content,message",
    [
        (BILLION_LAUGHS, "XML features not allowed here"),
        (EXTERNAL, "XML features not allowed here"),
        (RSS, "not a Blogger export"),
        (ATOM_NOT_BLOGGER, "not a Blogger export"),
        ("this is not xml at all", "malformed XML"),
        ("", "the file is empty"),
        ("\x00\x01 binary", "malformed XML"),
    ],
)
def test_bad_files_are_refused_in_one_line_with_nothing_written(tmp_path, db, content, message):
    with pytest.raises(CommandError) as refused:
        import_file(write(tmp_path, content))
    assert message in str(refused.value) and "\n" not in str(refused.value)
    assert not Article.objects.exists() and not BloggerItem.objects.exists()


def test_truncated_export_writes_nothing_even_after_good_entries(tmp_path, image_server, fatigue):
    whole = exports.takeout(blog(image_server))
    cut = whole[: whole.index("About me")]  # four good entries, then the file stops
    with pytest.raises(CommandError, match=r"refused: not a complete XML file \(it ends too early"):
        import_file(write(tmp_path, cut), "--allow-private-hosts")
    assert not Article.objects.exists() and not Category.objects.exclude(pk=fatigue.pk).exists()


def test_oversized_file_is_refused_before_reading(tmp_path, db, settings):
    settings.BLOGGER_IMPORT_MAX_BYTES = 1000
    with pytest.raises(CommandError, match="larger than any blog export we accept"):
        import_file(write(tmp_path, exports.takeout(blog("http://x")) * 2))


def test_missing_file_is_one_line(tmp_path, db):
    with pytest.raises(CommandError, match="no such file"):
        import_file(str(tmp_path / "nope.atom"))


def test_pathological_html_is_converted_quickly():
    deep = "<div>" * 5000 + "deep text" + "</div>" * 5000
    assert convert.to_markdown(deep).strip() == "deep text"
    brackets = "<p>" + "[" * 20000 + "</p><b>" * 3000
    assert "[" in convert.to_markdown(brackets)


def test_long_runs_of_spaces_cost_linear_time():
    """A first version of the <br /> run pattern took 28 s on 40,000 spaces after a <br>."""
    started = time.monotonic()
    text = convert.to_markdown("<p>a<br>" + " " * 200_000 + "b<br /><br />&nbsp;<br>c</p>")
    assert time.monotonic() - started < 2
    assert text.split() == ["a", "b", "c"]


# The admin's "Import from Blogger" page: permission, dry run, background import.

ADD = "/admin/articles/bloggerimport/add/"


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("ed", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="run_blogger_import"))
    return user


def upload(content, name="feed.atom"):
    return SimpleUploadedFile(name, content.encode(), content_type="application/atom+xml")


def test_staff_without_the_permission_cannot_import(client, django_user_model):
    other = django_user_model.objects.create_user("staff", password="pw", is_staff=True)
    client.force_login(other)
    assert client.get(ADD).status_code == 403
    index = client.get("/admin/").content.decode()
    assert "Imports from Blogger" not in index


def test_upload_dry_run_then_background_import(
    client, editor, image_server, settings, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    form = client.get(ADD).content.decode()
    assert "Blogger export file" in form and "Check the file" in form
    assert "Imports from Blogger" in client.get("/admin/").content.decode()

    export = exports.takeout(blog(image_server))
    response = client.post(ADD, {"export": upload(export), "allow_private_hosts": "on"})
    run = BloggerImport.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{run.pk}/change/")
    page = client.get(response["Location"]).content.decode()
    assert "dry run: nothing written yet" in page and "Posts: 3 would be new" in page
    assert "Start the import" in page
    assert not Article.objects.exists()
    stored = settings.BLOGGER_IMPORT_ROOT / run.stored_name
    assert stored.read_text(encoding="utf-8") == export  # kept privately, outside media
    assert not str(stored).startswith(str(settings.MEDIA_ROOT))

    start = f"/admin/articles/bloggerimport/{run.pk}/start/"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(start)
    run.refresh_from_db()
    assert run.status == BloggerImport.Status.DONE
    page = client.get(f"/admin/articles/bloggerimport/{run.pk}/change/").content.decode()
    assert "Final report" in page and "Posts: 3 new" in page and "Images: 1 fetched" in page
    assert Article.objects.filter(title="Pacing on bad days").exists()
    assert not stored.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(start, follow=True)
    assert "already been started" in response.content.decode()
    assert Article.objects.filter(title="Pacing on bad days").count() == 1


def test_refused_upload_shows_the_reason_and_cannot_start(
    client, editor, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    client.post(ADD, {"export": upload("<rss version='2.0'></rss>", "rss.xml")})
    run = BloggerImport.objects.get()
    page = client.get(f"/admin/articles/bloggerimport/{run.pk}/change/").content.decode()
    assert "The file was refused: not a Blogger export" in page
    assert "Start the import" not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/articles/bloggerimport/{run.pk}/start/")
    run.refresh_from_db()
    assert run.status == BloggerImport.Status.REFUSED and not Article.objects.exists()


def test_start_needs_post_and_permission(client, editor, django_user_model):
    client.force_login(editor)
    client.post(ADD, {"export": upload(exports.takeout(blog("http://x")))})
    run = BloggerImport.objects.get()
    assert client.get(f"/admin/articles/bloggerimport/{run.pk}/start/").status_code == 405
    other = django_user_model.objects.create_user("staff", password="pw", is_staff=True)
    client.force_login(other)
    assert client.post(f"/admin/articles/bloggerimport/{run.pk}/start/").status_code == 403
    assert BloggerImport.objects.get().status == BloggerImport.Status.CHECKED


@pytest.mark.django_db(transaction=True)
def test_two_imports_at_once_bring_each_post_once(tmp_path, image_server, thread_connections):
    path = write(tmp_path, exports.takeout(blog(image_server)))
    Category.objects.create(name="Fatigue", slug="fatigue")
    outcomes, barrier = [], threading.Barrier(2)

    def importer_thread():
        thread_connections()
        barrier.wait()
        try:
            outcomes.append(import_file(path, "--allow-private-hosts"))
        except CommandError as error:
            outcomes.append(str(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=importer_thread) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(outcomes) == 2
    assert sorted(Article.objects.values_list("title", flat=True)) == [
        "About me", "Broken pictures", "Notes on sleep", "Pacing on bad days",
    ]  # fmt: skip
    assert Comment.objects.count() == 1
    assert any("Posts: 3 new" in outcome for outcome in outcomes)
    other = next(o for o in outcomes if "Posts: 3 new" not in o)
    assert "Posts: 0 new, 0 updated, 3 unchanged" in other or "run it again" in other


def test_a_post_past_the_renderers_limits_is_reported_and_the_rest_imported(
    tmp_path, image_server, fatigue
):
    huge = "<p>" + "Long day. " * 8000 + "</p>"  # 80,000 characters of markdown
    report = import_file(
        write(tmp_path, exports.takeout(blog(image_server, **{"1004": {"html": huge}}))),
        "--allow-private-hosts",
    )
    assert "not imported: Broken pictures" in report and "Posts: 2 new" in report
    assert not Article.objects.filter(title="Broken pictures").exists()
    assert not BloggerItem.objects.filter(blogger_id="1004").exists()  # tried again next time
    assert Article.objects.filter(title="Pacing on bad days").exists()
