import os
import secrets

from django.core.management.base import BaseCommand

from partners.services import superuser_reset

USERNAME = "demo-admin"


class Command(BaseCommand):
    help = (
        "Create the demo superuser demo-admin, or reset it, with a new random password, and "
        "print how to sign in."
    )

    def handle(self, *args, **options):
        password = secrets.token_urlsafe(12)
        superuser_reset(
            username=USERNAME, email=f"{USERNAME}@example.org", password=password, actor=None
        )
        port = os.environ.get("PORT") or "8000"
        self.stdout.write(
            f"Sign in at http://127.0.0.1:{port}/admin/ as {USERNAME} with password {password}"
        )
