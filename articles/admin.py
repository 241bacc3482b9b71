import logging
from urllib.parse import urlsplit

import reversion
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import Now
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from reversion.models import Version

from articles import search
from articles.diffs import word_diff
from articles.forms import ArticleAdminForm, when
from articles.models import (
    FAQ,
    Article,
    Category,
    Person,
    Reference,
    ReviewLink,
    SlugRedirect,
    Synonym,
    Tag,
)
from articles.services import (
    RestoreRefused,
    article_restore,
    review_link_create,
    review_links_revoke,
)
from core import seo
from core.admin import (
    BulkInlineSaveMixin,
    LiteralHelpTextMixin,
    OneTransactionVersionAdmin,
    UploadFailureAdminMixin,
)
from core.widgets import EditorWidget

logger = logging.getLogger("fibrosite")
MARKDOWN_WIDGET = {"widget": EditorWidget}


class MarkdownAdminMixin:
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in {"body", "answer"}:
            kwargs.update(MARKDOWN_WIDGET)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class FAQInline(MarkdownAdminMixin, admin.StackedInline):
    model = FAQ
    fields = ["question", "answer", "order"]
    extra = 0
    verbose_name = "question for this article"
    verbose_name_plural = "Questions and answers (FAQ) for this article"


class ReferenceInline(admin.TabularInline):
    model = Reference
    fields = ["order", "citation", "url", "doi", "pmid"]
    extra = 0


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", "Draft"),
            ("scheduled", "Scheduled"),
            ("published", "Published"),
            ("unpublished", "Unpublished"),
        ]

    def queryset(self, request, queryset):
        value, now = self.value(), timezone.now()
        if value == "scheduled":
            return queryset.filter(status=Article.Status.PUBLISHED, publish_at__gt=now)
        if value == "published":
            return queryset.filter(status=Article.Status.PUBLISHED, publish_at__lte=now)
        if value in ("draft", "unpublished"):
            return queryset.filter(status=value)
        return queryset


class ReviewDueFilter(admin.SimpleListFilter):
    title = "medical review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("due", "Due (published, review out of date)"), ("never", "Never reviewed")]

    def queryset(self, request, queryset):
        if self.value() == "due":
            return queryset.filter(pk__in=Article.objects.due_for_review().values("pk"))
        if self.value() == "never":
            return queryset.filter(last_reviewed__isnull=True)
        return queryset


# Every admin save of an article keeps a revision of it with its FAQs and references.
# Derived columns are left out: they are rebuilt from the text on save (and on restore).
reversion.register(FAQ, exclude=["answer_html"])
reversion.register(Reference)
# Categories and people are shared by many articles: a revision keeps only which ones the
# article had (the history shows their names as they are now), so restoring an article
# can't rename a category back. Older revisions also hold copies of them, read, never
# restored (RESTORED below); that needs them registered.
reversion.register(Category)
reversion.register(Person, exclude=["photo_renditions"])
reversion.register(
    Article,
    follow=["faqs", "references"],
    exclude=[
        "body_html",
        "body_renditions",
        "toc",
        "search_text",
        "search_vector",
        "hero_renditions",
        "social_renditions",
    ],
)


@admin.register(Article)
class ArticleAdmin(
    UploadFailureAdminMixin, MarkdownAdminMixin, BulkInlineSaveMixin, OneTransactionVersionAdmin
):
    form = ArticleAdminForm
    list_display = [
        "title",
        "status_label",
        "category",
        "written_by",
        "reviewed_by",
    ]
    list_filter = [StatusFilter, ReviewDueFilter, "featured", "category", "tags", "publish_at"]
    list_select_related = ["category", "written_by", "reviewed_by"]
    search_fields = ["title", "summary", "body"]
    autocomplete_fields = ["written_by", "reviewed_by"]
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["tags"]
    inlines = [FAQInline, ReferenceInline]
    actions = ["publish", "unpublish"]
    save_on_top = True
    readonly_fields = [
        "reading_minutes", "author", "created", "updated", "review_links", "share_card"
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body"]}),
        ("Publishing", {"fields": ["status", "publish_at", "featured", "category", "tags"]}),
        ("Image", {"fields": ["hero_image", "hero_alt"]}),
        (
            "Search and sharing",
            {
                "fields": ["meta_description", "social_image", "social_alt", "share_card"],
                "description": "How the article looks in search results and shared links.",
            },
        ),
        (
            "People and review",
            {"fields": ["written_by", "reviewed_by", "last_reviewed", "author"]},
        ),
        ("Details", {"fields": ["reading_minutes", "created", "updated", "review_links"]}),
    ]

    object_history_template = "admin/articles/article/history.html"
    compare_exclude = ["author", "created", "updated"]  # not the editor's text or choices

    class Media:
        css = {"all": ["css/editor.css"]}
        js = [
            "js/editor-autosave.js",
            "js/editor-count.js",
            "js/editor-preview.js",
            "js/editor-share-card.js",
        ]

    history_latest_first = True

    def get_urls(self):
        restore = self.admin_site.admin_view(require_POST(self.restore_view))
        return [
            path(
                "<int:object_id>/history/<int:version_id>/restore/",
                restore,
                name="articles_article_restore",
            )
        ] + super().get_urls()

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """The history's link to an old version previews it; saving it restores it, as the
        Restore button does (only the article's own rows)."""
        if request.method == "POST":
            return self.restore_view(request, object_id, version_id)
        return super().revision_view(request, object_id, version_id, extra_context)

    def restore_view(self, request, object_id, version_id):
        """One click: the article, its FAQs and references as they were; a new revision."""
        article = get_object_or_404(Article, pk=object_id)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        version = get_object_or_404(Version.objects.get_for_object(article), pk=version_id)
        when = timezone.localtime(version.revision.date_created).strftime("%-d %b %Y, %H:%M")
        try:
            comment = f"Restored the version of {when}."
            restored = article_restore(article, version, request.user, comment)
        except RestoreRefused as refusal:
            logger.warning("Restoring article %s, version %s: %s", article.pk, version.pk, refusal)
            self.message_user(
                request,
                f"The version of {when} could not be restored: {refusal}. Nothing was changed.",
                messages.ERROR,
            )
            return redirect(reverse("admin:articles_article_history", args=[article.pk]))
        self.log_change(request, restored, f"Restored the version of {when}.")
        self.message_user(
            request,
            f"“{restored.title}” is back as it was on {when}. The text before the restore "
            "is kept in the history.",
            messages.SUCCESS,
        )
        return redirect(reverse("admin:articles_article_change", args=[article.pk]))

    def compare(self, obj, version1, version2):
        # reversion-compare lists a foreign key as changed whenever it can't load both
        # sides (an empty reviewer, say); keep only those whose stored value differs.
        result = super().compare(obj, version1, version2)
        old, new = version1.field_dict, version2.field_dict
        result.diff = [
            entry
            for entry in result.diff
            if not getattr(entry["field"], "many_to_one", False)
            or old.get(entry["field"].attname) != new.get(entry["field"].attname)
        ]
        return result

    # The history's comparison of the text fields, word by word (articles/diffs.py).
    def compare_body(self, obj_compare):
        return word_diff(*obj_compare.to_string())

    compare_title = compare_summary = compare_meta_description = compare_body

    @admin.display(description="preview of a shared link")
    def share_card(self, article):
        """Filled and kept up to date by static/js/editor-share-card.js as the editor types."""
        image_url, _ = seo.share_image(article) if article.pk else ("", "")
        return format_html(
            '<div class="share-card" data-saved-image="{}" data-site="{}" aria-live="polite">'
            '<div class="share-card-image"></div><div class="share-card-text">'
            '<p class="share-card-site"></p><p class="share-card-title"></p>'
            '<p class="share-card-description"></p></div></div>',
            image_url,
            urlsplit(settings.SITE_URL).hostname,
        )

    @admin.display(description="review by outside clinicians")
    def review_links(self, article):
        if not article.pk:
            return "Save the article first."
        add = reverse("admin:articles_reviewlink_add") + f"?article={article.pk}"
        listing = (
            reverse("admin:articles_reviewlink_changelist") + f"?article__id__exact={article.pk}"
        )
        return format_html(
            '<a href="{}">Create a review link</a> (a secret address to this draft for a '
            'reviewer without an account) · <a href="{}">Links made so far</a>',
            add,
            listing,
        )

    @admin.display(description="status", ordering="status")
    def status_label(self, article):
        if article.is_scheduled:
            return f"Scheduled for {when(article.publish_at)}"
        return article.get_status_display()

    def get_changeform_initial_data(self, request):
        # An editor with a profile is the author of what they start; they can change it.
        initial = super().get_changeform_initial_data(request)
        person = Person.objects.filter(user=request.user).first()
        if person:
            initial.setdefault("written_by", person.pk)
        return initial

    def save_model(self, request, obj, form, change):
        if not obj.author_id:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Publish selected articles", permissions=["change"])
    @transaction.atomic  # with the re-indexing: one change, one page-cache invalidation
    def publish(self, request, queryset):
        drafts = queryset.filter(status__in=[Article.Status.DRAFT, Article.Status.UNPUBLISHED])
        undescribed = [
            article
            for article in drafts.select_related(None).only(
                "title", "body", "hero_image", "hero_alt"
            )
            if article.undescribed_images()
        ]
        if undescribed:
            titles = ", ".join(f"“{article.title}”" for article in undescribed)
            self.message_user(
                request,
                f"Not published, an image still needs a description: {titles}. "
                "Open each article to see which image.",
                messages.ERROR,
            )
            drafts = drafts.exclude(pk__in=[article.pk for article in undescribed])
        # Drafts dated in the past go live now; those dated in the future are scheduled.
        count = drafts.filter(publish_at__lte=Now()).update(
            status=Article.Status.PUBLISHED, publish_at=Now()
        ) + drafts.update(status=Article.Status.PUBLISHED)
        search.index_all(queryset.select_related("category"))  # update() sends no signals
        self.message_user(request, f"{count} article(s) published.", messages.SUCCESS)

    @admin.action(
        description="Unpublish selected articles (take them off the site)", permissions=["change"]
    )
    @transaction.atomic
    def unpublish(self, request, queryset):
        count = queryset.filter(status=Article.Status.PUBLISHED).update(
            status=Article.Status.UNPUBLISHED
        )
        search.index_all(queryset.select_related("category"))
        self.message_user(request, f"{count} article(s) unpublished.", messages.SUCCESS)


@admin.register(FAQ)
class FAQAdmin(MarkdownAdminMixin, admin.ModelAdmin):
    list_display = ["question", "category", "article", "order"]
    list_editable = ["order"]
    list_filter = ["category", ("article", admin.EmptyFieldListFilter)]
    list_select_related = ["category", "article"]
    search_fields = ["question", "answer"]
    autocomplete_fields = ["article"]
    fields = ["question", "answer", "category", "article", "order"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "article_count"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_total=Count("articles"))

    @admin.display(description="articles", ordering="article_total")
    def article_count(self, category):
        return category.article_total


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(SlugRedirect)
class SlugRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "article"]
    list_select_related = ["article"]
    search_fields = ["old_slug", "article__title"]
    autocomplete_fields = ["article"]


@admin.register(Person)
class PersonAdmin(UploadFailureAdminMixin, LiteralHelpTextMixin, admin.ModelAdmin):
    list_display = ["name", "credentials", "role", "has_account", "written", "reviewed"]
    search_fields = ["name", "credentials", "role"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "credentials", "role", "bio", "photo", "links", "user"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":  # a plain list: editors may not browse the user admin
            kwargs["queryset"] = db_field.related_model.objects.filter(is_staff=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                written_total=Count("articles_written", distinct=True),
                reviewed_total=Count("articles_reviewed", distinct=True),
            )
        )

    @admin.display(description="staff account", boolean=True)
    def has_account(self, person):
        return person.user_id is not None

    @admin.display(description="articles written", ordering="written_total")
    def written(self, person):
        return person.written_total

    @admin.display(description="articles reviewed", ordering="reviewed_total")
    def reviewed(self, person):
        return person.reviewed_total


@admin.register(ReviewLink)
class ReviewLinkAdmin(admin.ModelAdmin):
    """Secret links to a draft for reviewers without an account; the address is shown once."""

    list_display = ["article", "reviewer", "state", "created_by", "last_opened_at"]
    list_select_related = ["article", "created_by"]
    search_fields = ["reviewer", "article__title"]
    autocomplete_fields = ["article"]
    fields = ["article", "reviewer", "expires_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return ["article"] if obj else []

    @admin.display(description="state")
    def state(self, link):
        if link.revoked_at:
            return f"Revoked {when(link.revoked_at)}"
        if not link.is_active:
            return f"Expired {when(link.expires_at)}"
        return f"Works until {when(link.expires_at)}"

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        request.review_address = review_link_create(link=obj, user=request.user)

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            format_html(
                "Send this address to {}: <strong><code class='review-address'>{}</code></strong> "
                "It is shown only now (copy it), works until {} and opens the draft "
                "without signing in.",
                obj.reviewer,
                request.review_address,
                when(obj.expires_at),
            ),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:articles_reviewlink_changelist"))

    @admin.action(description="Revoke selected review links", permissions=["change"])
    def revoke(self, request, queryset):
        count = review_links_revoke(queryset)
        self.message_user(request, f"{count} review link(s) revoked.", messages.SUCCESS)


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    """Words readers use for the same thing; search applies them from the next search on."""

    list_display = ["terms"]
    search_fields = ["terms"]


from articles.blogger import admin as blogger_admin  # noqa: E402, F401  (registers its page)
