"""Deciders hear, once a day, of what has waited too long at their step."""

import datetime

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from agreements.approvals.services import approval_approve, approval_digest_send, approval_submit


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def test_the_group_of_the_step_gets_one_mail_listing_what_waited_long_enough(deciders, mou, editor):
    deciders.unit_head.email = "head@example.org"
    deciders.unit_head.save()
    deciders.lawyer.email = "lawyer@example.org"
    deciders.lawyer.save()
    approval_submit(memorandum=mou, actor=editor)
    mail.outbox.clear()

    too_soon = approval_digest_send(today=in_days(6), days=7)
    sent = approval_digest_send(today=in_days(7), days=7)

    assert (too_soon, sent) == (0, 1)
    [digest] = mail.outbox
    assert digest.to == ["head@example.org"]
    assert mou.reference in digest.body and "Unit head" in digest.body
    assert f"/admin/agreements/memorandum/{mou.pk}/change/" in digest.body


def test_a_decided_step_leaves_the_digest_of_its_group(deciders, mou, editor):
    deciders.unit_head.email = "head@example.org"
    deciders.unit_head.save()
    deciders.lawyer.email = "lawyer@example.org"
    deciders.lawyer.save()
    approval_submit(memorandum=mou, actor=editor)
    approval_approve(memorandum=mou, actor=deciders.unit_head)
    mail.outbox.clear()

    assert approval_digest_send(today=in_days(30), days=7) == 1
    assert [message.to for message in mail.outbox] == [["lawyer@example.org"]]
    assert "Legal review" in mail.outbox[0].body


def test_the_daily_reminders_command_sends_the_digest(deciders, mou, editor, settings):
    settings.APPROVAL_DIGEST_DAYS = 3
    deciders.unit_head.email = "head@example.org"
    deciders.unit_head.save()
    approval_submit(memorandum=mou, actor=editor)
    mail.outbox.clear()

    call_command("send_reminders", today=in_days(3), verbosity=0)

    assert [message.to for message in mail.outbox] == [["head@example.org"]]
