import logging
import secrets
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache

from community.mail import header_safe
from community.models import EMAIL_MAX, INTEREST_FIELDS, NAME_MAX, Comment, ContactMessage

logger = logging.getLogger("fibrosite.community")

STARTED_SALT = "community.form-started.v2"
SEND_AGAIN = (
    "Thank you! To keep automated spam out, please check your message and press send once more."
)

SIGNUP_CONSENT = (
    "I agree that FibroSite may email me about the interests I ticked. "
    "I can unsubscribe at any time with the link in every email."
)


def started_stamp(at=None):
    """The signed moment a form was shown, with a random id so it can be used only once."""
    return signing.Signer(salt=STARTED_SALT).sign(f"{at or time.time():.3f}:{secrets.token_hex(8)}")


def _read_stamp(value):
    """(seconds since the form was shown, its id), or None when not one of our stamps."""
    try:
        shown, stamp_id = signing.Signer(salt=STARTED_SALT).unsign(value).split(":")
        return time.time() - float(shown), stamp_id
    except (signing.BadSignature, ValueError):
        return None


def _first_use(stamp_id):
    """True the first time a stamp is sent; False when it was sent before.

    Kept in the shared cache as long as a stamp is accepted at all. If the cache is
    down the stamp is accepted: a form that keeps working matters more than a perfect check.
    """
    try:
        added = cache.add(f"form-stamp:{stamp_id}", 1, timeout=settings.COMMUNITY_FORM_MAX_SECONDS)
    except Exception:
        logger.warning("Form stamp cache unavailable; accepting the stamp.", exc_info=True)
        return True
    return added is not False


class BotCheckForm(forms.Form):
    """A honeypot people never see, and a signed time the form was first shown.

    `is_bot` (honeypot filled) means: drop silently and thank them. A stamp that is
    too quick, too old, tampered with or already used (one page load replayed for many
    posts) is a form error instead, with a fresh stamp, so a person keeps what they
    wrote and sends it again.
    """

    leave_empty = forms.CharField(
        label="Leave this field empty",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("started", started_stamp())

    @property
    def is_bot(self):
        return bool(self.data.get(self.add_prefix("leave_empty"), "").strip())

    def _send_again(self):
        # A fresh stamp, so pressing send again after a moment goes through.
        self.data = self.data.copy()
        self.data["started"] = started_stamp()
        return forms.ValidationError(SEND_AGAIN, code="too_fast")

    def clean(self):
        cleaned = super().clean()
        stamp = _read_stamp(self.data.get("started", ""))
        if stamp is None or not (
            settings.COMMUNITY_FORM_MIN_SECONDS <= stamp[0] <= settings.COMMUNITY_FORM_MAX_SECONDS
        ):
            raise self._send_again()
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        # Spent only by a post that is otherwise fine: a visitor correcting a typo in their
        # email address sends the same stamp again.
        if not self.errors and not _first_use(_read_stamp(self.data["started"])[1]):
            self.add_error(None, self._send_again())

    @property
    def bot_fields(self):
        return [self["leave_empty"], self["started"]]


def clean_name(value):
    """Names are one line of plain text: line breaks and control characters become spaces."""
    return header_safe(value, NAME_MAX)


class ContactForm(BotCheckForm):
    name = forms.CharField(
        label="Your name",
        max_length=NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="Your email address",
        max_length=EMAIL_MAX,
        help_text="We only use it to reply to you.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    topic = forms.ChoiceField(label="What is it about?", choices=ContactMessage.Topic.choices)
    message = forms.CharField(
        label="Your message",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8, "autocomplete": "off"}),
    )
    consent = forms.BooleanField(
        label="I agree that FibroSite may store this message and email me a reply.",
        error_messages={"required": "Please tick this box so we can keep and answer your message."},
    )

    def clean_name(self):
        return clean_name(self.cleaned_data["name"])


class SignupForm(BotCheckForm):
    email = forms.EmailField(
        label="Your email address",
        max_length=EMAIL_MAX,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    first_name = forms.CharField(
        label="Your first name (optional)",
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    wants_updates = forms.BooleanField(
        label="Chronic illness updates: an email when we publish new articles",
        required=False,
        initial=True,
    )
    wants_whatsapp = forms.BooleanField(
        label="The WhatsApp community: we'll send you the group's rules and invite link",
        required=False,
    )
    wants_store_news = forms.BooleanField(
        label="Store news: new products and offers, now and then", required=False
    )
    consent = forms.BooleanField(
        label=SIGNUP_CONSENT,
        error_messages={"required": "Please tick this box so we may email you."},
    )

    def clean_first_name(self):
        return clean_name(self.cleaned_data["first_name"])

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) for name in INTEREST_FIELDS):
            raise forms.ValidationError("Please tick at least one thing you'd like to hear about.")
        return cleaned


class CommentForm(BotCheckForm):
    name = forms.CharField(
        label="Your name (shown with your comment)",
        max_length=NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="Your email address (never shown)",
        max_length=EMAIL_MAX,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    body = forms.CharField(
        label="Your comment",
        max_length=Comment._meta.get_field("body").max_length,
        widget=forms.Textarea(attrs={"rows": 7, "autocomplete": "off"}),
    )
    consent = forms.BooleanField(
        label="I agree that my name and comment are shown here once an editor approves them.",
        error_messages={"required": "Please tick this box so we may show your comment."},
    )

    def clean_name(self):
        return clean_name(self.cleaned_data["name"])
