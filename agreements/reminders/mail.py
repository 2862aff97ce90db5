"""Expiry and commitment reminders: what is due on a day, and sending it.

Thresholds. A memorandum in force (status `pending` or `active`: signed, not terminated,
superseded or expired) that does not renew itself is reminded 180, 90 and 30 days before
`expires_on`; a commitment of a memorandum in force that is neither done nor cancelled 14 days
before `due_on` and once it is overdue (`due_on` before today). Mail goes to the memorandum's
`owner_email`.

Catch-up. A threshold is reached when the days left are at most its number, and a reached
threshold that was never recorded is still sent, however late the run. When a run finds
several reached and unrecorded thresholds about the same date (the command did not run for
months, or the agreement was entered late), only the most urgent is sent: the less urgent ones
are recorded as `skipped`, so the owner gets one mail stating the days actually left rather
than three at once.

Once only. Each reminder is a `Reminder` row, unique per kind, memorandum or commitment, and
date. The row is inserted, then the mail sent, in one transaction per reminder: a mail that
fails to send rolls its row back, and the next run tries again. A concurrent run inserting the
same row waits for that transaction and then fails on the unique constraint, so it skips the
reminder instead of sending it twice. (The one gap: if the mail was accepted but the commit
then fails, the next run sends it again — a reminder sent twice is better than one lost.) The
date is part of the key: when `expires_on` or `due_on` changes, the new date is reminded anew.
"""

import dataclasses
import datetime
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agreements.models import Commitment, Memorandum, Party, Reminder
from agreements.querysets import Status
from agreements.selectors import ordered_parties
from registry.history import acting_as

logger = logging.getLogger(__name__)

Kind = Reminder.Kind

# Days before the date each kind is sent, least urgent first.
EXPIRY_THRESHOLDS = [(180, Kind.EXPIRY_180), (90, Kind.EXPIRY_90), (30, Kind.EXPIRY_30)]
COMMITMENT_DUE_DAYS = 14
IN_FORCE = [Status.PENDING, Status.ACTIVE]
OPEN_COMMITMENT = [Commitment.Status.PLANNED, Commitment.Status.IN_PROGRESS]


@dataclasses.dataclass(frozen=True)
class DueReminder:
    """A reminder to send now, and the less urgent ones it stands in for (recorded skipped)."""

    kind: str
    memorandum: Memorandum
    commitment: Commitment | None
    due_on: datetime.date
    today: datetime.date
    skipped: tuple[str, ...] = ()

    @property
    def recipient(self) -> str:
        return self.memorandum.owner_email

    @property
    def days_left(self) -> int:
        return (self.due_on - self.today).days

    def row(self, kind: str, outcome: str) -> Reminder:
        return Reminder(
            kind=kind,
            memorandum=self.memorandum,
            commitment=self.commitment,
            due_on=self.due_on,
            recipient=self.recipient,
            outcome=outcome,
        )


@dataclasses.dataclass
class ReminderRun:
    """What a run did (or, dry, would do)."""

    sent: list[DueReminder] = dataclasses.field(default_factory=list)
    no_recipient: list[DueReminder] = dataclasses.field(default_factory=list)
    failed: list[tuple[DueReminder, Exception]] = dataclasses.field(default_factory=list)


def _recorded(rows: Iterable[tuple]) -> dict[tuple, set[str]]:
    """(object id, date) → the kinds recorded about it."""
    recorded: dict[tuple, set[str]] = defaultdict(set)
    for pk, day, kind in rows:
        recorded[(pk, day)].add(kind)
    return recorded


def _recorded_as(kind: str, **lookups) -> Exists:
    """Whether a reminder of `kind` about the outer row's current date was recorded."""
    due_on = "expires_on" if "memorandum" in lookups else "due_on"
    return Exists(Reminder.objects.filter(kind=kind, due_on=OuterRef(due_on), **lookups))


def _pick(
    thresholds: list[tuple[int | None, str]], days_left: int, recorded: set[str]
) -> tuple[str, tuple[str, ...]] | None:
    """The most urgent reached threshold, if never recorded, and the reached ones before it
    that were never recorded either. A threshold of None is reached whenever days_left < 0."""
    reached = [
        kind for days, kind in thresholds if (days_left < 0 if days is None else days_left <= days)
    ]
    if not reached or reached[-1] in recorded:
        return None
    return reached[-1], tuple(kind for kind in reached[:-1] if kind not in recorded)


def expiry_reminders_due(*, today: datetime.date) -> list[DueReminder]:
    """Memoranda in force, not auto-renewing, expiring within 180 days whose most urgent
    reached threshold was never recorded: two queries, plus one for the parties."""
    horizon = today + datetime.timedelta(days=EXPIRY_THRESHOLDS[0][0])
    memoranda = list(
        Memorandum.objects.with_status(today)
        .filter(
            status__in=IN_FORCE,
            auto_renew=False,
            expires_on__isnull=False,
            expires_on__gte=today,
            expires_on__lte=horizon,
        )
        # Done with: the last reminder about this date went out.
        .exclude(_recorded_as(Kind.EXPIRY_30, commitment__isnull=True, memorandum=OuterRef("pk")))
        .order_by("expires_on", "id")
        .prefetch_related(ordered_parties())
    )
    recorded = _recorded(
        Reminder.objects.filter(
            memorandum__in=[m.pk for m in memoranda],
            commitment__isnull=True,
            kind__in=[kind for _, kind in EXPIRY_THRESHOLDS],
        ).values_list("memorandum_id", "due_on", "kind")
    )
    due = []
    for memorandum in memoranda:
        days_left = (memorandum.expires_on - today).days
        picked = _pick(
            EXPIRY_THRESHOLDS, days_left, recorded[(memorandum.pk, memorandum.expires_on)]
        )
        if picked:
            kind, skipped = picked
            due.append(DueReminder(kind, memorandum, None, memorandum.expires_on, today, skipped))
    return due


def commitment_reminders_due(*, today: datetime.date) -> list[DueReminder]:
    """Open commitments of memoranda in force, due within 14 days or overdue, whose most
    urgent reached reminder was never recorded."""
    horizon = today + datetime.timedelta(days=COMMITMENT_DUE_DAYS)
    in_force = Memorandum.objects.with_status(today).filter(status__in=IN_FORCE)
    commitments = list(
        Commitment.objects.filter(
            status__in=OPEN_COMMITMENT,
            due_on__isnull=False,
            due_on__lte=horizon,
            memorandum__in=in_force.values("pk"),
        )
        # Done with: overdue and reminded of it (else every past one is read every day).
        .exclude(_recorded_as(Kind.COMMITMENT_OVERDUE, commitment=OuterRef("pk")))
        .select_related("memorandum", "responsible_institution")
        .prefetch_related(
            Prefetch(
                "memorandum__parties",
                queryset=Party.objects.select_related("institution").order_by("order", "id"),
            )
        )
        .order_by("due_on", "id")
    )
    recorded = _recorded(
        Reminder.objects.filter(
            commitment__in=[c.pk for c in commitments],
            kind__in=[Kind.COMMITMENT_DUE_14, Kind.COMMITMENT_OVERDUE],
        ).values_list("commitment_id", "due_on", "kind")
    )
    thresholds = [(COMMITMENT_DUE_DAYS, Kind.COMMITMENT_DUE_14), (None, Kind.COMMITMENT_OVERDUE)]
    due = []
    for commitment in commitments:
        days_left = (commitment.due_on - today).days
        picked = _pick(thresholds, days_left, recorded[(commitment.pk, commitment.due_on)])
        if picked:
            kind, skipped = picked
            due.append(
                DueReminder(
                    kind, commitment.memorandum, commitment, commitment.due_on, today, skipped
                )
            )
    return due


def reminders_due(*, today: datetime.date) -> list[DueReminder]:
    return expiry_reminders_due(today=today) + commitment_reminders_due(today=today)


def memorandum_admin_url(memorandum: Memorandum) -> str:
    path = reverse("admin:agreements_memorandum_change", args=[memorandum.pk])
    return settings.SITE_URL.rstrip("/") + path


def _party_lines(memorandum: Memorandum) -> list[str]:
    lines = []
    for party in memorandum.parties.all():
        institution = party.institution
        name = institution.name
        if institution.short_name:
            name += f" ({institution.short_name})"
        role = (
            f", {str(party.get_role_display()).lower()}" if party.role != Party.Role.PARTY else ""
        )
        lines.append(f"  - {name}{role}")
    return lines or ["  " + _("(none recorded)")]


def _in_days(days: int) -> str:
    if days == 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    if days > 0:
        return ngettext("in %(days)d day", "in %(days)d days", days) % {"days": days}
    return ngettext("%(days)d day ago", "%(days)d days ago", -days) % {"days": -days}


def reminder_message(reminder: DueReminder) -> tuple[str, str]:
    """The subject and text of a reminder's mail."""
    memorandum = reminder.memorandum
    name = f"{memorandum.reference} “{memorandum.title}”"
    when = f"{reminder.due_on.isoformat()} ({_in_days(reminder.days_left)})"
    if reminder.commitment is None:
        subject = _("%(reference)s expires on %(date)s") % {
            "reference": memorandum.reference,
            "date": reminder.due_on.isoformat(),
        }
        opening = [_("The agreement %(name)s expires on %(when)s.") % {"name": name, "when": when}]
        if memorandum.renewal_notice_days:
            notice = reminder.due_on - datetime.timedelta(days=memorandum.renewal_notice_days)
            values = {"days": memorandum.renewal_notice_days, "date": notice.isoformat()}
            opening.append(
                (
                    ngettext(
                        "Its renewal notice period is %(days)d day: notice was due on %(date)s.",
                        "Its renewal notice period is %(days)d days: notice was due on %(date)s.",
                        memorandum.renewal_notice_days,
                    )
                    if notice < reminder.today
                    else ngettext(
                        "Its renewal notice period is %(days)d day: notice is due by %(date)s.",
                        "Its renewal notice period is %(days)d days: notice is due by %(date)s.",
                        memorandum.renewal_notice_days,
                    )
                )
                % values
            )
        opening.append(
            _(
                "To renew it, open it in the registry and use “Renew”; the draft renewal keeps "
                "its parties, areas and commitments."
            )
        )
    else:
        commitment = reminder.commitment
        overdue = reminder.kind == Kind.COMMITMENT_OVERDUE
        values = {
            "reference": memorandum.reference,
            "name": name,
            "date": reminder.due_on.isoformat(),
            "when": when,
        }
        if overdue:
            subject = _("%(reference)s: commitment overdue since %(date)s") % values
            said = _(
                "A commitment under the agreement %(name)s was due on %(when)s and is not "
                "marked done:"
            )
        else:
            subject = _("%(reference)s: commitment due on %(date)s") % values
            said = _(
                "A commitment under the agreement %(name)s is due on %(when)s and is not "
                "marked done:"
            )
        opening = [
            said % values,
            "",
            f"  {commitment.title} ({str(commitment.get_status_display()).lower()})",
        ]
        if commitment.responsible_institution:
            opening.append(
                "  "
                + _("Responsible: %(institution)s")
                % {"institution": commitment.responsible_institution.label}
            )
        opening += [
            "",
            _("When it is done (or cancelled), record that in the registry so reminders stop."),
        ]
    lines = [
        *opening,
        "",
        _("Parties:"),
        *_party_lines(memorandum),
        "",
        _("Open it in the registry: %(url)s") % {"url": memorandum_admin_url(memorandum)},
        "",
        "-- ",
        _("MoU Registry. You receive this as the owner of this agreement (its owner email)."),
    ]
    # A mail header is one line: a reference typed with a line break must not break the send.
    return " ".join(subject.split()), "\n".join(lines)


def _send_one(reminder: DueReminder, connection) -> None:
    """Record the reminder (and those it stands in for) and send it, in one transaction.
    Written in the registry's language (LANGUAGE_CODE): the owner's own is not recorded."""
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = reminder_message(reminder)
    with transaction.atomic():
        # The insert takes the unique index entry first: a concurrent run blocks here, then
        # fails with IntegrityError once this transaction commits, and skips the reminder.
        reminder.row(reminder.kind, Reminder.Outcome.SENT).save(force_insert=True)
        Reminder.objects.bulk_create(
            [reminder.row(kind, Reminder.Outcome.SKIPPED) for kind in reminder.skipped],
            ignore_conflicts=True,
        )
        EmailMessage(
            subject, body, settings.DEFAULT_FROM_EMAIL, [reminder.recipient], connection=connection
        ).send()


def reminders_send(
    *,
    today: datetime.date,
    dry_run: bool = False,
    actor=None,
    progress: Callable[[int, int], None] | None = None,
) -> ReminderRun:
    """Send every reminder due on `today` that was never sent; `dry_run` only lists them.

    Not `@attributed`: each reminder is its own transaction (see the module's docstring), so
    one failed mail neither undoes the record of those already sent nor stops the others.
    `progress(done, total)` is told how many are done before each reminder and at the end.
    """
    run = ReminderRun()
    due = reminders_due(today=today)
    # One backend for the run; it opens (and closes) its connection as each mail is sent.
    connection = None if dry_run else get_connection()
    with acting_as(actor):
        for done, reminder in enumerate(due):
            if progress:
                progress(done, len(due))
            if not reminder.recipient:
                run.no_recipient.append(reminder)
                continue
            if dry_run:
                run.sent.append(reminder)
                continue
            try:
                _send_one(reminder, connection)
            except IntegrityError:
                # A concurrent run recorded (and sent) it first.
                continue
            except Exception as error:  # the mail server refused or is down: retry next run
                logger.exception(
                    "Reminder %s about %s not sent", reminder.kind, reminder.memorandum
                )
                run.failed.append((reminder, error))
                continue
            run.sent.append(reminder)
    if progress:
        progress(len(due), len(due))
    return run
