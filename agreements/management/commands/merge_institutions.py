from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agreements.services import institution_merge
from partners.services import institution_by_key


class Command(BaseCommand):
    help = (
        "Merge duplicate institutions into the one to keep: every link moves to it and their "
        "names become its aliases."
    )

    def add_arguments(self, parser):
        parser.add_argument("keep", help="The institution to keep: id, ROR id or acronym.")
        parser.add_argument("duplicates", nargs="+", help="The duplicates to merge into it.")

    def handle(self, *args, keep, duplicates, **options):
        try:
            kept = institution_merge(
                keep=institution_by_key(keep),
                duplicates=[institution_by_key(key) for key in duplicates],
                actor=None,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        aliases = ", ".join(kept.aliases.values_list("name", flat=True))
        self.stdout.write(f"Merged into {kept} (id {kept.pk}); aliases now: {aliases}.")
