import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError

EDITOR_APPS = ("articles", "store", "community")
USERNAME = "editor"


class Command(BaseCommand):
    help = (
        "Create the local demo editor (or repair it) and print its login. The password is "
        "kept in .demo-editor-password so it stays the same across runs; --new-password "
        "makes a new one. Refuses to run unless DEBUG is on."
    )

    def add_arguments(self, parser):
        parser.add_argument("--new-password", action="store_true", help="Make a new password.")

    def handle(self, *args, new_password=False, **options):
        if not settings.DEBUG:
            raise CommandError("The demo editor is for local development only (DEBUG is off).")
        group, _ = Group.objects.get_or_create(name="Editors")
        group.permissions.set(Permission.objects.filter(content_type__app_label__in=EDITOR_APPS))
        user, _ = get_user_model().objects.get_or_create(
            username=USERNAME, defaults={"email": "editor@example.com"}
        )
        password = self.password(new_password)
        user.is_staff = True
        user.is_active = True
        if not user.check_password(password):  # unchanged: the editor stays signed in
            user.set_password(password)
        user.save()
        user.groups.add(group)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo editor for {settings.SITE_URL}/admin/: username {USERNAME!r}, "
                f"password {password!r}"
            )
        )

    def password(self, new):
        kept_in = settings.DEMO_EDITOR_PASSWORD_FILE
        if not new and kept_in.exists() and (kept := kept_in.read_text().strip()):
            return kept
        password = secrets.token_urlsafe(12)
        kept_in.write_text(password + "\n")
        kept_in.chmod(0o600)
        return password
