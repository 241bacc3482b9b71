from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self):
        from articles import models, search
        from articles.search.sources import ArticleSource, CategorySource, FAQSource
        from core import images, pagecache

        # What public pages show: changing any of these makes cached pages stale.
        pagecache.public(
            models.Article, models.Category, models.Tag, models.Person, models.FAQ,
            models.Reference, models.Synonym, models.SearchEntry, models.SearchWord,
        )  # fmt: skip
        pagecache.scheduled(models.Article.objects.next_scheduled_at)  # going live unsaved
        images.sized_image(
            models.Article, "hero_image", renditions="hero_renditions",
            widths=models.HERO_WIDTHS, width="hero_width", height="hero_height",
        )  # fmt: skip

        for source in (ArticleSource(), FAQSource(), CategorySource()):
            search.register(source)
        post_migrate.connect(_build_search_index, sender=self)


def _build_search_index(using="default", **kwargs):
    """A site migrated for the first time with content already in it gets its index."""
    from django.db import connections

    from articles import search
    from articles.models import SearchEntry

    if SearchEntry._meta.db_table not in connections[using].introspection.table_names():
        return  # migrated back to before search entries existed
    if not SearchEntry.objects.using(using).exists() and search.has_content():
        search.rebuild()
