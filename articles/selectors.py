"""How other apps (store, community) read articles: this module, the search registry
(articles.search) and the template tags are the only ways in. Demo loaders are the one
declared exception (core/tests/test_architecture.py)."""

from articles.models import Article


def published_articles():
    """Published articles, a QuerySet the caller may narrow further (for_listing(), only(),
    filter()); drafts and scheduled ones never leave the articles app this way."""
    return Article.objects.published()
