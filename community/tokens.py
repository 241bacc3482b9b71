"""Signed tokens for confirmation and unsubscribe links (django.core.signing).

Both carry the subscriber's id and address, so a token stops working if the
address is erased and someone else later signs up under the same id.
Confirmation links expire (COMMUNITY_CONFIRM_MAX_AGE); unsubscribe links do not,
because a digest read months later must still unsubscribe in one click.
"""

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "community.subscriber.confirm"
UNSUBSCRIBE_SALT = "community.subscriber.unsubscribe"


class BadToken(Exception):
    def __init__(self, expired=False):
        self.expired = expired
        super().__init__("expired" if expired else "invalid")


def _payload(subscriber):
    return {"id": subscriber.pk, "email": subscriber.email.lower()}


def confirm_token(subscriber):
    return signing.dumps(_payload(subscriber), salt=CONFIRM_SALT)


def unsubscribe_token(subscriber):
    return signing.dumps(_payload(subscriber), salt=UNSUBSCRIBE_SALT)


def _load(token, salt, max_age):
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise BadToken(expired=True) from None
    except signing.BadSignature:
        raise BadToken() from None
    if not isinstance(data, dict) or not {"id", "email"} <= data.keys():
        raise BadToken()
    return data


def subscriber_for(token, *, purpose):
    """The subscriber a token names, or BadToken."""
    from community.models import Subscriber

    if purpose == "confirm":
        data = _load(token, CONFIRM_SALT, settings.COMMUNITY_CONFIRM_MAX_AGE)
    else:
        data = _load(token, UNSUBSCRIBE_SALT, None)
    subscriber = Subscriber.objects.filter(pk=data["id"], email__iexact=data["email"]).first()
    if subscriber is None:
        raise BadToken()
    return subscriber
