"""The reminder mail's content, `--dry-run`, `--today`, failures and concurrent runs."""

import smtplib
import threading
import time

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from agreements.models import Party, Reminder
from agreements.reminders.mail import reminders_send
from tests.factories.agreements import CommitmentFactory, SignedMemorandumFactory
from tests.factories.partners import InstitutionFactory
from tests.factories.users import UserFactory

from .support import OWNER, TODAY, days, in_force, recorded

pytestmark = pytest.mark.django_db


@pytest.fixture
def trilateral():
    nu = InstitutionFactory(name="Nazarbayev University", short_name="NU")
    ichei = InstitutionFactory(
        name="International Centre for Higher Education Innovation under the auspices of UNESCO",
        short_name="UNESCO-ICHEI",
        country="CN",
    )
    sustech = InstitutionFactory(
        name="Southern University of Science and Technology", short_name="SUSTech", country="CN"
    )
    memorandum = in_force(
        expires_in=90,
        reference="MOU-2023-0007",
        title="Trilateral Memorandum of Understanding",
        parties=[nu, ichei, sustech],
        renewal_notice_days=60,
    )
    Party.objects.filter(memorandum=memorandum, institution=ichei).update(role="coordinator")
    return memorandum


def test_the_expiry_mail_names_the_agreement_its_parties_the_date_and_a_link(
    trilateral, clock, send_reminders, mailoutbox, settings
):
    settings.SITE_URL = "https://registry.nu.edu.kz/"
    settings.DEFAULT_FROM_EMAIL = "registry@nu.edu.kz"
    expires_on = trilateral.expires_on.isoformat()

    send_reminders()

    (message,) = mailoutbox
    assert message.to == [OWNER]
    assert message.from_email == "registry@nu.edu.kz"
    assert message.subject == f"MOU-2023-0007 expires on {expires_on}"
    body = message.body
    assert "MOU-2023-0007 “Trilateral Memorandum of Understanding”" in body
    assert f"expires on {expires_on} (in 90 days)" in body
    assert f"notice is due by {(trilateral.expires_on - days(60)).isoformat()}" in body
    assert "  - Nazarbayev University (NU)\n" in body
    assert (
        "  - International Centre for Higher Education Innovation under the auspices of UNESCO "
        "(UNESCO-ICHEI), coordinator\n"
    ) in body
    assert "  - Southern University of Science and Technology (SUSTech)\n" in body
    assert f"https://registry.nu.edu.kz/admin/agreements/memorandum/{trilateral.pk}/change/" in body
    assert "Renew" in body


def test_a_reference_with_a_line_break_still_makes_a_one_line_subject(
    clock, send_reminders, mailoutbox
):
    in_force(expires_in=90, reference="MOU-2023\r\n0008")

    send_reminders()

    (message,) = mailoutbox
    assert message.subject.startswith("MOU-2023 0008 expires on ")


def test_a_notice_date_already_past_is_said_to_be_past(clock, send_reminders, mailoutbox):
    memorandum = in_force(expires_in=30, renewal_notice_days=90)

    send_reminders()

    notice = (memorandum.expires_on - days(90)).isoformat()
    assert f"notice was due on {notice}." in mailoutbox[0].body


def test_the_commitment_mail_names_the_commitment_and_who_is_responsible(
    trilateral, clock, send_reminders, mailoutbox
):
    Reminder.objects.create(kind="expiry_90", memorandum=trilateral, due_on=trilateral.expires_on)
    nu = trilateral.parties.get(institution__short_name="NU").institution
    CommitmentFactory(
        memorandum=trilateral,
        title="Micro-certification programme launch",
        responsible_institution=nu,
        due_on=TODAY + days(14),
    )

    send_reminders()

    (message,) = mailoutbox
    assert message.subject == f"MOU-2023-0007: commitment due on {(TODAY + days(14)).isoformat()}"
    assert "Micro-certification programme launch (planned)" in message.body
    assert f"Responsible: {nu.label}" in message.body
    assert "Trilateral Memorandum of Understanding" in message.body
    assert "Nazarbayev University (NU)" in message.body
    assert f"/admin/agreements/memorandum/{trilateral.pk}/change/" in message.body


def test_dry_run_lists_what_is_due_and_sends_and_records_nothing(
    trilateral, clock, send_reminders, mailoutbox
):
    CommitmentFactory(memorandum=trilateral, due_on=TODAY - days(2))

    out, _ = send_reminders("--dry-run")

    assert mailoutbox == []
    assert Reminder.objects.count() == 0
    assert "would send expiry_90 to intl-office@nu.edu.kz: MOU-2023-0007" in out
    assert "would send commitment_overdue" in out
    assert "2 reminder(s) would be sent" in out

    send_reminders()  # the real run afterwards sends both
    assert len(mailoutbox) == 2


def test_today_option_runs_the_command_for_another_day(clock, send_reminders, mailoutbox):
    memorandum = in_force(expires_in=200)

    send_reminders()
    assert mailoutbox == []

    out, _ = send_reminders("--today", (TODAY + days(170)).isoformat())

    assert len(mailoutbox) == 1
    assert recorded() == [
        ("expiry_30", memorandum.expires_on, "sent"),
        ("expiry_180", memorandum.expires_on, "skipped"),
        ("expiry_90", memorandum.expires_on, "skipped"),
    ]
    assert out.startswith("sent expiry_30")


def test_a_bad_today_option_is_a_clear_error(send_reminders):
    with pytest.raises(CommandError, match="not a date"):
        send_reminders("--today", "29.05.2023")


def test_a_mail_that_fails_is_not_recorded_and_goes_out_on_the_next_run(
    clock, send_reminders, mailoutbox, monkeypatch
):
    in_force(expires_in=30)
    deliver = EmailBackend.send_messages

    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("mail server down")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    with pytest.raises(CommandError, match="1 reminder"):
        send_reminders()
    assert Reminder.objects.count() == 0

    monkeypatch.setattr(EmailBackend, "send_messages", deliver)
    send_reminders()
    assert len(mailoutbox) == 1
    assert Reminder.objects.filter(outcome="sent").count() == 1


def test_one_failed_mail_does_not_stop_or_undo_the_others(clock, mailoutbox, monkeypatch):
    first, second = in_force(expires_in=30), in_force(expires_in=31)
    first.owner_email = "down@example.org"
    first.save()
    deliver = EmailBackend.send_messages

    def refuse_one(self, messages):
        if messages[0].to == ["down@example.org"]:
            raise smtplib.SMTPRecipientsRefused({"down@example.org": (550, b"no")})
        return deliver(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_one)
    run = reminders_send(today=TODAY)

    assert [reminder.memorandum for reminder in run.sent] == [second]
    assert [reminder.memorandum for reminder, _ in run.failed] == [first]
    assert list(Reminder.objects.order_by("id").values_list("memorandum", "kind", "outcome")) == [
        (second.pk, "expiry_90", "sent"),
        (second.pk, "expiry_180", "skipped"),
    ]


def test_the_database_refuses_a_second_record_of_the_same_reminder():
    memorandum = in_force(expires_in=30)
    promise = CommitmentFactory(memorandum=memorandum)
    Reminder.objects.create(kind="expiry_30", memorandum=memorandum, due_on=memorandum.expires_on)
    Reminder.objects.create(
        kind="commitment_overdue", memorandum=memorandum, commitment=promise, due_on=promise.due_on
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(
            kind="expiry_30", memorandum=memorandum, due_on=memorandum.expires_on
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(
            kind="commitment_overdue",
            memorandum=memorandum,
            commitment=promise,
            due_on=promise.due_on,
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_send_each_reminder_once(on_postgres, mailoutbox, monkeypatch):
    for expires_in in (30, 90, 180):
        SignedMemorandumFactory(owner_email=OWNER, expires_on=TODAY + days(expires_in))
    deliver = EmailBackend.send_messages

    def slow(self, messages):
        time.sleep(0.2)  # the other run reaches the same reminder meanwhile
        return deliver(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", slow)
    barrier = threading.Barrier(3)
    errors = []

    def run():
        try:
            barrier.wait()
            reminders_send(today=TODAY)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(mailoutbox) == 3
    assert Reminder.objects.filter(outcome="sent").count() == 3
    assert Reminder.objects.filter(outcome="skipped").count() == 3  # 180+90 for 30, 180 for 90


def test_the_reminder_log_is_in_the_admin_for_staff_who_read_everything(client, editor, clock):
    memorandum = in_force(expires_in=30)
    reminders_send(today=TODAY)
    viewer = UserFactory(username="viewer", is_staff=True, groups=["registry-viewer"])
    log = reverse("admin:agreements_reminder_changelist")

    client.force_login(editor)
    page = client.get(log)
    assert page.status_code == 200
    assert memorandum.reference in page.content.decode()

    client.force_login(viewer)
    assert client.get(log).status_code == 403


def test_mails_are_written_in_the_registrys_language(
    trilateral, clock, send_reminders, mailoutbox, settings
):
    settings.LANGUAGE_CODE = "ru"

    send_reminders()

    (message,) = mailoutbox
    assert message.subject == f"MOU-2023-0007 истекает {trilateral.expires_on.isoformat()}"
    assert "Срок соглашения MOU-2023-0007 “Trilateral Memorandum of Understanding”" in message.body
    assert "(через 90 дней)" in message.body
    assert "Стороны:" in message.body
    assert "(UNESCO-ICHEI), координатор\n" in message.body
