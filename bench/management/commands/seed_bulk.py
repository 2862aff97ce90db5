import time

from django.core.management.base import BaseCommand

from agreements.models import Memorandum
from bench.synthetic import seed_bulk
from registry.progress import command_progress


class Command(BaseCommand):
    help = "Fill the database with synthetic memoranda in bulk, for benchmarks and load tests."

    def add_arguments(self, parser):
        parser.add_argument("--memoranda", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=2023)
        parser.add_argument(
            "--up-to",
            action="store_true",
            help="Add only what brings the database to --memoranda memoranda in all.",
        )

    def handle(self, *args, memoranda, seed, up_to, **options):
        if up_to:
            memoranda -= Memorandum.objects.count()
            if memoranda <= 0:
                self.stdout.write("The database already holds enough memoranda.")
                return
        started = time.perf_counter()
        with command_progress(
            self.stderr,
            total=memoranda,
            desc="Seeding",
            unit="memoranda",
            enabled=options["verbosity"] > 0,
        ) as bar:
            counts = seed_bulk(memoranda=memoranda, seed=seed, report=bar.note, progress=bar.update)
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(f"Seeded {summary} in {elapsed:.1f} s.")
