import re
import time
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.db import IntegrityError
from django.utils import timezone

from community import tokens
from community.models import OutboundEmail, Subscriber

pytestmark = pytest.mark.django_db

URL = "/community/"


def signup(**overrides):
    return {
        "email": "Ana@Example.com",
        "first_name": "Ana",
        "wants_updates": "on",
        "wants_whatsapp": "on",
        "consent": "on",
        **overrides,
    }


def link_in(message, kind):
    return re.search(rf"http://127\.0\.0\.1:8000(/community/{kind}/[^/\s]+/)", message.body)[1]


def test_signup_stores_the_consent_and_mails_a_confirmation_link(send):
    response = send(URL, signup())

    assert response.status_code == 302 and response["Location"] == "/community/thanks/"
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.wants_updates and subscriber.wants_whatsapp
    assert not subscriber.wants_store_news
    assert "I agree that FibroSite may email me" in subscriber.consent_text
    assert "WhatsApp community" in subscriber.consent_text and subscriber.consented_at
    [sent] = mail.outbox
    assert sent.to == ["Ana@Example.com"]
    assert link_in(sent, "confirm")


def test_at_least_one_interest_is_needed(send):
    response = send(URL, signup(wants_updates="", wants_whatsapp=""))
    assert response.status_code == 200
    assert "Please tick at least one thing" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_get_on_the_confirmation_link_confirms_nothing_post_does(send, client):
    send(URL, signup())
    confirm = link_in(mail.outbox[0], "confirm")

    page = client.get(confirm)
    assert page.status_code == 200 and "Yes, confirm my signup" in page.content.decode()
    assert "no-cache" in page["Cache-Control"]
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING

    response = send(confirm, {})
    assert response.status_code == 200 and "You're in" in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.CONFIRMED and subscriber.confirmed_at
    welcome = mail.outbox[-1]
    assert "Welcome" in welcome.subject and "/community/whatsapp/" in welcome.body


def test_confirming_twice_sends_one_welcome(send):
    send(URL, signup())
    confirm = link_in(mail.outbox[0], "confirm")
    send(confirm, {})
    send(confirm, {})
    assert [m.subject for m in mail.outbox].count("Welcome to the FibroSite community") == 1


def test_an_expired_confirmation_link_is_refused(client, send, monkeypatch):
    subscriber = Subscriber.objects.create(
        email="old@example.com", consent_text="x", consented_at=timezone.now()
    )
    eight_days_ago = time.time() - 8 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: eight_days_ago)
    token = tokens.confirm_token(subscriber)
    monkeypatch.undo()

    assert "This link has expired" in client.get(f"/community/confirm/{token}/").content.decode()
    response = send(f"/community/confirm/{token}/", {})
    assert response.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING


def test_a_tampered_or_unsubscribe_token_does_not_confirm(send, client):
    send(URL, signup())
    subscriber = Subscriber.objects.get()
    confirm = link_in(mail.outbox[0], "confirm")
    unsubscribe_token = tokens.unsubscribe_token(subscriber)

    assert send(confirm.replace("/confirm/", "/confirm/x"), {}).status_code == 400
    assert send(f"/community/confirm/{unsubscribe_token}/", {}).status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING


def test_signing_up_again_looks_the_same_and_mails_at_most_once_an_hour(send):
    first = send(URL, signup())
    second = send(URL, signup(email="ana@example.COM"))

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Subscriber.objects.count() == 1
    assert len(mail.outbox) == 1

    Subscriber.objects.update(last_mailed_at=timezone.now() - timedelta(hours=1, seconds=1))
    send(URL, signup())
    assert len(mail.outbox) == 2


def test_a_confirmed_subscriber_gets_a_note_and_keeps_their_choices(send):
    Subscriber.objects.create(
        email="ana@example.com",
        wants_updates=True,
        status=Subscriber.Status.CONFIRMED,
        consent_text="original",
        consented_at=timezone.now(),
    )
    response = send(URL, signup(wants_updates="", wants_store_news="on"))

    assert response["Location"] == "/community/thanks/"
    subscriber = Subscriber.objects.get()
    assert subscriber.wants_updates and not subscriber.wants_store_news
    assert subscriber.consent_text == "original"
    [sent] = mail.outbox
    assert "already on our list" in sent.subject and "/confirm/" not in sent.body


def test_an_unsubscribed_address_can_sign_up_again(send):
    Subscriber.objects.create(
        email="ana@example.com",
        status=Subscriber.Status.UNSUBSCRIBED,
        consent_text="old",
        consented_at=timezone.now(),
    )
    send(URL, signup())
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    assert link_in(mail.outbox[0], "confirm")


def test_emails_are_unique_whatever_their_case_in_the_database():
    Subscriber.objects.create(
        email="ana@example.com", consent_text="x", consented_at=timezone.now()
    )
    with pytest.raises(IntegrityError):
        Subscriber.objects.create(
            email="ANA@example.com", consent_text="x", consented_at=timezone.now()
        )


def test_every_subscriber_mail_carries_one_click_unsubscribe_headers(send):
    send(URL, signup())
    send(link_in(mail.outbox[0], "confirm"), {})

    assert len(mail.outbox) == 2
    for sent in mail.outbox:
        message = sent.message()
        assert re.fullmatch(
            r"<http://127\.0\.0\.1:8000/community/unsubscribe/[^/>]+/>",
            message["List-Unsubscribe"],
        )
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count() == 2


def test_one_click_unsubscribe_is_a_single_post_without_csrf(send, csrf_client):
    send(URL, signup())
    url = mail.outbox[0].message()["List-Unsubscribe"][len("<http://127.0.0.1:8000") : -1]

    response = csrf_client.post(url, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED and subscriber.unsubscribed_at


def test_many_one_click_unsubscribes_from_one_provider_address_all_work(send, csrf_client):
    for n in range(40):  # more than the token rate limit
        send(URL, signup(email=f"reader{n}@example.com"))
    urls = [
        m.message()["List-Unsubscribe"][len("<http://127.0.0.1:8000") : -1] for m in mail.outbox
    ]
    statuses = {csrf_client.post(url, REMOTE_ADDR="209.85.220.41").status_code for url in urls}
    assert statuses == {200}
    assert not Subscriber.objects.exclude(status=Subscriber.Status.UNSUBSCRIBED).exists()


def test_the_unsubscribe_link_shows_a_page_with_a_button_and_changes_nothing(send, client):
    send(URL, signup())
    url = mail.outbox[0].message()["List-Unsubscribe"][len("<http://127.0.0.1:8000") : -1]

    page = client.get(url)

    assert page.status_code == 200 and "Unsubscribe me" in page.content.decode()
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_a_bad_unsubscribe_token_is_refused(client):
    response = client.post("/community/unsubscribe/not-a-token/")
    assert response.status_code == 400
    assert "This link doesn't work" in response.content.decode()


def test_signup_honeypot_stores_and_sends_nothing(send):
    response = send(URL, signup(leave_empty="me"))
    assert response["Location"] == "/community/thanks/"
    assert not Subscriber.objects.exists() and mail.outbox == []


def test_signup_too_fast_keeps_the_address(send):
    from .conftest import stamp

    response = send(URL, signup(started=stamp(seconds_ago=0)))
    assert response.status_code == 200
    assert 'value="Ana@Example.com"' in response.content.decode()
    assert not Subscriber.objects.exists()


def test_signup_is_rate_limited(send, settings):
    settings.COMMUNITY_RATE_LIMITS = {**settings.COMMUNITY_RATE_LIMITS, "signup": (1, 60)}
    assert send(URL, signup()).status_code == 302
    assert send(URL, signup(email="b@example.com")).status_code == 429
    assert Subscriber.objects.count() == 1


def test_link_tokens_carry_no_personal_data(send):
    send(URL, signup(email="maria.lopez@example.com"))
    subscriber = Subscriber.objects.get()
    confirm = link_in(mail.outbox[0], "confirm").split("/")[-2]
    for token in (confirm, tokens.unsubscribe_token(subscriber)):
        # "<id>-<12 hex digest>:<signature>" and, for confirmation, a timestamp.
        assert re.fullmatch(r"\d+-[0-9a-f]{12}(:[0-9A-Za-z]+)?:[\w-]{43}", token), token
        assert "maria" not in token.lower() and "example" not in token.lower()
        assert "eyJ" not in token  # no base64 JSON payload at all
    assert len(tokens.unsubscribe_token(subscriber)) < 70


def test_old_tokens_with_the_address_inside_get_the_link_problem_page(send, client):
    subscriber = Subscriber.objects.create(
        email="ana@example.com", status=Subscriber.Status.CONFIRMED,
        consent_text="x", consented_at=timezone.now(),
    )  # fmt: skip
    payload = {"id": subscriber.pk, "email": subscriber.email}
    old_confirm = signing.dumps(payload, salt="community.subscriber.confirm")
    old_unsubscribe = signing.dumps(payload, salt="community.subscriber.unsubscribe")
    for url in (f"/community/confirm/{old_confirm}/", f"/community/unsubscribe/{old_unsubscribe}/"):
        page = client.get(url)
        assert page.status_code == 400 and "This link doesn't work" in page.content.decode()
        response = send(url, {})
        assert response.status_code == 400
        assert "This link doesn't work" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_a_token_stops_working_when_its_id_belongs_to_another_address(send):
    subscriber = Subscriber.objects.create(
        email="first@example.com", consent_text="x", consented_at=timezone.now()
    )
    token = tokens.unsubscribe_token(subscriber)
    Subscriber.objects.filter(pk=subscriber.pk).update(email="someone.else@example.com")
    response = send(f"/community/unsubscribe/{token}/", {})
    assert response.status_code == 400
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
