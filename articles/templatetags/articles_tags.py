import json

from django import template
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from articles.models import Article, Category

register = template.Library()

# The same escapes Django's json_script uses, so data can't close the <script>.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.inclusion_tag("includes/category_nav.html", takes_context=True)
def category_nav(context):
    return {"categories": Category.objects.all(), "request": context.get("request")}


@register.simple_tag
def ld_json(data):
    """A JSON-LD block; structured data is not script and is not run by browsers."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308


@register.filter
def absolute(path):
    """An absolute URL on SITE_URL for a path (canonical links, feeds, sharing cards)."""
    return f"{settings.SITE_URL}{path}" if path else ""


@register.simple_tag
def picture(image, renditions, alt, sizes="100vw", loading="lazy", css_class=""):
    """<picture> with WebP and original-format srcsets, width/height set (no layout shift)."""
    if not image or not image.is_public:  # none, or still waiting for the worker
        return ""
    if not renditions:
        return format_html(
            '<img src="{}" alt="{}" width="{}" height="{}" loading="{}" decoding="async"{}>',
            image.url, alt, image.width, image.height, loading,
            format_html(' class="{}"', css_class) if css_class else "",
        )  # fmt: skip

    def srcset(key):
        return ", ".join(f"{default_storage.url(r[key])} {r['width']}w" for r in renditions)

    largest = renditions[-1]
    fallback = renditions[min(1, len(renditions) - 1)]
    return format_html(
        '<picture><source type="image/webp" srcset="{}" sizes="{}">'
        '<img src="{}" srcset="{}" sizes="{}" alt="{}" width="{}" height="{}" loading="{}"'
        ' decoding="async"{}{}></picture>',
        srcset("webp"), sizes, default_storage.url(fallback["original"]), srcset("original"),
        sizes, alt, largest["width"], largest["height"], loading,
        mark_safe(' fetchpriority="high"') if loading == "eager" else "",
        format_html(' class="{}"', css_class) if css_class else "",
    )  # fmt: skip


@register.simple_tag
def reference_links(reference):
    links = [(url, label) for url, label in (
        (reference.url, "Read it"), (reference.doi_url, f"DOI {reference.doi}"),
        (reference.pubmed_url, f"PubMed {reference.pmid}"),
    ) if url]  # fmt: skip
    return format_html_join(" · ", '<a href="{}" rel="noopener">{}</a>', links)


@register.inclusion_tag("admin/articles/review_due.html", takes_context=True)
def review_due(context, limit=8):
    """Admin home: published articles whose medical review is out of date."""
    user = context["request"].user
    if not user.has_perm("articles.change_article"):
        return {"show": False}
    due = Article.objects.due_for_review()
    return {
        "show": True,
        "articles": due.select_related(None).only("title", "last_reviewed")[:limit],
        "total": due.count(),
        "months": settings.MEDICAL_REVIEW_MONTHS,
    }
