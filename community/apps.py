from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community: inbox, comments, subscribers, links"

    def ready(self):
        from community import signals  # noqa: F401
