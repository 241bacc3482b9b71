"""Side effects editors cause that are more than a model save."""

import secrets

import reversion
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from articles.models import FAQ, Article, Category, Reference, ReviewLink, Tag, token_digest
from core.images import published_name
from core.seo import absolute


def review_link_create(*, link: ReviewLink, user) -> str:
    """Save a new review link with a fresh secret; return its address (shown once only)."""
    token = secrets.token_urlsafe(32)
    link.token_digest = token_digest(token)
    link.created_by = user
    link.save()
    return absolute(reverse("articles:review", args=[token]))


def review_links_revoke(queryset) -> int:
    return queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


class RestoreRefused(Exception):
    """Why a version can't be restored as it was (shown to the editor; nothing changed)."""


def article_restore(article, version, user, comment) -> Article:
    """Bring back the article, its FAQs and its references as `version` (of this article)
    saved them, as a new revision. Questions and references added since are deleted.

    Shared rows are left as they are now: an older revision may also hold copies of the
    article's category and people, which are never written back (another article's
    category would be renamed). Raises RestoreRefused when something the version needs is
    gone: an image no longer stored, or a category or person since deleted.
    """
    rows = {Article: [], FAQ: [], Reference: []}
    for saved in version.revision.version_set.select_related("content_type"):
        model = saved.content_type.model_class()
        if model in rows:
            rows[model].append(saved)
    fields = version.field_dict
    for name in ("category", "written_by", "reviewed_by"):  # what readers see: refused
        field = Article._meta.get_field(name)
        pk = fields.get(field.attname)
        if pk is not None and not field.related_model.objects.filter(pk=pk).exists():
            raise RestoreRefused(f"its {field.verbose_name} has since been deleted")
    # The staff account that made it, and tags, deleted since: left out, as their deletion
    # left them out of the article then.
    author_gone = (
        fields.get("author_id") is not None
        and not Article.author.field.related_model.objects.filter(pk=fields["author_id"]).exists()
    )
    # A question's group on the FAQ page, deleted since, is simply gone (as its deletion
    # did to the questions still there).
    groups = {old.field_dict["category_id"] for old in rows[FAQ]} - {None}
    groups &= set(Category.objects.filter(pk__in=groups).values_list("pk", flat=True))
    for old in rows[FAQ]:
        if old.field_dict["category_id"] not in groups:
            old.field_dict["category_id"] = None
    published = {}
    for name in ("hero_image", "social_image"):
        stored = getattr(fields.get(name), "name", "") or ""
        # Saved with a fresh upload: the version names it as staged for the worker.
        stored = published[name] = published_name(Article._meta.get_field(name), stored)
        if stored and not default_storage.exists(stored):  # resizing happens in the worker
            raise RestoreRefused("an image it used is no longer stored")
    with transaction.atomic(), reversion.create_revision():
        for model in (FAQ, Reference):
            saved = [model(**old.field_dict) for old in rows[model]]
            model.objects.filter(article=article).exclude(pk__in=[row.pk for row in saved]).delete()
            for row in saved:
                row.article = article
                row.save()  # rendered and indexed as any save
        version.revert()  # the article's row and tags as they were, written raw
        if author_gone:
            Article.objects.filter(pk=article.pk).update(author=None)
        tagged = Article.tags.through.objects.filter(article_id=article.pk)
        tagged.exclude(tag_id__in=Tag.objects.values("pk")).delete()
        restored = Article.objects.get(pk=article.pk)
        for name, stored in published.items():
            setattr(restored, name, stored)
        # Compared with what was current before the restore, so that save() keeps the old
        # address redirecting and resizes a hero or sharing image that changed.
        restored.tracker.saved_data.update(
            slug=article.slug,
            hero_image=article.hero_image.name or "",
            social_image=article.social_image.name or "",
        )
        # Sizes already made of the text's images serve the restored text too.
        restored.body_renditions = article.body_renditions
        restored.save()  # render, index and resize again (the revert wrote a raw row)
        reversion.set_user(user)
        reversion.set_comment(comment)
    return restored
