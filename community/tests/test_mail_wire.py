"""Every mail the site sends, as the bytes an SMTP server receives (aiosmtpd)."""

import email
import email.policy
import re

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from community import services
from community.digest import send_digests
from community.mail import deliver_due
from community.models import Subscriber
from conftest import free_port

SITE = "https://www.fibromyalgia-community-support.example.org"


class Sink:
    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.received.append(envelope.original_content)
        return "250 OK"


@pytest.fixture
def smtp_sink(settings):
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 5},
        }
    }
    settings.SITE_URL = SITE
    settings.NOTIFY_EMAILS = ["editors@fibrosite.test"]
    yield sink
    controller.stop()


def header_lines(raw):
    """The header block as sent: (name, value) per header, continuation lines joined."""
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    return re.findall(r"^([\w-]+): ([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)", head, re.M)


@pytest.mark.django_db
def test_every_mail_has_readable_headers_on_the_wire(
    smtp_sink, article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the worker's part: tasks run
        send_everything(article)
    assert deliver_due()[1] == 0
    check_wire(smtp_sink)


LONG_NAME = "Mariana " + "Fernández-" * 6 + "López"  # 73 of the 80 characters allowed


def send_everything(article):
    long_name = LONG_NAME
    services.contact_message_create(
        name=long_name, email="mariana.fernandez.lopez.longaddress@mail.example.com",
        topic="question", message="Hello",
    )  # fmt: skip
    services.comment_create(article=article, name="Ana", email="ana@example.com", body="Thanks")
    new = services.subscriber_signup(
        email="new.person@example.com", first_name="Nia", consent_text="x", wants_updates=True
    )
    services.subscriber_confirm(new)
    old = Subscriber.objects.create(
        email="old@example.com", status=Subscriber.Status.CONFIRMED, wants_updates=True,
        consent_text="x", consented_at=timezone.now(), confirmed_at=timezone.now(),
    )  # fmt: skip
    services.subscriber_signup(email="old@example.com", first_name="", consent_text="x")
    Subscriber.objects.filter(pk=old.pk).update(
        digest_sent_until=article.publish_at - timezone.timedelta(days=1)
    )
    send_digests()


def check_wire(smtp_sink):
    long_name = LONG_NAME
    kinds = set()
    for raw in smtp_sink.received:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        kinds.add(message["Subject"])
        for name, value in header_lines(raw):
            # Encoded words only where the text is not ASCII (accented names, curly quotes).
            if "=?" in value:
                assert not str(message[name]).isascii(), (name, value)
        if message["List-Unsubscribe"]:
            [line] = [v for n, v in header_lines(raw) if n == "List-Unsubscribe"]
            assert re.fullmatch(rf"<{re.escape(SITE)}/community/unsubscribe/[^\s>]+/>", line)
            assert "\r\n" not in line
            [post] = [v for n, v in header_lines(raw) if n == "List-Unsubscribe-Post"]
            assert post == "List-Unsubscribe=One-Click"
        if "New message" in message["Subject"]:
            assert message["Subject"].endswith(f" from {long_name}")
            assert message["Reply-To"] == "mariana.fernandez.lopez.longaddress@mail.example.com"
    assert len(smtp_sink.received) == 6, kinds
    assert sum(b"List-Unsubscribe: <https://" in raw for raw in smtp_sink.received) == 4
