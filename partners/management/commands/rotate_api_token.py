from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from partners.services import api_token_revoke, api_token_rotate


class Command(BaseCommand):
    help = (
        "Give an API client a new token and print it (the old one stops working at once), "
        "or with --revoke take its token away."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="The user name of the API client.")
        parser.add_argument(
            "--revoke", action="store_true", help="Remove the token without issuing a new one."
        )

    def handle(self, *args, name, revoke=False, **options):
        try:
            user = get_user_model().objects.get_by_natural_key(name)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {name!r}.") from None
        if revoke:
            had_one = api_token_revoke(user=user, actor=None)
            self.stdout.write(f"Revoked the token of {name}." if had_one else "No token.")
            return
        self.stdout.write(api_token_rotate(user=user, actor=None).key)
