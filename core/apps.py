from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app shares. So far: the site-wide backup and restore commands."""

    name = "core"
