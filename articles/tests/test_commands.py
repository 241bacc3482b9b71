import os
import re
import time
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from articles.tests.conftest import upload

pytestmark = pytest.mark.django_db


def row_counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_load_demo_twice_leaves_the_same_counts():
    call_command("load_demo", stdout=StringIO())
    first = row_counts()
    call_command("load_demo", stdout=StringIO())
    assert row_counts() == first


def test_demo_editor_is_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="local development only"):
        call_command("create_demo_editor", stdout=StringIO())
    assert not get_user_model().objects.filter(username="editor").exists()


@pytest.fixture
def demo_login(settings, tmp_path):
    settings.DEBUG = True
    settings.DEMO_EDITOR_PASSWORD_FILE = tmp_path / ".demo-editor-password"

    def create(*args):
        out = StringIO()
        call_command("create_demo_editor", *args, stdout=out)
        return re.search(r"password '([^']+)'", out.getvalue()).group(1)

    return create


def test_demo_editor_can_log_in_to_the_admin_with_the_printed_password(demo_login, client):
    password = demo_login()

    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "editor", "password": password},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/admin/"
    assert response.context["user"].is_staff
    assert not response.context["user"].is_superuser


def test_running_demo_editor_again_keeps_the_login_and_the_editor_signed_in(demo_login, client):
    first = demo_login()
    client.force_login(get_user_model().objects.get(username="editor"))
    assert demo_login() == first
    assert client.get("/admin/").status_code == 200  # the session survived the second run


def test_a_new_demo_password_only_when_asked(demo_login):
    first = demo_login()
    second = demo_login("--new-password")
    user = get_user_model().objects.get(username="editor")
    assert first != second
    assert user.check_password(second) and not user.check_password(first)


def hero_files(article):
    sizes = {size[kind] for size in article.hero_renditions for kind in ("webp", "original")}
    return {article.hero_image.name} | sizes


def stored_name(image_code):
    return re.search(r"/media/(\S+)\)", image_code).group(1)  # ![](/media/uploads/….png)


def test_clean_media_removes_only_old_files_nothing_refers_to(make_article, settings, admin_client):
    def editor_upload():
        response = admin_client.post("/editor/upload/", {"image": upload(size=(300, 200))})
        return stored_name(response.json()["image_code"])

    in_body, abandoned, fresh = editor_upload(), editor_upload(), editor_upload()
    body = f"Before.\n\n![A chart](/media/{in_body})\n\nAfter."
    article = make_article(body=body, hero_image=upload(size=(900, 600)))
    old_hero = hero_files(article)
    article.hero_image = upload(size=(1000, 700))  # the editor replaces the hero image
    article.save()
    kept = hero_files(article) | {in_body}
    media = settings.MEDIA_ROOT
    long_ago = time.time() - 3 * 86400
    for path in media.rglob("*"):
        if path.is_file() and path != media / fresh:
            os.utime(path, (long_ago, long_ago))
    orphans = old_hero | {abandoned}

    out = StringIO()
    call_command("clean_media", stdout=out)
    assert set(out.getvalue().splitlines()[:-1]) == orphans
    assert all((media / name).exists() for name in orphans)  # a listing deletes nothing

    call_command("clean_media", "--delete", stdout=StringIO())
    assert not any((media / name).exists() for name in orphans)
    assert all((media / name).exists() for name in kept)
    assert (media / fresh).exists()  # too young: a draft may be about to use it
    with pytest.raises(CommandError):
        call_command("clean_media", "--min-age-days", "-1", stdout=StringIO())
