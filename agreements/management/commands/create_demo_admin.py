import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

USERNAME = "demo-admin"


class Command(BaseCommand):
    help = (
        "Create the demo superuser demo-admin, or reset it, with a new random password, and "
        "print how to sign in."
    )

    def handle(self, *args, **options):
        password = secrets.token_urlsafe(12)
        user, _ = get_user_model().objects.get_or_create(
            username=USERNAME, defaults={"email": f"{USERNAME}@example.org"}
        )
        user.is_active = True
        user.is_staff = True
        user.is_superuser = True
        user.set_password(password)
        user.save()
        port = os.environ.get("PORT") or "8000"
        self.stdout.write(
            f"Sign in at http://127.0.0.1:{port}/admin/ as {USERNAME} with password {password}"
        )
