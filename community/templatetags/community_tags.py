from django import template

from community.models import Comment, SiteLink

register = template.Library()


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
def approved_comments(article):
    """One query, whatever the number of comments (the reply is on the same row)."""
    return list(
        Comment.objects.approved()
        .filter(article=article)
        .only("name", "body", "created", "reply")
        .order_by("created", "id")
    )
