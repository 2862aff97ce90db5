"""Submitting, approving, returning and signing, through the API as users do it."""

import datetime

import pytest

from agreements.approvals.services import approval_submit
from agreements.models import ApprovalDecision, Memorandum
from agreements.services import commitment_create, memorandum_update

from .conftest import client_for

SIGNING = {"stage": "signed", "signed_on": "2026-05-29"}


def url(memorandum, action=""):
    return f"/api/v1/memoranda/{memorandum.pk}/approval/{action + '/' if action else ''}"


def sign(user, memorandum):
    memorandum.refresh_from_db()
    return client_for(user).patch(
        f"/api/v1/memoranda/{memorandum.pk}/",
        {**SIGNING, "version": memorandum.version},
        format="json",
    )


@pytest.fixture
def submitted(deciders, mou, editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(editor).post(url(mou, "submit"), {}, format="json")
    assert response.status_code == 200, response.json()
    return mou


def test_a_submitted_memorandum_waits_at_the_first_step_and_its_group_hears_of_it(
    deciders, mou, editor, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(editor).post(url(mou, "submit"), {"comment": "Ready"}, format="json")

    body = response.json()
    assert response.status_code == 200
    assert body["state"] == "in_approval"
    assert body["current_step"]["name"] == "Unit head"
    assert [step["state"] for step in body["steps"]] == ["waiting", "pending"]
    assert [mail.to for mail in mailoutbox] == [["head@example.org"]]
    assert mou.reference in mailoutbox[0].subject
    assert f"/admin/agreements/memorandum/{mou.pk}/change/" in mailoutbox[0].body


def test_each_step_is_decided_by_its_group_only(submitted, deciders, editor):
    for outsider in (deciders.lawyer, editor):
        response = client_for(outsider).post(url(submitted, "approve"), {}, format="json")
        assert response.status_code == 403

    response = client_for(deciders.unit_head).post(url(submitted, "approve"), {}, format="json")

    assert response.status_code == 200
    assert response.json()["current_step"]["name"] == "Legal review"
    assert [step["state"] for step in response.json()["steps"]] == ["approved", "waiting"]


def test_an_editor_cannot_sign_before_every_step_approved_and_can_after(
    submitted, deciders, editor
):
    refused = sign(editor, submitted)
    assert refused.status_code == 400
    assert "stage" in refused.json()
    assert "Unit head" in refused.json()["stage"][0]

    for decider in (deciders.unit_head, deciders.lawyer):
        response = client_for(decider).post(url(submitted, "approve"), {}, format="json")
        assert response.status_code == 200
    assert response.json()["state"] == "approved"
    assert response.json()["may_be_signed"] is True

    signed = sign(editor, submitted)
    assert signed.status_code == 200, signed.json()
    assert signed.json()["stage"] == "signed"


def test_a_change_of_terms_sends_it_back_to_the_first_step_and_stales_the_approvals(
    submitted, deciders, editor, mailoutbox, django_capture_on_commit_callbacks
):
    client_for(deciders.unit_head).post(url(submitted, "approve"), {}, format="json")
    mailoutbox.clear()
    submitted.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(editor).patch(
            f"/api/v1/memoranda/{submitted.pk}/",
            {"expires_on": "2031-01-01", "version": submitted.version},
            format="json",
        )
    assert response.status_code == 200

    status = client_for(editor).get(url(submitted)).json()
    assert status["current_step"]["name"] == "Unit head"
    assert [d["action"] for d in status["stale_approvals"]] == ["approved"]
    assert status["steps"][0]["decisions"][1]["stale"] is True
    assert [mail.to for mail in mailoutbox] == [["head@example.org"]]
    assert sign(editor, submitted).status_code == 400


def test_what_is_not_a_term_leaves_the_approvals_alone(submitted, deciders, editor):
    client_for(deciders.unit_head).post(url(submitted, "approve"), {}, format="json")

    memorandum_update(memorandum=submitted, actor=editor, title="A better title")

    status = client_for(editor).get(url(submitted)).json()
    assert status["current_step"]["name"] == "Legal review"
    assert status["stale_approvals"] == []


def test_a_new_commitment_is_a_change_of_terms(submitted, deciders, editor):
    client_for(deciders.unit_head).post(url(submitted, "approve"), {}, format="json")

    commitment_create(memorandum=submitted, actor=editor, title="Joint summer school")

    assert client_for(editor).get(url(submitted)).json()["current_step"]["name"] == "Unit head"


def test_return_needs_a_comment_and_sends_it_back_to_negotiation(submitted, deciders, editor):
    client = client_for(deciders.unit_head)
    missing = client.post(url(submitted, "return"), {"comment": "  "}, format="json")
    assert missing.status_code == 400
    assert "comment" in missing.json()

    returned = client.post(url(submitted, "return"), {"comment": "Annex missing"}, format="json")

    body = returned.json()
    assert body["state"] == "returned"
    assert body["current_step"] is None
    assert body["steps"][0]["state"] == "returned"
    assert body["decisions"][-1]["comment"] == "Annex missing"
    assert body["decisions"][-1]["decided_by"] == "head"
    assert Memorandum.objects.get(pk=submitted.pk).stage == "negotiation"
    again = client.post(url(submitted, "approve"), {}, format="json")
    assert again.status_code == 409
    assert "approval" in again.json()
    resubmitted = client_for(editor).post(url(submitted, "submit"), {}, format="json")
    assert resubmitted.json()["current_step"]["name"] == "Unit head"


def test_conflicts_of_state_are_409(deciders, mou, editor, parties):
    assert client_for(deciders.unit_head).post(url(mou, "approve"), {}).status_code == 409
    client_for(editor).post(url(mou, "submit"), {}, format="json")
    twice = client_for(editor).post(url(mou, "submit"), {}, format="json")
    assert twice.status_code == 409
    draft_moa = memorandum_update(memorandum=mou, actor=editor, kind="moa")
    assert draft_moa.kind == "moa"


def test_only_editors_submit(deciders, mou):
    assert client_for(deciders.unit_head).post(url(mou, "submit"), {}).status_code == 403


def test_an_approver_who_read_older_terms_is_refused(submitted, deciders, editor):
    stale = "0" * 64
    response = client_for(deciders.unit_head).post(
        url(submitted, "approve"), {"fingerprint": stale}, format="json"
    )
    assert response.status_code == 400
    assert "fingerprint" in response.json()


def test_a_superuser_overrides_with_a_reason_and_the_memorandum_can_be_signed(
    submitted, superuser, editor
):
    client = client_for(superuser)
    assert client.post(url(submitted, "override"), {}, format="json").status_code == 400
    assert (
        client_for(editor)
        .post(url(submitted, "override"), {"comment": "x"}, format="json")
        .status_code
        == 403
    )

    response = client.post(url(submitted, "override"), {"comment": "Rector's order"}, format="json")

    assert response.json()["state"] == "overridden"
    assert response.json()["decisions"][-1]["comment"] == "Rector's order"
    assert sign(editor, submitted).status_code == 200


def test_a_kind_without_a_route_is_signed_as_before(route, parties, editor):
    exchange = Memorandum.objects.get(
        pk=client_for(editor)
        .post(
            "/api/v1/memoranda/",
            {
                "title": "Exchange",
                "kind": "exchange",
                "stage": "signed",
                "signed_on": "2026-01-01",
                "parties": [{"institution": p["institution"].pk} for p in parties],
            },
            format="json",
        )
        .json()["id"]
    )
    assert exchange.stage == "signed"
    assert client_for(editor).get(url(exchange)).json()["state"] == "not_required"


def test_creating_a_signed_memorandum_of_a_routed_kind_is_refused(route, parties, editor):
    response = client_for(editor).post(
        "/api/v1/memoranda/",
        {
            "title": "Straight to signature",
            "kind": "mou",
            "stage": "signed",
            "signed_on": "2026-01-01",
            "parties": [{"institution": p["institution"].pk} for p in parties],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "stage" in response.json()
    assert not Memorandum.objects.filter(title="Straight to signature").exists()


def test_every_decision_is_in_the_history(submitted, deciders, editor):
    client_for(deciders.unit_head).post(url(submitted, "approve"), {}, format="json")

    history = client_for(editor).get(f"/api/v1/memoranda/{submitted.pk}/history/").json()

    decisions = [e for e in history["results"] if e["model"] == "approvaldecision"]
    assert len(decisions) == 2


def test_signing_date_is_not_a_change_of_the_approved_terms(submitted, deciders, editor):
    for decider in (deciders.unit_head, deciders.lawyer):
        client_for(decider).post(url(submitted, "approve"), {}, format="json")
    memorandum_update(
        memorandum=Memorandum.objects.get(pk=submitted.pk),
        actor=editor,
        stage="signed",
        signed_on=datetime.date(2026, 6, 1),
    )
    assert ApprovalDecision.objects.filter(action="restarted").count() == 0


def test_services_refuse_what_the_api_refuses(deciders, mou, editor):
    approval_submit(memorandum=mou, actor=editor)
    with pytest.raises(Exception, match="stage"):
        memorandum_update(
            memorandum=mou, actor=editor, stage="signed", signed_on=datetime.date(2026, 1, 1)
        )


def test_the_list_filters_by_approval_state_and_awaiting_group(submitted, deciders, editor, viewer):
    client = client_for(editor)

    def references(query):
        response = client.get(f"/api/v1/memoranda/?{query}")
        assert response.status_code == 200, response.json()
        return [row["reference"] for row in response.json()["results"]]

    assert references("approval_state=in_approval") == [submitted.reference]
    assert references("approval_state=approved") == []
    assert references(f"awaiting_group={deciders.unit_heads.pk}") == [submitted.reference]
    assert references(f"awaiting_group={deciders.legal.pk}") == []
    assert client.get("/api/v1/memoranda/?approval_state=sideways").status_code == 400
    assert "awaiting_group" in client.get("/api/v1/memoranda/?awaiting_group=999999").json()
