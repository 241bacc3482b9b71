"""What happens when a visitor writes to us, signs up or comments: save, then mail.

Every function saves and enqueues its mail in one transaction (community/mail.py
delivers after commit), so a failing mail server never loses anything.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from articles.seo import absolute
from community import tokens
from community.mail import enqueue, header_safe, staff_recipients, subscriber_headers
from community.models import (
    INTEREST_FIELDS,
    Comment,
    CommunitySettings,
    ContactMessage,
    OutboundEmail,
    Subscriber,
)
from fibrosite.pagecache import content_changed

SIGNUP_MAIL_INTERVAL = timedelta(hours=1)


def _admin_url(obj):
    opts = obj._meta
    return absolute(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))


def contact_message_create(*, name, email, topic, message):
    with transaction.atomic():
        contact = ContactMessage.objects.create(
            name=name, email=email, topic=topic, message=message, consent_at=timezone.now()
        )
        enqueue(
            "contact",
            staff_recipients(),
            f"New message: {contact.get_topic_display()} from {header_safe(name)}",
            render_to_string(
                "community/email/contact_notification.txt",
                {"contact": contact, "admin_url": _admin_url(contact)},
            ),
            reply_to=email,
            person_email=email,
        )
    return contact


def comment_create(*, article, name, email, body):
    with transaction.atomic():
        comment = Comment.objects.create(
            article=article, name=name, email=email, body=body, consent_at=timezone.now()
        )
        enqueue(
            "comment",
            staff_recipients(),
            f"New comment to moderate on “{article.title}”",
            render_to_string(
                "community/email/comment_notification.txt",
                {
                    "comment": comment,
                    "article_url": absolute(article.get_absolute_url()),
                    "admin_url": _admin_url(comment),
                },
            ),
            person_email=email,
        )
    return comment


def comment_import(*, article, name, body, created):
    """A comment brought over from an old blog: already public there, so approved here.

    No email address is stored (Blogger exports don't give one worth keeping) and no
    notification is sent; the body is plain text, escaped on the page like any comment.
    """
    name = " ".join((name or "").split())[: Comment._meta.get_field("name").max_length]
    return Comment.objects.create(
        article=article,
        name=name or "Anonymous",
        email="",
        body=body[: Comment._meta.get_field("body").max_length],
        consent_at=created,
        created=created,
        status=Comment.Status.APPROVED,
    )


def subscriber_signup(*, email, first_name, consent_text, **interests):
    """Add or refresh a signup and mail the address, at most once an hour.

    The response to the visitor is the same whether the address is new, waiting
    or confirmed. A confirmed subscriber's choices are not changed by a form
    anyone could fill in with their address; they get a short "you're already
    subscribed" note instead of a confirmation link.
    """
    interests = {name: bool(interests.get(name)) for name in INTEREST_FIELDS}
    now = timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().with_email(email).first()
        if subscriber is None:
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(
                        email=email,
                        first_name=first_name,
                        consent_text=consent_text,
                        consented_at=now,
                        **interests,
                    )
            except IntegrityError:  # the same address signed up a moment ago
                subscriber = Subscriber.objects.select_for_update().with_email(email).get()
        elif subscriber.status != Subscriber.Status.CONFIRMED:
            for name, value in interests.items():
                setattr(subscriber, name, value)
            subscriber.first_name = first_name
            subscriber.consent_text = consent_text
            subscriber.consented_at = now
            subscriber.status = Subscriber.Status.PENDING
            subscriber.unsubscribed_at = None
            subscriber.save()

        if subscriber.last_mailed_at and now - subscriber.last_mailed_at < SIGNUP_MAIL_INTERVAL:
            return subscriber
        subscriber.last_mailed_at = now
        subscriber.save(update_fields=["last_mailed_at"])
        if subscriber.status == Subscriber.Status.CONFIRMED:
            mail_subscriber(subscriber, "already_subscribed", "You're already on our list")
        else:
            mail_subscriber(
                subscriber,
                "confirm",
                "Please confirm your FibroSite signup",
                confirm_url=absolute(
                    reverse("community:confirm", args=[tokens.confirm_token(subscriber)])
                ),
            )
    return subscriber


def subscriber_confirm(subscriber):
    """Confirm a waiting signup; True if this call confirmed it."""
    with transaction.atomic():
        updated = Subscriber.objects.filter(
            pk=subscriber.pk, status=Subscriber.Status.PENDING
        ).update(status=Subscriber.Status.CONFIRMED, confirmed_at=timezone.now())
        if updated:
            subscriber.refresh_from_db()
            mail_subscriber(
                subscriber,
                "welcome",
                "Welcome to the FibroSite community",
                whatsapp_url=absolute(reverse("community:whatsapp")),
                has_invite=bool(CommunitySettings.load().whatsapp_invite_url),
            )
    return bool(updated)


def subscriber_unsubscribe(subscriber):
    Subscriber.objects.filter(pk=subscriber.pk).exclude(
        status=Subscriber.Status.UNSUBSCRIBED
    ).update(status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now())


def mail_subscriber(subscriber, kind, subject, *, deliver_now=True, **context):
    context.update(
        subscriber=subscriber,
        site_url=absolute("/"),
        unsubscribe_url=subscriber_headers(subscriber)["List-Unsubscribe"][1:-1],
    )
    return enqueue(
        kind,
        [subscriber.email],
        subject,
        render_to_string(f"community/email/{kind}.txt", context),
        headers=subscriber_headers(subscriber),
        person_email=subscriber.email,
        dedupe_key=context.get("dedupe_key"),
        deliver_now=deliver_now,
    )


def _personal_data(email):
    return {
        "contact messages": ContactMessage.objects.filter(email__iexact=email),
        "comments": Comment.objects.filter(email__iexact=email),
        "subscribers": Subscriber.objects.with_email(email),
        "emails in the outbox": OutboundEmail.objects.filter(person_email__iexact=email),
    }


def _clean_addresses(emails):
    return {e.strip().lower() for e in emails if e and e.strip()}


def personal_data_counts(emails):
    """What erase_personal_data would remove, for the confirmation page."""
    counts = dict.fromkeys(_personal_data(""), 0)
    for email in _clean_addresses(emails):
        for what, rows in _personal_data(email).items():
            counts[what] += rows.count()
    return counts


def erase_personal_data(emails):
    """Delete every message, comment, signup and queued mail for these addresses.

    Returns {"contact messages": n, ...} for the editor's confirmation message.
    """
    removed = dict.fromkeys(_personal_data(""), 0)
    had_public_comments = False
    with transaction.atomic():
        for email in _clean_addresses(emails):
            data = _personal_data(email)
            had_public_comments |= data["comments"].filter(status=Comment.Status.APPROVED).exists()
            for what, rows in data.items():
                removed[what] += rows.delete()[0]
    if had_public_comments:
        content_changed()
    return removed
