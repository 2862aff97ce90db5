"""The export says where each memorandum stands in its sign-off route, to the staff alone."""

import csv
import io
import json

from agreements.approvals.services import approval_approve, approval_submit
from partners.models import PartnerLink
from tests.factories import UserFactory

from .conftest import client_for

EXPORT = "/api/v1/memoranda/export/"


def exported_rows(user, **params) -> list[dict]:
    response = client_for(user).get(EXPORT, {"format": "csv", **params})
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(content)))


def test_staff_see_the_state_and_the_step_it_waits_at(deciders, mou, editor):
    approval_submit(memorandum=mou, actor=editor)
    approval_approve(memorandum=mou, actor=deciders.unit_head)

    [row] = exported_rows(editor)
    [viewed] = exported_rows(deciders.lawyer)

    assert (row["approval_state"], row["approval_step"]) == ("in_approval", "Legal review")
    assert viewed == row


def test_a_memorandum_never_submitted_has_blank_approval_cells(deciders, mou, editor):
    [row] = exported_rows(editor)

    assert (row["approval_state"], row["approval_step"]) == ("", "")


def test_a_partner_client_reads_no_approval(deciders, mou, editor, parties):
    approval_submit(memorandum=mou, actor=editor)
    partner = UserFactory(username="partner-of-nu")
    PartnerLink.objects.create(user=partner, institution=parties[0]["institution"])

    [row] = exported_rows(partner)

    assert row["reference"] == mou.reference
    assert (row["approval_state"], row["approval_step"]) == ("", "")


def test_the_json_export_carries_the_same_cells(deciders, mou, editor):
    approval_submit(memorandum=mou, actor=editor)

    response = client_for(editor).get(EXPORT, {"format": "json"})
    [record] = json.loads(b"".join(response.streaming_content))

    assert (record["approval_state"], record["approval_step"]) == ("in_approval", "Unit head")
