import csv
from urllib.parse import quote

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.db.models import Case, Value, When
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from community import services
from community.models import (
    Comment,
    CommunitySettings,
    ContactMessage,
    OutboundEmail,
    SiteLink,
    Subscriber,
)


def csv_response(filename, header, rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        # A leading = + - @ makes spreadsheets run the cell as a formula.
        writer.writerow(
            [f"'{v}" if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v for v in row]
        )
    return response


ERASE_PERMISSIONS = [
    "community.delete_contactmessage",
    "community.delete_comment",
    "community.delete_subscriber",
]


@admin.action(
    description="Erase everything stored for these email addresses (privacy request)",
    permissions=["erase"],
)
def erase_personal_data(modeladmin, request, queryset):
    emails = set(queryset.values_list("email", flat=True))
    if request.POST.get("confirm") != "yes":
        # Erasing cannot be undone: show what will go first, like Django's delete action.
        return TemplateResponse(
            request,
            "admin/community/erase_confirmation.html",
            {
                **modeladmin.admin_site.each_context(request),
                "title": "Erase personal data?",
                "emails": sorted(emails),
                "counts": services.personal_data_counts(emails),
                "queryset": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "opts": modeladmin.model._meta,
            },
        )
    removed = services.erase_personal_data(emails)
    summary = ", ".join(f"{count} {what}" for what, count in removed.items())
    modeladmin.message_user(
        request,
        f"Erased all data for {len(emails)} address(es): {', '.join(sorted(emails))}. "
        f"Removed {summary}.",
        messages.SUCCESS,
    )


class EraseMixin:
    def has_erase_permission(self, request):
        return request.user.has_perms(ERASE_PERMISSIONS)


def _set_status(status, description):
    @admin.action(description=description, permissions=["change"])
    def action(modeladmin, request, queryset):
        count = queryset.update(status=status)  # comments' update() invalidates by itself
        modeladmin.message_user(request, f"{count} marked “{status.label}”.", messages.SUCCESS)

    action.__name__ = f"mark_{status.value}"
    return action


@admin.register(ContactMessage)
class ContactMessageAdmin(EraseMixin, admin.ModelAdmin):
    list_display = ["created", "name", "email", "topic", "status", "assignee", "excerpt"]
    list_display_links = ["created", "name"]
    list_filter = ["status", "topic", "assignee", "created"]
    list_select_related = ["assignee"]
    search_fields = ["name", "email", "message", "notes"]
    date_hierarchy = "created"
    readonly_fields = [
        "name", "sender", "topic", "message", "created", "consent_at", "updated"
    ]  # fmt: skip
    fieldsets = [
        ("From the visitor", {"fields": ["name", "sender", "topic", "message", "created"]}),
        ("Handling", {"fields": ["status", "assignee", "notes"]}),
        ("Details", {"fields": ["consent_at", "updated"], "classes": ["collapse"]}),
    ]
    actions = [
        _set_status(ContactMessage.Status.READ, "Mark as read"),
        _set_status(ContactMessage.Status.IN_PROGRESS, "Mark as in progress"),
        _set_status(ContactMessage.Status.ANSWERED, "Mark as answered"),
        _set_status(ContactMessage.Status.SPAM, "Mark as spam"),
        _set_status(ContactMessage.Status.NEW, "Mark as new"),
        "assign_to_me",
        "export_csv",
        erase_personal_data,
    ]

    def has_add_permission(self, request):
        return False  # messages come from visitors

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Opening a new message marks it read, so the inbox count shows what nobody has seen.
        if request.method == "GET" and self.has_change_permission(request):
            opened = ContactMessage.objects.filter(pk=object_id, status=ContactMessage.Status.NEW)
            if opened.update(status=ContactMessage.Status.READ):
                self.log_change(request, opened.model.objects.get(pk=object_id), "Opened: read.")
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="email")
    def sender(self, obj):
        """A mail link: replying is one click (the visitor's text is escaped)."""
        return format_html('<a href="mailto:{}">{}</a>', quote(obj.email, safe="@+"), obj.email)

    @admin.display(description="message")
    def excerpt(self, obj):
        return Truncator(obj.message).chars(80)

    @admin.action(description="Assign to me", permissions=["change"])
    def assign_to_me(self, request, queryset):
        count = queryset.update(assignee=request.user)
        self.message_user(request, f"{count} assigned to you.", messages.SUCCESS)

    @admin.action(description="Export selected to CSV")
    def export_csv(self, request, queryset):
        rows = queryset.select_related("assignee").values_list(
            "created", "name", "email", "topic", "status", "assignee__username", "message", "notes"
        )
        return csv_response(
            "contact-messages.csv",
            ["received", "name", "email", "topic", "status", "assignee", "message", "notes"],
            rows,
        )


@admin.register(Comment)
class CommentAdmin(EraseMixin, admin.ModelAdmin):
    list_display = ["status_label", "created", "name", "article", "excerpt", "has_reply"]
    list_display_links = ["created", "name"]
    list_filter = ["status", "article", "created"]
    list_select_related = ["article"]
    search_fields = ["name", "email", "body", "reply", "article__title"]
    date_hierarchy = "created"
    readonly_fields = ["article", "name", "email", "body", "created", "consent_at", "replied"]
    fieldsets = [
        ("Comment", {"fields": ["article", "name", "email", "body", "created"]}),
        ("Moderation", {"fields": ["status", "reply", "replied"]}),
        ("Details", {"fields": ["consent_at"], "classes": ["collapse"]}),
    ]
    actions = [
        _set_status(Comment.Status.APPROVED, "Approve: show on the article"),
        _set_status(Comment.Status.REJECTED, "Reject: hide"),
        _set_status(Comment.Status.SPAM, "Mark as spam"),
        erase_personal_data,
    ]

    def has_add_permission(self, request):
        return False

    def get_ordering(self, request):
        # Waiting comments first (newest of them on top), then the rest, newest first.
        pending = Case(When(status=Comment.Status.PENDING, then=Value(0)), default=Value(1))
        return [pending.asc(), "-created", "-id"]

    @admin.display(description="status", ordering="status")
    def status_label(self, obj):
        if obj.status == Comment.Status.PENDING:
            return format_html("<strong>{}</strong>", "Awaiting moderation")
        return obj.get_status_display()

    @admin.display(description="comment")
    def excerpt(self, obj):
        return Truncator(obj.body).chars(80)

    @admin.display(description="replied", boolean=True)
    def has_reply(self, obj):
        return bool(obj.reply)

    @admin.display(description="reply by")
    def replied(self, obj):
        if not obj.reply_by_id:
            return "-"
        return f"{obj.reply_by} on {timezone.localtime(obj.replied_at):%d %b %Y %H:%M}"

    def save_model(self, request, obj, form, change):
        if "reply" in form.changed_data:
            obj.reply_by = request.user if obj.reply else None
            obj.replied_at = timezone.now() if obj.reply else None
        super().save_model(request, obj, form, change)


@admin.register(Subscriber)
class SubscriberAdmin(EraseMixin, admin.ModelAdmin):
    list_display = [
        "email",
        "first_name",
        "status",
        "wants_updates",
        "wants_whatsapp",
        "wants_store_news",
        "created",
        "confirmed_at",
    ]
    list_filter = ["status", "wants_updates", "wants_whatsapp", "wants_store_news", "created"]
    search_fields = ["email", "first_name"]
    date_hierarchy = "created"
    # Only the reader can confirm (double opt-in); editors can unsubscribe people.
    readonly_fields = [
        "email",
        "status",
        "consent_text",
        "consented_at",
        "created",
        "confirmed_at",
        "unsubscribed_at",
        "last_mailed_at",
        "digest_sent_until",
    ]
    fields = [
        "email",
        "first_name",
        "status",
        ("wants_updates", "wants_whatsapp", "wants_store_news"),
        "consent_text",
        "consented_at",
        "created",
        "confirmed_at",
        "unsubscribed_at",
        "last_mailed_at",
        "digest_sent_until",
    ]
    actions = ["unsubscribe_selected", "export_csv", erase_personal_data]

    @admin.action(description="Unsubscribe selected people", permissions=["change"])
    def unsubscribe_selected(self, request, queryset):
        for subscriber in queryset:
            services.subscriber_unsubscribe(subscriber)
        self.message_user(request, f"{len(queryset)} unsubscribed.", messages.SUCCESS)

    def has_add_permission(self, request):
        return False  # only the double opt-in adds people

    @admin.action(description="Export selected to CSV")
    def export_csv(self, request, queryset):
        rows = queryset.values_list(
            "email",
            "first_name",
            "status",
            "wants_updates",
            "wants_whatsapp",
            "wants_store_news",
            "consented_at",
            "confirmed_at",
            "consent_text",
        )
        return csv_response(
            "subscribers.csv",
            [
                "email",
                "first name",
                "status",
                "updates",
                "whatsapp",
                "store news",
                "consented at",
                "confirmed at",
                "consent text",
            ],
            rows,
        )


@admin.register(SiteLink)
class SiteLinkAdmin(admin.ModelAdmin):
    list_display = ["label", "section", "url", "order", "active"]
    list_editable = ["order", "active"]
    list_filter = ["section", "active"]
    search_fields = ["label", "url"]


@admin.register(CommunitySettings)
class CommunitySettingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not CommunitySettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["created", "kind", "subject", "recipients", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind", "created"]
    search_fields = ["subject", "person_email"]
    date_hierarchy = "created"
    actions = ["retry_now"]
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="to")
    def recipients(self, obj):
        return ", ".join(obj.to)

    def has_retry_permission(self, request):
        return request.user.has_perm("community.change_outboundemail")

    @admin.action(description="Send again now (failed or waiting mails)", permissions=["retry"])
    def retry_now(self, request, queryset):
        with transaction.atomic():
            count = queryset.filter(
                status__in=[OutboundEmail.Status.FAILED, OutboundEmail.Status.PENDING]
            ).update(
                status=OutboundEmail.Status.PENDING, next_attempt_at=timezone.now(), attempts=0
            )
        self.message_user(
            request,
            f"{count} mail(s) will go out on the next send_pending_mail run.",
            messages.SUCCESS,
        )
