from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from partners.services import api_client_create
from registry import roles


class Command(BaseCommand):
    help = (
        "Create (or find) an API user, link it to a partner institution or put it in a group, "
        "and print its token."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="The user name of the API client.")
        parser.add_argument(
            "--institution",
            help="The partner institution it reads for: its id, ROR id or short name.",
        )
        parser.add_argument("--group", choices=roles.ALL_GROUPS, help="A registry group.")

    def handle(self, *args, name, institution=None, group=None, **options):
        if not institution and not group:
            raise CommandError("Give --institution for a partner client or --group for staff.")
        try:
            token = api_client_create(
                username=name,
                institution_key=institution,
                group=Group.objects.get(name=group) if group else None,
                actor=None,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(token.key)
