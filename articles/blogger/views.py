"""Old Blogger addresses answer 301 to where the content lives now."""

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_safe

from articles.models import Article, BloggerItem, Category, Tag


@require_safe
def old_post(request, path):
    """/2025/06/some-post.html (?m=1 is Blogger's mobile view: same page) and /p/about.html."""
    live = Article.objects.published()
    item = (
        BloggerItem.objects.filter(path=f"/{path}", article__in=live)
        .select_related("article")
        .only("article__slug")
        .first()
    )
    if item is None:
        raise Http404("No published article came from this Blogger address.")
    return redirect(item.article, permanent=True)


@require_safe
def old_label(request, name):
    category = Category.objects.filter(name__iexact=name).first()
    if category is not None:
        return redirect(category, permanent=True)
    tag = Tag.objects.filter(name__iexact=name).first()
    if tag is None:
        raise Http404("No tag or category has this name.")
    return redirect(tag, permanent=True)


@require_safe
def old_feed(request):
    return redirect(reverse("articles:feed-atom"), permanent=True)
