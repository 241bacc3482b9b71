"""Helpers around Django's tasks framework shared by the apps and their tests."""

from contextlib import contextmanager

from django.tasks import task_backends
from django.tasks.backends.immediate import ImmediateBackend


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
