from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from core.tasks import run_tasks_now


class Command(BaseCommand):
    help = (
        "Load the demo content. Idempotent: running it again changes nothing. "
        "Each app contributes through a `demo` module with a `load(stdout)` function."
    )

    def handle(self, *args, **options):
        # Demo images are resized here, not by the worker: the demo is whole on return.
        with run_tasks_now(), transaction.atomic():
            for app_config in apps.get_app_configs():
                if module_has_submodule(app_config.module, "demo"):
                    import_module(f"{app_config.name}.demo").load(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo content is loaded."))
