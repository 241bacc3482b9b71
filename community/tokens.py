"""Signed tokens for confirmation and unsubscribe links (django.core.signing).

A token is the subscriber's id and a keyed digest of their address, signed:
`12-3f9c1a0b7d2e:<signature>`. It holds no personal data (links end up in proxy and
access logs), stops working if the address is erased and someone else later gets the
same id, and is short enough to sit on one header line. Confirmation links expire
(COMMUNITY_CONFIRM_MAX_AGE); unsubscribe links do not, because a digest read months
later must still unsubscribe in one click. Links from before these tokens (base64 JSON
with the address inside) no longer verify and get the "link problem" page.
"""

import re

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

CONFIRM_SALT = "community.subscriber.confirm.v2"
UNSUBSCRIBE_SALT = "community.subscriber.unsubscribe.v2"
_DIGEST_SALT = "community.subscriber.address"
_VALUE = re.compile(r"([1-9][0-9]{0,18})-([0-9a-f]{12})")


class BadToken(Exception):
    def __init__(self, expired=False):
        self.expired = expired
        super().__init__("expired" if expired else "invalid")


def _digest(pk, email):
    digest = salted_hmac(_DIGEST_SALT, f"{pk}:{email.lower()}", algorithm="sha256")
    return digest.hexdigest()[:12]


def _value(subscriber):
    return f"{subscriber.pk}-{_digest(subscriber.pk, subscriber.email)}"


def confirm_token(subscriber):
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(_value(subscriber))


def unsubscribe_token(subscriber):
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(_value(subscriber))


def _load(token, purpose):
    try:
        if purpose == "confirm":
            signer = signing.TimestampSigner(salt=CONFIRM_SALT)
            value = signer.unsign(token, max_age=settings.COMMUNITY_CONFIRM_MAX_AGE)
        else:
            value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.SignatureExpired:
        raise BadToken(expired=True) from None
    except signing.BadSignature:
        raise BadToken() from None
    match = _VALUE.fullmatch(value)
    if match is None:
        raise BadToken()
    return int(match[1]), match[2]


def subscriber_for(token, *, purpose):
    """The subscriber a token names, or BadToken."""
    from community.models import Subscriber

    pk, digest = _load(token, purpose)
    subscriber = Subscriber.objects.filter(pk=pk).first()
    if subscriber is None or not constant_time_compare(digest, _digest(pk, subscriber.email)):
        raise BadToken()
    return subscriber
