from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView, TemplateView

from articles import search
from articles.models import FAQ, Article, Category, Person, ReviewLink, Tag
from core import seo
from core.views import HOME, BreadcrumbsMixin

PAGE_SIZE = 12


class HomeView(TemplateView):
    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        latest = list(Article.objects.published().for_listing()[:12])
        featured = [a for a in latest if a.featured][:3] or latest[:1]
        return super().get_context_data(
            featured=featured,
            latest=[a for a in latest if a not in featured][:6],
            faqs=FAQ.objects.filter(article__isnull=True)[:4],
            **kwargs,
        )


class ArticleListView(BreadcrumbsMixin, ListView):
    template_name = "articles/article_list.html"
    paginate_by = PAGE_SIZE
    heading = "All articles"

    def get_queryset(self):
        return Article.objects.published().for_listing()

    def get_crumbs(self):
        return [HOME, ("Articles", reverse("articles:list"))]

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=self.heading, **kwargs)


class CategoryView(ArticleListView):
    def get_queryset(self):
        self.category = get_object_or_404(Category, slug=self.kwargs["slug"])
        self.heading = self.category.name
        return super().get_queryset().filter(category=self.category)

    def get_crumbs(self):
        return [*super().get_crumbs(), (self.heading, self.category.get_absolute_url())]

    def get_context_data(self, **kwargs):
        return super().get_context_data(topic=self.category, **kwargs)


class TagView(ArticleListView):
    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        self.heading = f"Tagged “{self.tag.name}”"
        return super().get_queryset().filter(tags=self.tag)

    def get_crumbs(self):
        return [*super().get_crumbs(), (self.heading, self.tag.get_absolute_url())]

    def get_context_data(self, **kwargs):
        return super().get_context_data(topic=self.tag, **kwargs)


OLD_SLUG_MAX_AGE = 3600


class ArticleDetailView(BreadcrumbsMixin, DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return (
            Article.objects.visible_to(self.request.user)
            .select_related("category", "written_by", "reviewed_by")
            .prefetch_related("tags", "faqs", "references")
            .with_neighbours()
        )

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            target = self.get_queryset().filter(old_slugs__old_slug=kwargs["slug"]).first()
            if target is None:
                raise
            response = redirect(target, permanent=True)
            # Browsers and proxies keep a 301 as long as they like unless told: an hour, so
            # a slug an editor gives back to a new article is seen again soon.
            patch_cache_control(response, public=True, max_age=OLD_SLUG_MAX_AGE)
            return response

    def get_crumbs(self):
        category = self.object.category
        return [
            HOME,
            (category.name, category.get_absolute_url()),
            (self.object.title, self.object.get_absolute_url()),
        ]

    def get_context_data(self, **kwargs):
        article = self.object
        tag_ids = [tag.id for tag in article.tags.all()]
        context = super().get_context_data(
            related=Article.objects.published().for_listing().related_to(article, tag_ids)[:3],
            newer=neighbour(article, "newer"),
            older=neighbour(article, "older"),
            **kwargs,
        )
        context["structured_data"].insert(0, seo.medical_web_page(article))
        faqs = article.faqs.all()
        if faqs:
            context["structured_data"].append(seo.faq_page(faqs))
        context["hero_url"] = seo.hero_url(article)
        context["share_image_url"], context["share_image_alt"] = seo.share_image(article)
        return context


def neighbour(article, side):
    """The previous/next published article, from the annotations `with_neighbours` adds."""
    slug = getattr(article, f"{side}_slug", None)
    return (
        {"title": getattr(article, f"{side}_title"), "url": reverse("articles:detail", args=[slug])}
        if slug
        else None
    )


class FollowView(BreadcrumbsMixin, TemplateView):
    """What a feed is, for people: the footer's link lands here rather than on raw XML."""

    template_name = "articles/follow.html"

    def get_crumbs(self):
        return [HOME, ("Follow new articles", reverse("articles:follow"))]


class FAQView(BreadcrumbsMixin, ListView):
    template_name = "articles/faq.html"
    context_object_name = "faqs"

    def get_crumbs(self):
        return [HOME, ("Questions and answers", reverse("articles:faq"))]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context["faqs"]:
            context["structured_data"].append(seo.faq_page(context["faqs"]))
        return context

    def get_queryset(self):
        return (
            FAQ.objects.filter(article__isnull=True)
            .select_related("category")
            .order_by("category__order", "category__name", "order", "id")
        )


@method_decorator(never_cache, name="dispatch")
class ReviewView(ArticleDetailView):
    """A draft as readers will see it, for an outside reviewer holding a secret link.

    Never cached (no-store, private), never indexed, and sends no referrer, so the
    address does not travel with a click on a link in the article.
    """

    def get(self, request, *args, **kwargs):
        link = ReviewLink.objects.for_token(kwargs["token"])
        if link is None:
            raise Http404("No such review link")
        if not link.is_active:
            response = render(request, "articles/review_gone.html", {"link": link}, status=410)
        else:
            ReviewLink.objects.filter(pk=link.pk).update(last_opened_at=timezone.now())
            self.review_link = link
            self.object = self.get_queryset().get(pk=link.article_id)
            response = self.render_to_response(self.get_context_data(object=self.object))
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
        return response

    def get_queryset(self):
        return (
            Article.objects.select_related("category", "written_by", "reviewed_by")
            .prefetch_related("tags", "faqs", "references")
            .with_neighbours()
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(review_link=self.review_link, **kwargs)


class AuthorView(BreadcrumbsMixin, ListView):
    """A writer's or reviewer's profile and the published articles they wrote or checked."""

    template_name = "articles/author.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.person = get_object_or_404(Person, slug=self.kwargs["slug"])
        return (
            Article.objects.published()
            .for_listing()
            .filter(Q(written_by=self.person) | Q(reviewed_by=self.person))
        )

    def get_crumbs(self):
        return [HOME, (self.person.name, self.person.get_absolute_url())]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(person=self.person, **kwargs)
        context["structured_data"].insert(0, seo.profile_page(self.person))
        return context


class SearchView(ListView):
    """Results of every kind, best first; with none, ways to carry on reading."""

    template_name = "articles/search.html"
    paginate_by = PAGE_SIZE
    context_object_name = "results"

    def get_queryset(self):
        self.outcome = search.search(self.request.GET.get("q", ""))
        return self.outcome.results

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            query=self.outcome.query,
            searched=self.outcome.searched,
            suggestion=self.outcome.suggestion,
            more=self.outcome.more,
            **kwargs,
        )
        if self.outcome.query and not self.outcome.results:
            context["newest"] = Article.objects.published().for_listing()[:4]
            context["faqs"] = FAQ.objects.filter(article__isnull=True)[:5]
            context["topics"] = Category.objects.all()
        return context
