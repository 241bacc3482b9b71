import re
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

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


def test_demo_editor_can_log_in_to_the_admin_with_the_printed_password(settings, client):
    settings.DEBUG = True
    out = StringIO()
    call_command("create_demo_editor", stdout=out)
    password = re.search(r"password '([^']+)'", out.getvalue()).group(1)

    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "editor", "password": password},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/admin/"
    assert response.context["user"].is_staff
    assert not response.context["user"].is_superuser


def test_running_demo_editor_again_prints_a_new_password_and_the_old_one_stops_working(settings):
    settings.DEBUG = True
    outputs = [StringIO(), StringIO()]
    for out in outputs:
        call_command("create_demo_editor", stdout=out)
    first, second = (re.search(r"password '([^']+)'", o.getvalue()).group(1) for o in outputs)
    user = get_user_model().objects.get(username="editor")
    assert first != second
    assert user.check_password(second) and not user.check_password(first)
