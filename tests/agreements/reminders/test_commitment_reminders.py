"""Commitment reminders: 14 days before due_on, and once it is overdue."""

import pytest

from agreements.models import Commitment, Memorandum, Reminder
from tests.factories import CommitmentFactory

from .support import OWNER, TODAY, days, in_force, recorded

pytestmark = pytest.mark.django_db

SENT, SKIPPED = Reminder.Outcome.SENT, Reminder.Outcome.SKIPPED


def commitment(*, due_in: int, memorandum=None, **fields) -> Commitment:
    memorandum = memorandum or in_force(expires_in=None)
    return CommitmentFactory(memorandum=memorandum, due_on=TODAY + days(due_in), **fields)


def test_fourteen_days_before_it_is_due(clock, send_reminders, mailoutbox):
    promise = commitment(due_in=14)

    clock(TODAY - days(1))
    send_reminders()
    assert mailoutbox == []

    clock(TODAY)
    send_reminders()
    send_reminders()

    assert [message.to for message in mailoutbox] == [[OWNER]]
    assert "commitment due on" in mailoutbox[0].subject
    assert promise.title in mailoutbox[0].body
    assert recorded() == [("commitment_due_14", promise.due_on, SENT)]


def test_on_the_day_it_is_overdue_and_only_then(clock, send_reminders, mailoutbox):
    promise = commitment(due_in=14)
    send_reminders()  # the 14-day reminder

    clock(promise.due_on)  # due today: not overdue yet
    send_reminders()
    assert len(mailoutbox) == 1

    clock(promise.due_on + days(1))
    send_reminders()
    clock(promise.due_on + days(2))
    send_reminders()

    assert len(mailoutbox) == 2
    assert "overdue since" in mailoutbox[1].subject
    assert "1 day ago" in mailoutbox[1].body
    assert recorded() == [
        ("commitment_due_14", promise.due_on, SENT),
        ("commitment_overdue", promise.due_on, SENT),
    ]


def test_a_late_run_sends_the_overdue_reminder_alone(clock, send_reminders, mailoutbox):
    promise = commitment(due_in=-5)

    send_reminders()
    send_reminders()

    assert len(mailoutbox) == 1
    assert "5 days ago" in mailoutbox[0].body
    assert recorded() == [
        ("commitment_overdue", promise.due_on, SENT),
        ("commitment_due_14", promise.due_on, SKIPPED),
    ]


def test_a_late_run_inside_the_fourteen_days_still_sends_it(clock, send_reminders, mailoutbox):
    commitment(due_in=6)

    send_reminders()

    assert len(mailoutbox) == 1
    assert "in 6 days" in mailoutbox[0].body


@pytest.mark.parametrize("status", [Commitment.Status.DONE, Commitment.Status.CANCELLED])
def test_none_for_done_or_cancelled_commitments(status, clock, send_reminders, mailoutbox):
    commitment(due_in=14, status=status, completed_on=TODAY if status == "done" else None)
    commitment(due_in=-3, status=status, completed_on=TODAY if status == "done" else None)

    send_reminders()

    assert mailoutbox == []


def test_in_progress_commitments_are_reminded(clock, send_reminders, mailoutbox):
    commitment(due_in=-3, status=Commitment.Status.IN_PROGRESS)
    send_reminders()
    assert len(mailoutbox) == 1


def test_none_for_commitments_of_memoranda_no_longer_in_force(clock, send_reminders, mailoutbox):
    ended = in_force(expires_in=None)
    ended.stage = Memorandum.Stage.TERMINATED
    ended.save()
    commitment(due_in=14, memorandum=ended)
    commitment(due_in=-3, memorandum=ended)

    send_reminders()

    assert mailoutbox == []


def test_commitments_of_auto_renewing_memoranda_are_still_reminded(
    clock, send_reminders, mailoutbox
):
    commitment(due_in=14, memorandum=in_force(expires_in=30, auto_renew=True))
    send_reminders()
    assert [message.subject.split(": ")[1] for message in mailoutbox] == [
        f"commitment due on {(TODAY + days(14)).isoformat()}"
    ]


def test_a_postponed_commitment_is_reminded_for_its_new_date(clock, send_reminders, mailoutbox):
    promise = commitment(due_in=-1)
    send_reminders()

    promise.due_on = TODAY + days(10)
    promise.save()
    send_reminders()

    assert len(mailoutbox) == 2
    assert "in 10 days" in mailoutbox[1].body
