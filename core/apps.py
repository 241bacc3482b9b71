from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """What every app shares: deployment checks, backups, task helpers."""

    name = "core"

    def ready(self):
        from core import deployment  # registers its system check

        post_migrate.connect(
            deployment.create_cache_tables, sender=self, dispatch_uid="create-cache-tables"
        )
