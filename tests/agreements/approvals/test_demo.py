"""The demo's sign-off routes, as someone trying the registry meets them."""

import datetime

import pytest
from django.contrib.auth import get_user_model

from agreements.demo import load_demo
from agreements.models import ApprovalRoute, Memorandum
from agreements.services import memorandum_update

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_demo_shows_an_exchange_agreement_at_legal_review_through_to_a_stale_approval(
    editor,
):
    counts = load_demo()
    assert counts["routes"] == 2
    assert set(ApprovalRoute.objects.values_list("kind", flat=True)) == {"mou", "exchange"}
    exchange = Memorandum.objects.get(reference="MOU-2026-0104")
    url = f"/api/v1/memoranda/{exchange.pk}/approval/"
    status = client_for(editor).get(url).json()
    assert status["current_step"]["name"] == "Legal review"
    assert [d["decided_by"] for d in status["decisions"]] == [None, "demo-unit-head"]

    refused = client_for(editor).patch(
        f"/api/v1/memoranda/{exchange.pk}/",
        {"stage": "signed", "signed_on": "2026-06-01", "version": exchange.version},
        format="json",
    )
    assert refused.status_code == 400
    assert "Legal review" in refused.json()["stage"][0]

    lawyer = get_user_model().objects.get(username="demo-legal")
    waiting = client_for(lawyer).get(
        "/api/v1/memoranda/", {"awaiting_group": lawyer.groups.get(name="Legal office").pk}
    )
    assert [row["reference"] for row in waiting.json()["results"]] == ["MOU-2026-0104"]
    approved = client_for(lawyer).post(url + "approve/", {}, format="json")
    assert approved.json()["current_step"]["name"] == "Director of the international office"

    memorandum_update(memorandum=exchange, actor=editor, expires_on=datetime.date(2031, 8, 31))

    status = client_for(editor).get(url).json()
    assert status["current_step"]["name"] == "Unit head"
    assert {d["decided_by"] for d in status["stale_approvals"]} == {"demo-unit-head", "demo-legal"}
    history = client_for(editor).get(f"/api/v1/memoranda/{exchange.pk}/history/?page_size=500")
    decisions = [e for e in history.json()["results"] if e["model"] == "approvaldecision"]
    assert len(decisions) == 4  # submitted, two approvals, restarted


def test_loading_the_demo_again_leaves_the_approvals_as_they_are():
    load_demo()
    counts = load_demo()

    assert counts["routes"] == counts["approvers"] == 0
    exchange = Memorandum.objects.get(reference="MOU-2026-0104")
    assert exchange.approval_decisions.count() == 2
