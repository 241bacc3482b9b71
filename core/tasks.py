"""Background work every app shares (image sizes), and helpers around Django's tasks
framework for the apps and their tests."""

from contextlib import contextmanager

from django.apps import apps
from django.tasks import task, task_backends
from django.tasks.backends.immediate import ImmediateBackend

from core.images import prepare_image


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
    """Clean a staged upload into media and resize it for the row (core/images.py),
    unless its image has been replaced in the meantime. The row's update marks cached
    pages stale (public models' update() does): they showed no image until now.

    Returns {"name", "width", "height", "renditions"}, or None when there was nothing to do."""
    return prepare_image(apps.get_model(model_label), pk, image_field, renditions_field,
                         widths, name)  # fmt: skip
