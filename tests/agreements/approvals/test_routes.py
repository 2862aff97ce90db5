"""Defining routes through the services."""

import pytest
from django.core.exceptions import ValidationError

from agreements.approvals.services import (
    approval_approve,
    approval_route_create,
    approval_route_delete,
    approval_route_update,
    approval_submit,
)
from agreements.models import ApprovalRoute


def test_a_kind_has_one_route(route, superuser):
    with pytest.raises(ValidationError) as refused:
        approval_route_create(
            name="Another", kind="mou", steps=[{"name": "X", "group": route.legal}], actor=superuser
        )
    assert "kind" in refused.value.message_dict


def test_steps_are_replaced_in_order_and_keep_their_rows(route, superuser):
    head, legal = route.steps

    approval_route_update(
        route=route.route,
        actor=superuser,
        steps=[
            {"name": "Legal review", "group": route.legal},
            {"name": "Unit head", "group": route.unit_heads},
        ],
    )

    steps = list(route.route.steps.all())
    assert [(s.pk, s.name, s.group) for s in steps] == [
        (head.pk, "Legal review", route.legal),
        (legal.pk, "Unit head", route.unit_heads),
    ]


def test_a_step_a_memorandum_waits_at_stays(deciders, mou, editor, superuser):
    approval_submit(memorandum=mou, actor=editor)
    approval_approve(memorandum=mou, actor=deciders.unit_head)

    with pytest.raises(ValidationError) as refused:
        approval_route_update(
            route=deciders.route,
            actor=superuser,
            steps=[{"name": "Unit head", "group": deciders.unit_heads}],
        )
    assert "Legal review" in refused.value.message_dict["steps"][0]
    assert deciders.route.steps.count() == 2


def test_a_route_has_a_step(route, superuser):
    with pytest.raises(ValidationError) as refused:
        approval_route_update(route=route.route, actor=superuser, steps=[])
    assert "steps" in refused.value.message_dict


@pytest.mark.parametrize("step", [{"name": "", "group": None}, {"name": "Review"}])
def test_a_step_needs_a_name_and_a_group(route, superuser, step):
    with pytest.raises(ValidationError) as refused:
        approval_route_update(route=route.route, actor=superuser, steps=[step])
    assert "steps" in refused.value.message_dict


def test_a_route_memoranda_went_through_is_kept(deciders, mou, editor, superuser):
    approval_submit(memorandum=mou, actor=editor)

    with pytest.raises(ValidationError):
        approval_route_delete(route=deciders.route, actor=superuser)
    assert ApprovalRoute.objects.exists()


def test_an_unused_route_is_deleted_with_its_steps(route, superuser):
    approval_route_delete(route=route.route, actor=superuser)

    assert not ApprovalRoute.objects.exists()
