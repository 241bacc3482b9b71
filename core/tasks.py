"""Background work every app shares (image sizes), and helpers around Django's tasks
framework for the apps and their tests."""

from contextlib import contextmanager

from django.apps import apps
from django.tasks import task, task_backends
from django.tasks.backends.immediate import ImmediateBackend

from core.images import build_renditions


@contextmanager
def task_backend(backend):
    """Send every task enqueued inside the block to `backend` instead of the configured one."""
    task_backends["default"] = backend
    try:
        yield backend
    finally:
        del task_backends["default"]  # the configured backend again, on next use


def run_tasks_now():
    """Tasks run as they are enqueued (for commands whose work must be done on return)."""
    return task_backend(ImmediateBackend(alias="default", params={}))


@task
def make_renditions(model_label, pk, image_field, renditions_field, widths, name):
    """Resize `name` for the row, unless its image has been replaced in the meantime.

    Returns the renditions (empty when there was nothing to do)."""
    model = apps.get_model(model_label)
    if not model._default_manager.filter(pk=pk, **{image_field: name}).exists():
        return []
    renditions = build_renditions(name, widths)
    # A public model's update() invalidates: pages showed the original until now.
    model._default_manager.filter(pk=pk, **{image_field: name}).update(
        **{renditions_field: renditions}
    )
    return renditions
