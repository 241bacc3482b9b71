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


@pytest.fixture
def clock(monkeypatch):
    """The sign-in limits' clock, moved by hand (the cache entries' own expiry is longer)."""
    import core.signin

    now = [1_800_000_000.0]
    monkeypatch.setattr(core.signin.time, "time", lambda: now[0])
    return now


def test_many_addresses_guessing_one_username_meet_growing_delays_not_a_long_lock(
    django_user_model, settings, clock
):
    settings.ADMIN_USERNAME_FAILURE_LIMIT = 10
    settings.ADMIN_LOGIN_MAX_DELAY = 120
    django_user_model.objects.create_user("editor", password="right-horse-battery", is_staff=True)
    attacker = Client()
    # Ten guesses from ten addresses: each address stays under the per-address pause.
    for n in range(9):
        assert login(attacker, "editor", "wrong", f"203.0.113.{n + 1}").status_code == 200
    assert login(attacker, "editor", "wrong", "203.0.113.10").status_code == 429  # the tenth
    paused = login(Client(), "editor", "right-horse-battery", "198.51.100.7")
    assert paused.status_code == 429 and paused["Retry-After"] == "16"
    assert "Please wait a minute" in paused.content.decode()
    # A refused try during the wait is not a guess: the wait does not grow.
    clock[0] += 16
    assert login(attacker, "editor", "wrong", "203.0.113.11").status_code == 429  # 30 s now
    clock[0] += 20
    assert login(attacker, "editor", "wrong", "203.0.113.12")["Retry-After"] == "11"
    waits = []
    for n in range(5):
        clock[0] += 200
        response = login(attacker, "editor", "wrong", f"203.0.113.{20 + n}")
        waits.append(int(response["Retry-After"]))
    assert waits == [61, 121, 121, 121, 121]  # 1 min, then the 2 min ceiling
    # Two minutes after the stranger's last try the editor signs in, from anywhere.
    clock[0] += 121
    response = login(Client(), "editor", "right-horse-battery", "198.51.100.7")
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_one_address_guessing_many_usernames_is_slowed_down(django_user_model, settings, clock):
    settings.ADMIN_ADDRESS_FAILURE_LIMIT = 6
    django_user_model.objects.create_user("editor", password="right-horse-battery", is_staff=True)
    attacker = Client()
    for n in range(5):
        assert login(attacker, f"user{n}", "wrong", "2001:db8:9:9::1").status_code == 200
    # The sixth from another address in the same /64: paused.
    assert login(attacker, "user5", "wrong", "2001:db8:9:9::abcd").status_code == 429
    assert login(attacker, "editor", "right-horse-battery", "2001:db8:9:9::2").status_code == 429
    # The editor elsewhere is not affected.
    response = login(Client(), "editor", "right-horse-battery", "2001:db8:1:1::1")
    assert response.status_code == 302
