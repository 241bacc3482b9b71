from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """What every app shares: images, markdown, SEO, admin mixins, the page cache and its
    content version, deployment checks, backups, task helpers."""

    name = "core"

    def ready(self):
        from core import deployment, pagecache  # deployment registers its system check

        pagecache.connect_signals()

        post_migrate.connect(
            deployment.create_cache_tables, sender=self, dispatch_uid="create-cache-tables"
        )
