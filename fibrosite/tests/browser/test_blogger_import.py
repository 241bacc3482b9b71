"""An editor brings a Blogger blog over in the admin; a reader follows an old link."""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage
from PIL import Image
from playwright.sync_api import expect

from articles.blogger import exports
from articles.models import Article
from articles.tests.test_blogger import blog
from articles.tests.test_blogger import image_server as image_server  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_editor_imports_a_blog_and_old_links_land_on_the_articles(
    live_server, page, browser, tmp_path, settings, request
):
    settings.BLOGGER_IMPORT_ROOT = tmp_path / "imports"
    images = request.getfixturevalue("image_server")
    export = tmp_path / "feed.atom"
    export.write_text(exports.takeout(blog(images)), encoding="utf-8")
    editor = get_user_model().objects.create_user(
        "ed", password="a-long-pass-phrase", is_staff=True
    )
    editor.user_permissions.add(Permission.objects.get(codename="run_blogger_import"))

    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "ed")
    page.fill("#id_password", "a-long-pass-phrase")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Imports from Blogger").click()
    page.get_by_role("link", name="Add import from Blogger").click()
    page.set_input_files("#id_export", str(export))
    page.check("#id_allow_private_hosts")
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#dry-run-report")).to_contain_text("Posts: 3 would be new")
    assert not Article.objects.exists()
    page.get_by_role("button", name="Start the import").click()
    expect(page.locator("#import-status")).to_have_text("Imported")
    expect(page.locator("#import-report")).to_contain_text("Images: 1 fetched, 2 failed")

    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(live_server.url + "/2024/03/pacing-on-bad-days.html?m=1")
    assert phone.url == live_server.url + "/articles/pacing-on-bad-days/"
    expect(phone.locator("h1")).to_have_text("Pacing on bad days")
    picture = phone.locator("main picture img[src^='/media/uploads/sizes/']")
    expect(picture).to_be_visible()
    box = picture.bounding_box()
    # Served through its resized copies like an uploaded picture; the one the phone chose
    # is made from the full-size original, not from Blogger's 320 px copy.
    shown = urlsplit(picture.evaluate("img => img.currentSrc")).path
    with default_storage.open(shown.removeprefix(settings.MEDIA_URL)) as file:
        assert Image.open(file).width == 400
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.close()
