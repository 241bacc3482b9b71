from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self):
        # Deployment plumbing lives in fibrosite/deployment.py; this app wires it up
        # (importing the module registers its system check).
        from fibrosite import deployment

        post_migrate.connect(
            deployment.create_cache_tables, sender=self, dispatch_uid="create-cache-tables"
        )
