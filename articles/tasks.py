"""Background work for articles, run by the task worker (image sizes every app shares are
in core/tasks.py)."""

import logging

from django.db import transaction
from django.tasks import task

from articles import search
from core import markdown
from core.images import build_renditions
from core.storage import media_name

logger = logging.getLogger("fibrosite")


@task
def make_body_renditions(pk, names):
    """Resize the images `names` in an article's text, then store its HTML again so the
    page serves the sizes. Images taken out of the text in the meantime are skipped.

    Returns {"html", "renditions"} as stored, or {} when there was nothing to do."""
    from articles.models import BODY_WIDTHS, Article

    article = Article.objects.filter(pk=pk).only("body", "body_renditions").first()
    if article is None:
        return {}
    in_text = {media_name(src) for _, src in markdown.images(article.body)}
    built = {}
    for name in names:
        if name not in in_text or name in article.body_renditions:
            continue
        try:
            built[name] = build_renditions(name, BODY_WIDTHS)
        except (OSError, ValueError):  # gone from storage, or not an image after all
            logger.warning("Could not resize %s for article %s", name, pk)
    if not built:
        return {}
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(pk=pk).first()
        if article is None:
            return {}
        # The text as it is now (an editor may have saved since): the sizes it still uses.
        known = {**article.body_renditions, **built}
        rendered = markdown.render(article.body, known)
        renditions = {name: known[name] for name in rendered.images if name in known}
        # A public model's update() marks cached pages stale (they showed the originals).
        Article.objects.filter(pk=pk).update(body_html=rendered.html, body_renditions=renditions)
    return {"html": rendered.html, "renditions": renditions}


@task
def reindex(items):
    """Search entries for what a transaction saved or deleted ([[model label, pk], ...]),
    queued by articles/search once it has committed."""
    search.reindex([tuple(item) for item in items])


# Renamed: image tasks queued before core took them over still find their function.
from core.tasks import make_renditions  # noqa: E402, F401
