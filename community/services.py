"""What happens when a visitor writes to us, signs up or comments: save, then mail.

Every function saves and enqueues its mail in one transaction; the task worker
delivers it after commit (community/mail.py, community/tasks.py), so neither a slow
nor a failing mail server ever holds up a visitor or loses anything.
"""

from datetime import timedelta
from functools import partial

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from community import tasks, tokens
from community.mail import enqueue, header_safe, staff_recipients, subscriber_headers
from community.models import (
    INTEREST_FIELDS,
    Comment,
    CommunitySettings,
    ContactMessage,
    OutboundEmail,
    Subscriber,
)
from core.seo import absolute

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
    """Add or refresh a signup; the worker mails the address (see subscriber_signup_mail).

    The request does the same work whether the address is new, waiting, confirmed or
    mailed a minute ago, so neither the page nor its timing tells a stranger which. A
    confirmed subscriber's choices are not changed by a form anyone could fill in with
    their address.
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
        transaction.on_commit(partial(tasks.send_signup_mail.enqueue, subscriber.pk))
    return subscriber


def subscriber_signup_mail(subscriber_id):
    """The signup's mail, at most once an hour: a confirmation link, or "you're already
    subscribed" for a confirmed address. Run by the worker, never in the request."""
    now = timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
        if subscriber is None or subscriber.status == Subscriber.Status.UNSUBSCRIBED:
            return None
        if subscriber.last_mailed_at and now - subscriber.last_mailed_at < SIGNUP_MAIL_INTERVAL:
            return None
        subscriber.last_mailed_at = now
        subscriber.save(update_fields=["last_mailed_at"])
        if subscriber.status == Subscriber.Status.CONFIRMED:
            return mail_subscriber(subscriber, "already_subscribed", "You're already on our list")
        return mail_subscriber(
            subscriber,
            "confirm",
            "Please confirm your FibroSite signup",
            confirm_url=absolute(
                reverse("community:confirm", args=[tokens.confirm_token(subscriber)])
            ),
        )


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


HISTORY = "admin history entries"


def _personal_data(email):
    return {
        "contact messages": ContactMessage.objects.filter(email__iexact=email),
        "comments": Comment.objects.filter(email__iexact=email),
        "subscribers": Subscriber.objects.with_email(email),
        "emails in the outbox": OutboundEmail.objects.filter(person_email__iexact=email),
    }


def _admin_history(email, data):
    """Django's admin history rows that name this person: those about their rows (the
    entry keeps the row's name, e.g. "Ana: Question", after the row is gone), and any
    that spell out the address."""
    about = Q(object_repr__icontains=email) | Q(change_message__icontains=email)
    for rows in data.values():
        content_type = ContentType.objects.get_for_model(rows.model)
        pks = [str(pk) for pk in rows.values_list("pk", flat=True)]
        about |= Q(content_type=content_type, object_id__in=pks)
        reprs = {str(row) for row in rows}
        about |= Q(content_type=content_type, object_repr__in=reprs)
    return LogEntry.objects.filter(about)


def _clean_addresses(emails):
    return {e.strip().lower() for e in emails if e and e.strip()}


def personal_data_counts(emails):
    """What erase_personal_data would remove, for the confirmation page."""
    counts = dict.fromkeys([*_personal_data(""), HISTORY], 0)
    for email in _clean_addresses(emails):
        data = _personal_data(email)
        for what, rows in data.items():
            counts[what] += rows.count()
        counts[HISTORY] += _admin_history(email, data).count()
    return counts


def erase_personal_data(emails):
    """Delete every message, comment, signup, queued mail and admin history entry for
    these addresses.

    Returns {"contact messages": n, ...} for the editor's confirmation message.
    """
    removed = dict.fromkeys([*_personal_data(""), HISTORY], 0)
    with transaction.atomic():  # deleting comments invalidates cached pages, once
        for email in _clean_addresses(emails):
            data = _personal_data(email)
            removed[HISTORY] += _admin_history(email, data).delete()[0]
            for what, rows in data.items():
                removed[what] += rows.delete()[0]
    return removed
