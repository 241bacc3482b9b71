from django.urls import reverse

from articles.models import Article, Category
from core.sitemaps import SiteSitemap


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
