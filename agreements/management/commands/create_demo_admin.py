import secrets

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse

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
        sign_in = f"{settings.SITE_URL.rstrip('/')}{reverse('admin:index')}"
        self.stdout.write(f"Sign in at {sign_in} as {USERNAME} with password {password}")
