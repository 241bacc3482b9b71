"""Real mail backends for tests: they go through Django's mail API like production."""

import os
import smtplib
import threading
import time

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class DownBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class SlowBackend(LocmemBackend):
    """Delivers to mail.outbox, slowly, so two concurrent runs overlap."""

    lock = threading.Lock()

    def send_messages(self, messages):
        time.sleep(0.02)
        with self.lock:
            return super().send_messages(messages)


class RecordingBackend(BaseEmailBackend):
    """Appends one line per delivered mail to $MAIL_RECORD (shared by several processes)."""

    def send_messages(self, messages):
        time.sleep(0.01)
        with open(os.environ["MAIL_RECORD"], "a") as record:
            for message in messages:
                record.write(f"{os.getpid()} {message.to[0]}\n")
        return len(messages)
