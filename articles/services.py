"""Side effects editors cause that are more than a model save."""

import secrets

from django.urls import reverse
from django.utils import timezone

from articles.models import ReviewLink, token_digest
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
