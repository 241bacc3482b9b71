from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from articles.models import Article
from core.seo import absolute


class LatestArticlesFeed(Feed):
    title = "FibroSite: new articles"
    link = reverse_lazy("articles:list")
    description = "New plain-language articles on living with fibromyalgia."

    def items(self):
        return Article.objects.published().select_related("written_by", "category")[:20]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Feed readers treat descriptions (RSS) and summaries (Atom, type="html") as HTML;
        # key points are plain text, so "<b>" in one must reach readers as text.
        return escape(" ".join(item.key_points))

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated

    def item_author_name(self, item):
        return item.author_name

    def item_author_link(self, item):
        return absolute(item.written_by.get_absolute_url()) if item.written_by else None

    def item_categories(self, item):
        return [item.category.name]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description
