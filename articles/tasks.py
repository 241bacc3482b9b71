"""Background work for articles (and the store's images), run by the task worker."""

from django.apps import apps
from django.tasks import task

from articles import search
from articles.images import prepare_image
from fibrosite.pagecache import content_changed


@task
def make_renditions(model_label, pk, image_field, renditions_field, widths, name):
    """Clean a staged upload into media and resize it for the row (articles/images.py),
    unless its image has been replaced in the meantime.

    Returns {"name", "width", "height", "renditions"}, or None when there was nothing to do."""
    model = apps.get_model(model_label)
    done = prepare_image(model, pk, image_field, renditions_field, widths, name)
    if done:
        content_changed()  # pages showed no image (or the older sizes) until now
    return done


@task
def reindex(items):
    """Search entries for what a transaction saved or deleted ([[model label, pk], ...]),
    queued by articles/search once it has committed."""
    search.reindex([tuple(item) for item in items])
