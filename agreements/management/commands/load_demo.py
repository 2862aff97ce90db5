from django.core.management.base import BaseCommand

from agreements.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo data: the NU–UNESCO-ICHEI–SUSTech memorandum and a few dozen more "
        "(idempotent)."
    )

    def handle(self, *args, **options):
        counts = load_demo()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data loaded: created {institutions} institutions, {aliases} aliases, "
                "{people} people and {memoranda} memoranda ({renumbered} under a new reference, "
                "theirs being taken); updated {updated} institutions or people; left {skipped} "
                "existing memoranda as they were; created {routes} approval routes and "
                "{approvers} users who decide their steps.".format(**counts)
            )
        )
