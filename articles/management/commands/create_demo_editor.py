import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError

EDITOR_APPS = ("articles", "store", "community")
USERNAME = "editor"


class Command(BaseCommand):
    help = (
        "Create (or reset) the local demo editor and print a fresh random password "
        "once. Refuses to run unless DEBUG is on."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("The demo editor is for local development only (DEBUG is off).")
        group, _ = Group.objects.get_or_create(name="Editors")
        group.permissions.set(Permission.objects.filter(content_type__app_label__in=EDITOR_APPS))
        user, _ = get_user_model().objects.get_or_create(
            username=USERNAME, defaults={"email": "editor@example.com"}
        )
        password = secrets.token_urlsafe(12)
        user.is_staff = True
        user.is_active = True
        user.set_password(password)
        user.save()
        user.groups.add(group)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo editor for /admin/: username {USERNAME!r}, password {password!r} "
                "(shown once; run `make run` again for a new one)."
            )
        )
