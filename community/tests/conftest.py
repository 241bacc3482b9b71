import time

import pytest
from django.test import Client
from django.utils import timezone

from community.forms import started_stamp


def stamp(seconds_ago=10):
    """The hidden "form shown at" field, as if the form was opened `seconds_ago`."""
    return started_stamp(time.time() - seconds_ago)


@pytest.fixture
def article(make_article):
    return make_article(
        title="Pacing your energy", slug="pacing", summary="Plan rests.",
        body="## Why\n\nBecause.", publish_at=timezone.now(),
    )  # fmt: skip


@pytest.fixture
def notify(settings):
    settings.NOTIFY_EMAILS = ["editors@fibrosite.test"]
    return settings.NOTIFY_EMAILS


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    """POST a form as a person would (an old enough stamp) and run the after-commit hooks."""

    def post(url, data, *, client=client, **extra):
        data = {"started": stamp(), "leave_empty": "", **data}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data, **extra)

    return post


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)
