from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from articles.models import Article, Category


class SiteSitemap(Sitemap):
    """Absolute URLs follow SITE_URL's scheme, whatever the proxy in front says."""

    @property
    def protocol(self):
        return settings.SITE_URL.split("://")[0]


class ArticleSitemap(SiteSitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Article.objects.published().only("slug", "updated")

    def lastmod(self, article):
        return article.updated


class CategorySitemap(SiteSitemap):
    changefreq = "weekly"

    def items(self):
        return Category.objects.all()


class PagesSitemap(SiteSitemap):
    changefreq = "daily"

    def items(self):
        return ["articles:home", "articles:list", "articles:faq"]

    def location(self, name):
        return reverse(name)
