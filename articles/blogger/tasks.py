"""The admin's import, run in the background by Django's tasks framework."""

import logging
import time

from django.tasks import task
from django.utils import timezone

from articles.blogger import importer, storage
from articles.blogger.parse import ExportError
from articles.models import BloggerImport

logger = logging.getLogger("fibrosite")
PROGRESS_EVERY = 1.0  # seconds between progress writes


@task
def run_blogger_import(run_id):
    # Claim the run: a task delivered twice must not import twice.
    claimed = BloggerImport.objects.filter(pk=run_id, status=BloggerImport.Status.QUEUED).update(
        status=BloggerImport.Status.RUNNING, progress_stage="Starting"
    )
    if not claimed:
        return
    run = BloggerImport.objects.get(pk=run_id)
    last = 0.0

    def progress(stage, done, total):
        nonlocal last
        now = time.monotonic()
        if now - last >= PROGRESS_EVERY or done == total:
            last = now
            BloggerImport.objects.filter(pk=run_id).update(
                progress_stage=stage, progress_done=done, progress_total=total
            )

    try:
        report = importer.run(
            storage.path(run.stored_name),
            allow_private_hosts=run.allow_private_hosts,
            progress=progress,
        )
    except ExportError as error:
        _finish(run_id, BloggerImport.Status.FAILED, error=f"The file was refused: {error}")
    except importer.ImportBusy as error:
        _finish(run_id, BloggerImport.Status.FAILED, error=f"Nothing was imported: {error}.")
    except Exception as error:
        logger.exception("Blogger import %s failed", run_id)
        _finish(run_id, BloggerImport.Status.FAILED, error=f"The import stopped: {error}")
    else:
        _finish(run_id, BloggerImport.Status.DONE, report=report.text())
        storage.delete(run.stored_name)


def _finish(run_id, status, **fields):
    BloggerImport.objects.filter(pk=run_id).update(
        status=status, finished=timezone.now(), progress_stage="", **fields
    )
