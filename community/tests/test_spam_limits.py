"""The "form started" stamp is single-use and short-lived; limits count IPv6 per /64."""

import time

import pytest
from django.test import RequestFactory

from community.models import ContactMessage, Subscriber
from core.ratelimit import client_network

from .conftest import stamp
from .test_contact import message

pytestmark = pytest.mark.django_db

URL = "/contact/"


def test_one_page_load_is_accepted_once_and_a_replay_keeps_the_visitors_text(send, notify):
    started = stamp()
    first = send(URL, message(started=started))
    assert first.status_code == 302
    replay = send(URL, message(message="Second copy <i>of spam</i>", started=started))
    html = replay.content.decode()
    assert replay.status_code == 200
    assert "please check your message and press send once more" in html
    assert "Second copy &lt;i&gt;of spam&lt;/i&gt;</textarea>" in html
    assert started not in html  # the page carries a fresh stamp
    assert ContactMessage.objects.count() == 1


def test_a_replayed_stamp_is_refused_from_another_address_and_on_another_form(send, notify):
    started = stamp()
    assert send(URL, message(started=started), REMOTE_ADDR="198.51.100.1").status_code == 302
    again = send(URL, message(started=started), REMOTE_ADDR="198.51.100.2")
    assert again.status_code == 200
    signup = send(
        "/community/",
        {"email": "x@example.com", "wants_updates": "on", "consent": "on", "started": started},
    )
    assert signup.status_code == 200 and not Subscriber.objects.exists()
    assert ContactMessage.objects.count() == 1


def test_a_stamp_older_than_the_limit_is_shown_again_gently(send, settings):
    settings.COMMUNITY_FORM_MAX_SECONDS = 3600
    response = send(URL, message(message="Written slowly", started=stamp(seconds_ago=3601)))
    html = response.content.decode()
    assert response.status_code == 200 and "press send once more" in html
    assert "Written slowly</textarea>" in html
    assert not ContactMessage.objects.exists()


def test_a_post_with_a_field_error_does_not_spend_the_stamp(send, notify):
    started = stamp()
    wrong = send(URL, message(email="not-an-email", started=started))
    assert wrong.status_code == 200 and "press send once more" not in wrong.content.decode()
    assert send(URL, message(started=started)).status_code == 302
    assert ContactMessage.objects.count() == 1


def test_a_stamp_in_the_old_format_is_shown_again(send):
    from django.core import signing

    old = signing.Signer(salt="community.form-started").sign(str(time.time() - 10))
    response = send(URL, message(started=old))
    assert response.status_code == 200 and "press send once more" in response.content.decode()


@pytest.mark.parametrize(
    ("address", "counted_as"),
    [
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::"),
        ("2001:DB8:1:2::1", "2001:db8:1:2::"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("203.0.113.7", "203.0.113.7"),
        ("not an address", "not an address"),
    ],
)
def test_client_network_is_the_ipv6_slash_64(address, counted_as):
    assert client_network(RequestFactory().get("/", REMOTE_ADDR=address)) == counted_as


def test_ipv6_clients_are_limited_per_slash_64_not_per_address(send, settings, notify):
    settings.COMMUNITY_RATE_LIMITS = {**settings.COMMUNITY_RATE_LIMITS, "contact": (3, 600)}
    statuses = [
        send(URL, message(), REMOTE_ADDR=f"2001:db8:77:5::{n:x}").status_code for n in range(1, 6)
    ]
    assert statuses == [302, 302, 302, 429, 429]
    # A neighbour in another /64 is not affected.
    assert send(URL, message(), REMOTE_ADDR="2001:db8:77:6::1").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_one_stamp_sent_by_eight_clients_at_the_same_moment_is_accepted_once(
    thread_connections, settings
):
    import threading

    from django.db import connections
    from django.test import Client

    settings.NOTIFY_EMAILS = ["editors@fibrosite.test"]
    started = stamp()
    barrier = threading.Barrier(8)
    statuses, errors = [], []

    def post(n):
        thread_connections()
        try:
            barrier.wait()
            response = Client().post(
                URL, {**message(), "started": started, "leave_empty": ""},
                REMOTE_ADDR=f"198.51.100.{n + 1}",
            )  # fmt: skip
            statuses.append(response.status_code)
        except Exception as error:  # collected: a thread can't fail the test itself
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(statuses) == [200] * 7 + [302]
    thread_connections()
    assert ContactMessage.objects.count() == 1
