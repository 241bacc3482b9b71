from django import template
from django.db.models import Count, Window

from community.models import Comment, SiteLink

register = template.Library()

COMMENTS_ON_ARTICLE = 10


@register.simple_tag(takes_context=True)
def site_links(context):
    """Active links grouped by section, in section order: one query per request.

    The footer and the article page both ask for them, so the result is kept on
    the request.
    """
    request = context.get("request")
    cached = getattr(request, "_community_site_links", None)
    if cached is not None:
        return cached
    by_section = {}
    for link in SiteLink.objects.filter(active=True).only("section", "label", "url"):
        by_section.setdefault(link.section, []).append(link)
    sections = [
        {"key": key, "label": label, "links": by_section[key]}
        for key, label in SiteLink.Section.choices
        if key in by_section
    ]
    if request is not None:
        request._community_site_links = sections
    return sections


@register.simple_tag
def recent_comments(article, limit=COMMENTS_ON_ARTICLE):
    """The newest approved comments (oldest first) and the total, in one query.

    The total comes from a window count, evaluated before the LIMIT, so a popular
    article's page stays small and its query count constant.
    """
    newest = list(
        Comment.objects.approved()
        .filter(article=article)
        .annotate(total=Window(Count("id")))
        .only("name", "body", "created", "reply")
        .order_by("-created", "-id")[:limit]
    )
    return {"comments": newest[::-1], "total": newest[0].total if newest else 0}
