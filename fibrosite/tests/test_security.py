"""Headers, body limits and admin sign-in lockout."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_public_pages_send_the_security_headers(client):
    response = client.get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy


def test_oversized_public_posts_are_refused_with_413_before_reading(client):
    response = client.post(
        "/contact/", data=b"x" * (65 * 1024), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "That was too much to send" in response.content.decode()


def test_editors_may_send_larger_bodies_but_not_unlimited(admin_client):
    two_mb = b"x" * (2 * 1024 * 1024)
    response = admin_client.post("/editor/markdownify/", data=two_mb, content_type="text/plain")
    assert response.status_code != 413
    too_big = admin_client.post(
        "/editor/upload/", data=b"x" * (11 * 1024 * 1024), content_type="application/octet-stream"
    )
    assert too_big.status_code == 413


def test_a_bad_content_length_is_a_400(client):
    assert client.post("/contact/", CONTENT_LENGTH="lots").status_code == 400


def login(client, username, password, address):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_repeated_wrong_passwords_pause_that_user_from_that_address_only(django_user_model):
    django_user_model.objects.create_user("editor", password="right-horse-battery", is_staff=True)
    attacker = Client()
    for _ in range(4):
        assert login(attacker, "editor", "wrong", "203.0.113.9").status_code == 200
    assert login(attacker, "editor", "wrong", "203.0.113.9").status_code == 429  # fifth
    locked = login(attacker, "editor", "right-horse-battery", "203.0.113.9")
    assert locked.status_code == 429
    assert "Sign-in is paused" in locked.content.decode()

    # The real editor, elsewhere, still gets in: the lock is on the pair, not the account.
    editor = Client()
    response = login(editor, "editor", "right-horse-battery", "198.51.100.7")
    assert response.status_code == 302 and response["Location"] == "/admin/"
