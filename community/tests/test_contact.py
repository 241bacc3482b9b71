import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command

from community.models import ContactMessage, OutboundEmail

from .conftest import stamp

pytestmark = pytest.mark.django_db

URL = "/contact/"
DOWN = {"default": {"BACKEND": "community.tests.backends.DownBackend"}}


def message(**overrides):
    return {
        "name": "Ana",
        "email": "ana@example.com",
        "topic": "question",
        "message": "Does pacing help with fibro fog?\nThanks!",
        "consent": "on",
        **overrides,
    }


def test_contact_page_is_an_uncached_form_with_autocomplete(client):
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'autocomplete="email"' in html and 'autocomplete="name"' in html
    assert 'maxlength="5000"' in html


def test_message_is_saved_and_staff_get_a_mail_quoting_it(send, notify):
    response = send(URL, message())

    assert response.status_code == 302 and response["Location"] == "/contact/thanks/"
    saved = ContactMessage.objects.get()
    assert saved.status == ContactMessage.Status.NEW and saved.consent_at
    [sent] = mail.outbox
    assert sent.to == notify
    assert sent.reply_to == ["ana@example.com"]
    assert "Does pacing help with fibro fog?" in sent.body
    assert f"http://127.0.0.1:8000/admin/community/contactmessage/{saved.pk}/change/" in sent.body
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT


def test_without_notify_emails_active_staff_with_an_address_are_told(send, settings):
    settings.NOTIFY_EMAILS = []
    users = get_user_model().objects
    users.create_user("ed", "ed@fibrosite.test", is_staff=True)
    users.create_user("gone", "gone@fibrosite.test", is_staff=True, is_active=False)
    users.create_user("reader", "reader@example.com")
    users.create_user("noemail", "", is_staff=True)

    send(URL, message())

    assert [m.to for m in mail.outbox] == [["ed@fibrosite.test"]]


def test_a_failing_mail_server_loses_nothing_and_the_retry_sends_once(send, notify, settings):
    settings.MAILERS = DOWN
    response = send(URL, message())

    assert response.status_code == 302 and response["Location"] == "/contact/thanks/"
    assert ContactMessage.objects.count() == 1
    row = OutboundEmail.objects.get()
    assert row.status == OutboundEmail.Status.PENDING and row.attempts == 1
    assert "SMTPServerDisconnected" in row.last_error
    assert mail.outbox == []

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    OutboundEmail.objects.update(next_attempt_at=row.created)  # the backoff has passed
    call_command("send_pending_mail", stdout=None)
    call_command("send_pending_mail", stdout=None)

    assert len(mail.outbox) == 1
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT


def test_thank_you_page_after_a_message(client):
    response = client.get("/contact/thanks/")
    assert "your message has reached us" in response.content.decode()


def test_filled_honeypot_is_dropped_silently_with_the_same_thank_you(send, notify):
    response = send(URL, message(leave_empty="http://spam.example"))

    assert response.status_code == 302 and response["Location"] == "/contact/thanks/"
    assert not ContactMessage.objects.exists()
    assert not OutboundEmail.objects.exists() and mail.outbox == []


@pytest.mark.parametrize("started", [lambda: stamp(seconds_ago=0.5), lambda: "tampered:xyz"])
def test_too_fast_or_tampered_form_is_shown_again_with_the_visitors_text(send, notify, started):
    response = send(URL, message(message="My long story <b>here</b>", started=started()))

    html = response.content.decode()
    assert response.status_code == 200
    assert "please check your message and press send once more" in html
    assert "My long story &lt;b&gt;here&lt;/b&gt;</textarea>" in html
    assert 'value="ana@example.com"' in html
    assert not ContactMessage.objects.exists()
    # The fresh stamp on the page lets the second press through after a moment.
    assert "tampered:xyz" not in html


def test_errors_are_shown_next_to_fields_and_text_is_kept(send):
    response = send(URL, message(email="not-an-email", consent=""))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_email_error"' in html and 'aria-invalid="true"' in html
    assert "Does pacing help with fibro fog?" in html
    assert not ContactMessage.objects.exists()


def test_over_long_fields_are_refused(send):
    response = send(URL, message(name="x" * 81, message="y" * 5001))

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "message"}
    assert not ContactMessage.objects.exists()


def test_line_breaks_in_a_name_never_reach_a_mail_header(send, notify):
    send(URL, message(name="Eve\r\nBcc: victim@example.com\nX-Evil: 1"))

    saved = ContactMessage.objects.get()
    assert saved.name == "Eve Bcc: victim@example.com X-Evil: 1"
    [sent] = mail.outbox
    assert sent.bcc == []
    raw = sent.message().as_string()
    assert "\nBcc:" not in raw and "\nX-Evil:" not in raw
    assert "\n" not in sent.subject and "\r" not in sent.subject


def test_an_email_address_with_a_header_injection_is_refused(send, notify):
    response = send(URL, message(email="ana@example.com\r\nBcc: victim@example.com"))

    assert response.status_code == 200 and "email" in response.context["form"].errors
    assert not ContactMessage.objects.exists() and mail.outbox == []


def test_rate_limit_answers_429_with_a_friendly_page(send, settings):
    settings.COMMUNITY_RATE_LIMITS = {**settings.COMMUNITY_RATE_LIMITS, "contact": (2, 600)}
    for _ in range(2):
        assert send(URL, message()).status_code == 302

    response = send(URL, message())

    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    html = response.content.decode()
    assert "Please wait a moment" in html and "site.css" in html
    assert ContactMessage.objects.count() == 2
    # Another address is not affected.
    assert send(URL, message(), REMOTE_ADDR="127.0.0.9").status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_address_is_limited(send, settings):
    settings.COMMUNITY_RATE_LIMITS = {**settings.COMMUNITY_RATE_LIMITS, "contact": (1, 600)}
    settings.TRUSTED_PROXY_COUNT = 1
    assert send(URL, message(), HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 302
    assert send(URL, message(), HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    assert send(URL, message(), HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 302


def test_forwarded_header_is_ignored_without_a_trusted_proxy(send, settings):
    settings.COMMUNITY_RATE_LIMITS = {**settings.COMMUNITY_RATE_LIMITS, "contact": (1, 600)}
    assert send(URL, message(), HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 302
    assert send(URL, message(), HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 429


@pytest.mark.fault
def test_rate_limit_fails_open_when_the_cache_is_down(send, settings, private_redis, notify):
    from fibrosite.config import cache_from_url

    settings.CACHES = {"default": cache_from_url(private_redis.url)}
    settings.COMMUNITY_RATE_LIMITS = {**settings.COMMUNITY_RATE_LIMITS, "contact": (1, 600)}
    assert send(URL, message()).status_code == 302
    assert send(URL, message()).status_code == 429

    private_redis.stop()

    assert send(URL, message()).status_code == 302
    assert ContactMessage.objects.count() == 2


def test_missing_consent_gets_a_plain_explanation_next_to_the_box(send):
    response = send(URL, message(consent=""))
    assert "Please tick this box so we can keep and answer your message." in (
        response.content.decode()
    )
    assert not ContactMessage.objects.exists()
