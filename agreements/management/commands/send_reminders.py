import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agreements.approvals.services import approval_digest_send
from agreements.reminders.mail import reminders_send
from registry.progress import command_progress


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--today: {value!r} is not a date like 2024-05-29.") from error


class Command(BaseCommand):
    help = (
        "Mail the owners of memoranda expiring in 180, 90 or 30 days and of commitments due in "
        "14 days or overdue. Each reminder is sent once, however often the command runs; a run "
        "after missed days catches up. Then mail the deciders of approval steps the memoranda "
        "that have waited APPROVAL_DIGEST_DAYS days or more. Run it daily (see "
        "docs/operations.md, 'Reminders')."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=iso_date,
            help="Act as if today were this date (YYYY-MM-DD); default: today in TIME_ZONE.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the reminders that are due; send and record nothing.",
        )

    def handle(self, *args, today=None, dry_run=False, **options):
        today = today or timezone.localdate()
        with command_progress(
            self.stderr, desc="Reminders", unit="reminders", enabled=options["verbosity"] > 0
        ) as bar:

            def progress(done, total):
                bar.total = total
                bar.update(done - bar.n)

            run = reminders_send(today=today, dry_run=dry_run, progress=progress)
        verb = "would send" if dry_run else "sent"
        for reminder in run.sent:
            about = reminder.commitment.title if reminder.commitment else "expiry"
            self.stdout.write(
                f"{verb} {reminder.kind} to {reminder.recipient}: "
                f"{reminder.memorandum.reference} ({about}, {reminder.due_on.isoformat()})"
            )
        for reminder in run.no_recipient:
            self.stderr.write(
                f"not sent, no owner email: {reminder.kind} about "
                f"{reminder.memorandum.reference} ({reminder.due_on.isoformat()})"
            )
        for reminder, error in run.failed:
            self.stderr.write(
                f"failed, will retry on the next run: {reminder.kind} about "
                f"{reminder.memorandum.reference}: {error}"
            )
        self.stdout.write(
            f"{today.isoformat()}: {len(run.sent)} reminder(s) "
            f"{'would be sent' if dry_run else 'sent'}, "
            f"{len(run.no_recipient)} without an owner email, {len(run.failed)} failed."
        )
        if not dry_run and settings.APPROVAL_DIGEST_DAYS:
            digests = approval_digest_send(today=today, days=settings.APPROVAL_DIGEST_DAYS)
            self.stdout.write(f"{digests} approval digest(s) sent.")
        if run.failed:
            raise CommandError(f"{len(run.failed)} reminder(s) could not be sent.")
