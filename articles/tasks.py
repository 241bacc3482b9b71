"""Background work for articles (and the store's images), run by the task worker."""

from django.apps import apps
from django.tasks import task

from core.images import build_renditions
from core.pagecache import content_changed


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
