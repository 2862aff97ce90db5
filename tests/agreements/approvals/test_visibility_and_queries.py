"""Who reads approvals, through the memorandum's visibility gate, in fixed queries."""

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework.test import APIClient

from agreements.approvals.services import approval_approve, approval_return, approval_submit
from agreements.services import memorandum_update
from partners.models import PartnerLink
from tests.factories import UserFactory

from .conftest import client_for


def url(memorandum, action=""):
    return f"/api/v1/memoranda/{memorandum.pk}/approval/{action + '/' if action else ''}"


@pytest.mark.parametrize("decisions", [1, 3])
def test_the_approval_reads_in_fixed_queries(
    deciders, mou, editor, decisions, django_assert_num_queries
):
    approval_submit(memorandum=mou, actor=editor)
    if decisions == 3:
        approval_approve(memorandum=mou, actor=deciders.unit_head)
        approval_return(memorandum=mou, actor=deciders.lawyer, comment="Not yet")
    # As a request meets the user: its groups not read yet.
    client = client_for(get_user_model().objects.get(pk=editor.pk))

    # 1 the editor's groups, 2 the memorandum through the visibility gate, 3 its approval
    # with its route and current step, 4 the route's steps with their groups, 5 the decisions
    # with who made them
    with django_assert_num_queries(5):
        response = client.get(url(mou))

    assert len(response.json()["decisions"]) == decisions


def test_a_memorandum_the_user_may_not_read_is_a_404(deciders, mou, editor, viewer):
    memorandum_update(memorandum=mou, actor=editor, visibility="confidential")
    approval_submit(memorandum=mou, actor=editor)

    assert client_for(viewer).get(url(mou)).status_code == 404
    # A decider who may not read it cannot decide it either.
    assert client_for(deciders.unit_head).post(url(mou, "approve"), {}).status_code == 404


def test_partner_clients_and_visitors_do_not_read_approvals(mou, parties):
    partner = UserFactory(username="partner")
    PartnerLink.objects.create(user=partner, institution=parties[0]["institution"])

    assert client_for(partner).get(url(mou)).status_code == 403
    assert APIClient().get(url(mou)).status_code in (401, 403)


def test_approval_filters_match_nothing_for_a_partner_client(deciders, mou, editor, parties):
    approval_submit(memorandum=mou, actor=editor)
    memorandum_update(memorandum=mou, actor=editor, visibility="public")
    partner = UserFactory(username="partner")
    PartnerLink.objects.create(user=partner, institution=parties[0]["institution"])
    client = client_for(partner)

    assert client.get("/api/v1/memoranda/").json()["count"] == 1
    assert client.get("/api/v1/memoranda/?approval_state=in_approval").json()["count"] == 0


def test_a_group_hears_once_per_arrival(
    deciders, mou, editor, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        approval_submit(memorandum=mou, actor=editor)
        approval_approve(memorandum=mou, actor=deciders.unit_head)
        memorandum_update(memorandum=mou, actor=editor, title="Only the title")

    assert [mail.to for mail in mailoutbox] == [["head@example.org"], ["lawyer@example.org"]]


def test_nothing_is_mailed_when_the_write_is_undone(
    deciders, mou, editor, mailoutbox, django_capture_on_commit_callbacks
):
    approval_submit(memorandum=mou, actor=editor)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(PermissionError),
        transaction.atomic(),
    ):
        approval_approve(memorandum=mou, actor=deciders.unit_head)
        raise PermissionError

    assert mailoutbox == []
