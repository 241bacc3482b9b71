import logging

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView, TemplateView

from articles.selectors import published_articles
from core.ratelimit import client_network
from core.views import HOME, BreadcrumbsMixin
from store import seo
from store.models import Product, ProductCategory

logger = logging.getLogger("fibrosite")

PAGE_SIZE = 12
FEATURED_COUNT = 8


def store_crumb():
    return ("Store", reverse("store:home"))


class StoreHomeView(BreadcrumbsMixin, TemplateView):
    template_name = "store/store_home.html"

    def get_crumbs(self):
        return [HOME, store_crumb()]

    def get_context_data(self, **kwargs):
        visible = Product.objects.visible().for_listing()
        featured = list(visible.filter(featured=True)[:FEATURED_COUNT])
        # A store with nothing featured still shows its first products, under another heading.
        products = featured or list(visible[:FEATURED_COUNT])
        listed = ~Q(products__availability=Product.Availability.DISCONTINUED)
        categories = ProductCategory.objects.annotate(
            product_total=Count("products", filter=listed)
        ).filter(product_total__gt=0)
        return super().get_context_data(
            products=products, featured=bool(featured), categories=categories, **kwargs
        )


class CategoryView(BreadcrumbsMixin, ListView):
    template_name = "store/category.html"
    paginate_by = PAGE_SIZE
    context_object_name = "products"

    def get_queryset(self):
        self.category = get_object_or_404(ProductCategory, slug=self.kwargs["slug"])
        return Product.objects.visible().for_listing().filter(category=self.category)

    def get_crumbs(self):
        return [HOME, store_crumb(), (self.category.name, self.category.get_absolute_url())]

    def get_context_data(self, **kwargs):
        return super().get_context_data(category=self.category, **kwargs)


class ProductDetailView(BreadcrumbsMixin, DetailView):
    template_name = "store/product_detail.html"
    context_object_name = "product"

    def get_queryset(self):
        # Discontinued products keep their page (old links, bookmarks), marked unavailable.
        return Product.objects.select_related("category").prefetch_related(
            "images",
            Prefetch(
                "related_articles",
                queryset=published_articles().for_listing(),
                to_attr="published_articles",
            ),
        )

    def get_crumbs(self):
        product = self.object
        return [
            HOME,
            store_crumb(),
            (product.category.name, product.category.get_absolute_url()),
            (product.name, product.get_absolute_url()),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["structured_data"].insert(0, seo.product(self.object))
        return context


CLICK_WINDOW = 3600


def first_click_this_hour(request, product):
    """A visitor's (address's) clicks on one product count once an hour, so one address
    can't inflate the count. Nothing about the visitor is stored, only a cache key that
    expires; if the cache is down, the click counts."""
    key = f"store-click:{product.pk}:{client_network(request)}"
    try:
        return cache.add(key, 1, timeout=CLICK_WINDOW) is not False
    except Exception:
        logger.warning("store: click cache unavailable; counting the click", exc_info=True)
        return True


@never_cache
@require_safe
def go(request, slug):
    """Send the visitor on to the product's saved shop address, counting the click.

    Nothing in the request can change where this goes: the target is the saved URL.
    """
    product = get_object_or_404(
        Product.objects.only("pk", "slug", "buy_url", "availability"), slug=slug
    )
    if not product.is_available:
        return redirect(product)
    target = product.outbound_url
    if not target.startswith(("https://", "http://")):  # saved by a bulk update, say
        logger.warning("store: product %s has an unusable shop address", product.pk)
        return redirect(product)
    if request.method == "GET" and first_click_this_hour(request, product):
        # Link checkers send HEAD; they are not readers.
        product.count_click()
    response = HttpResponseRedirect(target)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
