"""Background work for articles (and the store's images), run by the task worker."""

import logging

from django.apps import apps
from django.db import transaction
from django.tasks import task

from articles import markdown
from articles.images import build_renditions
from fibrosite.pagecache import content_changed
from fibrosite.storage import media_name

logger = logging.getLogger("fibrosite")


@task
def make_renditions(model_label, pk, image_field, renditions_field, widths, name):
    """Resize `name` for the row, unless its image has been replaced in the meantime.

    Returns the renditions (empty when there was nothing to do)."""
    model = apps.get_model(model_label)
    if not model._default_manager.filter(pk=pk, **{image_field: name}).exists():
        return []
    renditions = build_renditions(name, widths)
    updated = model._default_manager.filter(pk=pk, **{image_field: name}).update(
        **{renditions_field: renditions}
    )
    if updated:
        content_changed()  # pages showed the original until now
    return renditions


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
        Article.objects.filter(pk=pk).update(body_html=rendered.html, body_renditions=renditions)
    content_changed()  # pages showed the originals until now
    return {"html": rendered.html, "renditions": renditions}
