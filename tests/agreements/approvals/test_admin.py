"""Routes in the admin, the route on a memorandum's page, the changelist's filters and the
dashboard's "waiting for you"."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from agreements.approvals.services import approval_approve, approval_submit
from agreements.models import ApprovalRoute, Memorandum
from tests.agreements.admin.support import ADD, CHANGELIST, change_url
from tests.agreements.admin.test_memorandum_admin import memorandum_post
from tests.support import formset_management

ROUTE_ADD = reverse("admin:agreements_approvalroute_add")


def test_an_admin_defines_a_route_with_its_steps_inline(client, superuser):
    legal = Group.objects.create(name="Legal office")
    heads = Group.objects.create(name="Unit heads")
    client.force_login(superuser)
    data = {"name": "Exchange sign-off", "kind": "exchange"} | formset_management("steps", 3)
    data |= {
        "steps-0-position": "2",
        "steps-0-name": "Legal review",
        "steps-0-group": str(legal.pk),
        "steps-1-position": "1",
        "steps-1-name": "Unit head",
        "steps-1-group": str(heads.pk),
    }

    response = client.post(ROUTE_ADD, data)

    assert response.status_code == 302
    route = ApprovalRoute.objects.get(kind="exchange")
    assert [(s.position, s.name, s.group) for s in route.steps.all()] == [
        (1, "Unit head", heads),
        (2, "Legal review", legal),
    ]
    assert route.history.count() == 1


def test_a_route_without_steps_is_refused_on_the_form(client, superuser):
    client.force_login(superuser)
    data = {"name": "Empty", "kind": "moa"} | formset_management("steps", 0)

    response = client.post(ROUTE_ADD, data)

    assert response.status_code == 200
    assert "at least one step" in response.content.decode()
    assert not ApprovalRoute.objects.exists()


def test_the_memorandum_page_shows_each_step_with_its_decisions(
    editor_client, deciders, mou, editor
):
    approval_submit(memorandum=mou, actor=editor)
    approval_approve(memorandum=mou, actor=deciders.unit_head, comment="Fine by the faculty")

    content = editor_client.get(change_url(mou)).content.decode()

    assert 'id="approval-route"' in content
    assert "approval-step--approved" in content
    assert "approval-step--waiting" in content
    assert "Fine by the faculty" in content


def test_signing_from_the_admin_is_refused_on_stage(editor_client, route, parties):
    data = memorandum_post(parties=[p["institution"] for p in parties], kind="mou")

    response = editor_client.post(ADD, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "submit it for approval first" in errors["stage"][0]
    assert not Memorandum.objects.exists()


def test_the_changelist_filters_by_approval_state_and_step(editor_client, deciders, mou, editor):
    approval_submit(memorandum=mou, actor=editor)

    waiting = editor_client.get(CHANGELIST, {"approval_state": "in_approval"})
    at_legal = editor_client.get(CHANGELIST, {"approval_step": deciders.steps[1].pk})
    at_head = editor_client.get(CHANGELIST, {"approval_step": deciders.steps[0].pk})

    assert mou.reference in waiting.content.decode()
    assert mou.reference not in at_legal.content.decode()
    assert mou.reference in at_head.content.decode()
    assert "MoU sign-off: Legal review" in waiting.content.decode()


@pytest.mark.parametrize("at_their_step", [True, False])
def test_the_dashboard_lists_what_waits_for_the_user(client, deciders, mou, editor, at_their_step):
    approval_submit(memorandum=mou, actor=editor)
    if not at_their_step:
        approval_approve(memorandum=mou, actor=deciders.unit_head)
    client.force_login(deciders.unit_head)

    content = client.get("/").content.decode()

    assert ('id="waiting-list"' in content) is at_their_step
    assert (f'data-reference="{mou.reference}"' in content) is at_their_step
