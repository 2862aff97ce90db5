"""Expiry reminders: 180, 90 and 30 days before expires_on, each once."""

import pytest

from agreements.models import Memorandum, Reminder
from tests.factories import SignedMemorandumFactory

from .support import OWNER, TODAY, days, in_force, recorded

pytestmark = pytest.mark.django_db

SENT, SKIPPED = Reminder.Outcome.SENT, Reminder.Outcome.SKIPPED


@pytest.mark.parametrize(
    ("threshold", "kind"),
    [(180, "expiry_180"), (90, "expiry_90"), (30, "expiry_30")],
)
def test_each_threshold_is_sent_on_its_day_and_not_the_day_before(
    threshold, kind, clock, send_reminders, mailoutbox
):
    memorandum = in_force(expires_in=threshold)
    # The thresholds before this one went out on their days.
    for earlier in (180, 90, 30):
        if earlier > threshold:
            Reminder.objects.create(
                kind=f"expiry_{earlier}", memorandum=memorandum, due_on=memorandum.expires_on
            )

    clock(TODAY - days(1))
    send_reminders()
    assert mailoutbox == []

    clock(TODAY)
    send_reminders()

    assert [message.to for message in mailoutbox] == [[OWNER]]
    assert memorandum.reference in mailoutbox[0].subject
    assert Reminder.objects.filter(outcome=SENT).latest("id").kind == kind


def test_over_its_last_half_year_a_memorandum_gets_three_reminders_on_their_days(
    clock, send_reminders, mailoutbox
):
    memorandum = in_force(expires_in=200)
    expires_on = memorandum.expires_on

    day, sent_on = TODAY, []
    while day <= expires_on + days(3):
        clock(day)
        before = len(mailoutbox)
        send_reminders()
        send_reminders()  # cron may fire twice; nothing goes out twice
        sent_on += [day] * (len(mailoutbox) - before)
        day += days(1)

    assert sent_on == [expires_on - days(180), expires_on - days(90), expires_on - days(30)]
    assert recorded() == [
        ("expiry_180", expires_on, SENT),
        ("expiry_90", expires_on, SENT),
        ("expiry_30", expires_on, SENT),
    ]


def test_repeated_runs_on_the_same_day_send_nothing_twice(clock, send_reminders, mailoutbox):
    in_force(expires_in=90)
    in_force(expires_in=30)

    for _ in range(3):
        send_reminders()

    assert len(mailoutbox) == 2
    assert Reminder.objects.filter(outcome=SENT).count() == 2


def test_a_late_run_catches_up_with_a_missed_threshold(clock, send_reminders, mailoutbox):
    memorandum = in_force(expires_in=85)
    Reminder.objects.create(kind="expiry_180", memorandum=memorandum, due_on=memorandum.expires_on)

    # The command did not run on day 90 before expiry; on day 85 the 90-day reminder goes out.
    out, _ = send_reminders()

    assert len(mailoutbox) == 1
    assert "in 85 days" in mailoutbox[0].body
    assert "sent expiry_90" in out
    send_reminders()
    assert len(mailoutbox) == 1


def test_after_months_without_a_run_only_the_most_urgent_threshold_is_sent(
    clock, send_reminders, mailoutbox
):
    memorandum = in_force(expires_in=20)

    send_reminders()
    send_reminders()

    assert len(mailoutbox) == 1
    assert "in 20 days" in mailoutbox[0].body
    assert sorted(recorded()) == [
        ("expiry_180", memorandum.expires_on, SKIPPED),
        ("expiry_30", memorandum.expires_on, SENT),
        ("expiry_90", memorandum.expires_on, SKIPPED),
    ]


def test_a_memorandum_entered_inside_the_window_gets_the_reminder_it_has_reached(
    clock, send_reminders, mailoutbox
):
    in_force(expires_in=120)  # past 180, not yet 90

    send_reminders()
    clock(TODAY + days(29))  # 91 days left: nothing new
    send_reminders()
    clock(TODAY + days(30))  # 90 days left
    send_reminders()

    assert [kind for kind, _, _ in recorded()] == ["expiry_180", "expiry_90"]
    assert len(mailoutbox) == 2


def test_a_changed_expiry_date_is_reminded_anew(clock, send_reminders, mailoutbox):
    memorandum = in_force(expires_in=30)
    send_reminders()

    memorandum.expires_on = TODAY + days(180)  # extended by an amendment
    memorandum.save()
    send_reminders()
    send_reminders()

    assert len(mailoutbox) == 2
    assert [(kind, day) for kind, day, outcome in recorded() if outcome == SENT] == [
        ("expiry_30", TODAY + days(30)),
        ("expiry_180", TODAY + days(180)),
    ]


def test_the_expiry_day_itself_still_reminds_a_late_run(clock, send_reminders, mailoutbox):
    in_force(expires_in=0)
    send_reminders()
    assert "(today)" in mailoutbox[0].body


def test_a_pending_memorandum_is_reminded_too(clock, send_reminders, mailoutbox):
    in_force(expires_in=90, signed_on=TODAY - days(10), effective_from=TODAY + days(5))
    send_reminders()
    assert len(mailoutbox) == 1


def superseded_by_a_signed_renewal(memorandum):
    SignedMemorandumFactory(supersedes=memorandum, kind=Memorandum.Kind.RENEWAL)


def terminated(memorandum):
    memorandum.stage = Memorandum.Stage.TERMINATED
    memorandum.save()


def still_a_draft(memorandum):
    memorandum.stage = Memorandum.Stage.DRAFT
    memorandum.signed_on = None
    memorandum.save()


@pytest.mark.parametrize(
    "change",
    [superseded_by_a_signed_renewal, terminated, still_a_draft],
    ids=lambda change: change.__name__,
)
def test_none_for_terminated_superseded_or_unsigned_memoranda(
    change, clock, send_reminders, mailoutbox
):
    memorandum = in_force(expires_in=30)
    change(memorandum)

    send_reminders()

    assert mailoutbox == []
    assert recorded() == []


def test_none_for_auto_renewing_expired_or_open_ended_memoranda(clock, send_reminders, mailoutbox):
    in_force(expires_in=30, auto_renew=True)
    in_force(expires_in=90, auto_renew=True)
    expired = in_force(expires_in=None, signed_on=TODAY - days(400))
    expired.expires_on = TODAY - days(1)
    expired.save()
    in_force(expires_in=None)  # open-ended

    send_reminders()

    assert mailoutbox == []
    assert recorded() == []


def test_a_renewal_still_in_draft_does_not_silence_the_original(clock, send_reminders, mailoutbox):
    memorandum = in_force(expires_in=30)
    SignedMemorandumFactory(
        supersedes=memorandum, stage=Memorandum.Stage.DRAFT, signed_on=None, parties=[]
    )

    send_reminders()

    assert [message.to for message in mailoutbox] == [[OWNER]]


def test_without_an_owner_email_nothing_is_sent_or_recorded_and_it_is_reported(
    clock, send_reminders, mailoutbox
):
    memorandum = in_force(expires_in=30, owner_email="")

    _, err = send_reminders()

    assert mailoutbox == []
    assert recorded() == []
    assert f"no owner email: expiry_30 about {memorandum.reference}" in err

    memorandum.owner_email = OWNER  # fixed later: the reminder then goes out
    memorandum.save()
    send_reminders()
    assert len(mailoutbox) == 1
