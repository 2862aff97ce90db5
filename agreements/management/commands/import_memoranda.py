from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agreements.importing.spreadsheet import memoranda_import, read_rows
from registry.progress import command_progress


class Command(BaseCommand):
    help = (
        "Import memoranda from a CSV or XLSX file in the export's columns: all rows or none, "
        "idempotent on reference."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check and report only.")
        parser.add_argument(
            "--format", choices=["csv", "xlsx"], help="Default: from the file's extension."
        )
        parser.add_argument("--user", help="Record the changes in the history as this user.")

    def handle(self, *args, file: Path, dry_run: bool, format=None, user=None, **options):
        file_format = format or file.suffix.lower().lstrip(".")
        if file_format not in ("csv", "xlsx"):
            raise CommandError("Give --format csv or xlsx: the file's extension says neither.")
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"No user “{user}”.")
        with (
            file.open("rb") as rows_file,
            command_progress(
                self.stderr, desc="Importing", unit="rows", enabled=options["verbosity"] > 0
            ) as bar,
        ):
            try:
                report = memoranda_import(
                    rows=read_rows(rows_file, file_format),
                    actor=actor,
                    dry_run=dry_run,
                    progress=lambda: bar.update(1),
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
        for problem in report.problems:
            self.stderr.write(str(problem))
        self.stdout.write(report.summary())
        if report.problems:
            raise CommandError(f"{len(report.problems)} problems: nothing was imported.")
