"""Precision and recall of intake over corpora of labelled announcements (see
`agreements.intake.evaluation`): `manage.py intake_scores FILE [FILE ...] [--misses]`."""

from django.core.management.base import BaseCommand
from django.db import transaction

from agreements.intake.evaluation import evaluate, load_corpus, register_institutions


class Rollback(Exception):
    """Leaves the corpus's register out of the database once the figures are read."""


class Command(BaseCommand):
    help = (
        "Reads each corpus's announcements against its own register (created in a transaction "
        "that is rolled back) and prints precision and recall of parties, signatories and the "
        "signing date. The institutions already in the database are read too: use an empty "
        "one (make intake-scores does)."
    )

    def add_arguments(self, parser):
        parser.add_argument("corpora", nargs="+", help="JSON files of labelled announcements")
        parser.add_argument(
            "--misses", action="store_true", help="also list what each announcement got wrong"
        )

    def handle(self, *args, corpora, misses, **options):
        for path in corpora:
            corpus = load_corpus(path)
            try:
                with transaction.atomic():
                    register_institutions(corpus, actor=None)
                    scores = evaluate(corpus)
                    raise Rollback
            except Rollback:
                pass
            self.stdout.write(f"{path}\n{scores.table()}")
            if scores.fragments:
                self.stdout.write(f"fragments: {', '.join(scores.fragments)}")
            if misses:
                for reading in scores.readings:
                    for category, (extra, missing) in reading.misses().items():
                        self.stdout.write(
                            f"  {reading.id} {category}: proposed {extra}, missed {missing}"
                        )
