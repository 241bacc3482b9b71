from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from core.pagecache import PublicQuerySet

NAME_MAX = 80
EMAIL_MAX = 254


class ContactMessage(models.Model):
    class Topic(models.TextChoices):
        QUESTION = "question", "A question for the editors"
        ARTICLE = "article", "Feedback or a correction on an article"
        STORY = "story", "Sharing my story"
        COMMUNITY = "community", "The community or WhatsApp group"
        STORE = "store", "The store"
        PRESS = "press", "Press or partnerships"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        NEW = "new", "New"
        READ = "read", "Read"  # opened by an editor, nothing done yet
        IN_PROGRESS = "in_progress", "In progress"
        ANSWERED = "answered", "Answered"
        SPAM = "spam", "Spam"

    name = models.CharField(max_length=NAME_MAX)
    email = models.EmailField(max_length=EMAIL_MAX)
    topic = models.CharField(max_length=20, choices=Topic, default=Topic.QUESTION)
    message = models.TextField(max_length=5000)
    consent_at = models.DateTimeField(
        "agreed to be contacted at", help_text="When the visitor ticked the consent box."
    )
    created = models.DateTimeField("received", default=timezone.now, db_index=True)

    status = models.CharField(max_length=12, choices=Status, default=Status.NEW, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_messages",
        limit_choices_to={"is_staff": True},
    )
    notes = models.TextField(
        "internal notes", blank=True, help_text="Only editors see these. Never sent to the visitor."
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = "contact message"

    def __str__(self):
        return f"{self.name}: {self.get_topic_display()}"


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Subscriber.Status.CONFIRMED)

    def with_email(self, email):
        return self.filter(email__iexact=email.strip())


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    email = models.EmailField(max_length=EMAIL_MAX)
    first_name = models.CharField(max_length=60, blank=True)
    wants_updates = models.BooleanField("chronic illness updates (digest)", default=False)
    wants_whatsapp = models.BooleanField("WhatsApp community", default=False)
    wants_store_news = models.BooleanField("store news", default=False)

    status = models.CharField(max_length=12, choices=Status, default=Status.PENDING, db_index=True)
    consent_text = models.TextField(help_text="Exactly what the visitor agreed to.")
    consented_at = models.DateTimeField()
    created = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    last_mailed_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Last confirmation or notice mail."
    )
    digest_sent_until = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Articles published up to this moment have been sent in a digest.",
    )

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="community_subscriber_email_ci_unique")
        ]

    def __str__(self):
        return self.email

    @property
    def interests(self):
        labels = [
            field.verbose_name
            for field in (self._meta.get_field(name) for name in INTEREST_FIELDS)
            if getattr(self, field.name)
        ]
        return ", ".join(labels)


INTEREST_FIELDS = ("wants_updates", "wants_whatsapp", "wants_store_news")


class CommentQuerySet(PublicQuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for moderation"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        SPAM = "spam", "Spam"

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="comments"
    )
    name = models.CharField(max_length=NAME_MAX)
    email = models.EmailField(max_length=EMAIL_MAX, help_text="Never shown on the site.")
    body = models.TextField("comment", max_length=3000)
    consent_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING, db_index=True)
    created = models.DateTimeField(default=timezone.now)
    reply = models.TextField(
        "site reply",
        blank=True,
        max_length=3000,
        help_text="Shown under the comment as a reply from FibroSite. Plain text.",
    )
    reply_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    replied_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["article", "status", "created"])]

    def __str__(self):
        return f"{self.name} on {self.article_id}"


class SiteLink(models.Model):
    class Section(models.TextChoices):
        MORE_INFO = "more_info", "More information"
        BLOGS = "blogs", "Official fibromyalgia blogs"
        STORES = "stores", "Fibromyalgia stores"
        COMMUNITY = "community", "Community"

    section = models.CharField(max_length=12, choices=Section)
    label = models.CharField(max_length=100)
    url = models.URLField("link", max_length=500)
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")
    active = models.BooleanField(default=True, help_text="Untick to hide without deleting.")

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["section", "order", "label"]
        verbose_name = "site link"

    def __str__(self):
        return self.label


class CommunitySettings(models.Model):
    """One row of community settings editors can change without a deploy."""

    whatsapp_invite_url = models.URLField(
        "WhatsApp invite link",
        max_length=300,
        blank=True,
        help_text="The invite link (https://chat.whatsapp.com/...). Empty hides the button.",
    )
    whatsapp_rules = models.TextField(
        "WhatsApp group rules",
        max_length=3000,
        blank=True,
        help_text="One rule per line, shown before the invite link.",
    )

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "community settings"

    def __str__(self):
        return "Community settings"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    @property
    def rules(self):
        return [line.strip(" -*•\t") for line in self.whatsapp_rules.splitlines() if line.strip()]


class OutboundEmail(models.Model):
    """The outbox: every mail the site sends is a row here first (see community/mail.py)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Gave up"

    kind = models.CharField(max_length=30)
    to = models.JSONField(help_text="List of recipient addresses.")
    reply_to = models.EmailField(max_length=EMAIL_MAX, blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    headers = models.JSONField(default=dict, blank=True)
    person_email = models.EmailField(
        max_length=EMAIL_MAX,
        blank=True,
        db_index=True,
        help_text="Whose personal data this mail carries (for erasure requests).",
    )
    dedupe_key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claim_token = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = "outgoing email"
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due_idx",
                condition=Q(status__in=["pending", "sending"]),
            )
        ]

    def __str__(self):
        return self.subject
