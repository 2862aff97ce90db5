"""A unit's route governs the memoranda of that unit and the units under it; the others follow
the route of their kind."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from agreements.approvals.selectors import route_for
from agreements.approvals.services import approval_approve, approval_route_create, approval_submit
from agreements.services import memorandum_create, memorandum_update
from partners.services import organisational_unit_create
from tests.factories import UserFactory


@pytest.fixture
def engineering(route, parties, superuser):
    nu = parties[0]["institution"]
    school = organisational_unit_create(
        institution=nu, name="School of Engineering", kind="school", actor=superuser
    )
    department = organisational_unit_create(
        institution=nu, name="Department of Robotics", kind="department", parent=school,
        actor=superuser,
    )  # fmt: skip
    deans = Group.objects.create(name="Engineering deans")
    dean = UserFactory(username="dean", groups=["registry-viewer"])
    dean.groups.add(deans)
    unit_route = approval_route_create(
        name="Engineering MoU sign-off",
        kind="mou",
        owner_unit=school,
        steps=[{"name": "Dean", "group": deans}],
        actor=superuser,
    )
    library = organisational_unit_create(
        institution=nu, name="Library", kind="office", actor=superuser
    )
    return school, department, library, unit_route, dean


def mou_owned_by(unit, parties, editor):
    return memorandum_create(
        actor=editor,
        title=f"Cooperation of the {unit.name}",
        kind="mou",
        stage="negotiation",
        visibility="internal",
        owner_unit=unit,
        expires_on=datetime.date(2030, 1, 1),
        parties=parties,
    )


def test_the_nearest_units_route_governs_and_the_others_follow_the_kinds(
    route, engineering, parties, editor
):
    school, department, library, unit_route, _ = engineering

    assert route_for(mou_owned_by(school, parties, editor)) == unit_route
    assert route_for(mou_owned_by(department, parties, editor)) == unit_route
    assert route_for(mou_owned_by(library, parties, editor)) == route.route


def test_a_departments_memorandum_waits_for_the_dean_and_is_signed_after(
    route, engineering, parties, editor
):
    _, department, _, unit_route, dean = engineering
    memorandum = mou_owned_by(department, parties, editor)

    approval = approval_submit(memorandum=memorandum, actor=editor)
    assert (approval.route, approval.current_step.name) == (unit_route, "Dean")
    with pytest.raises(ValidationError) as refused:
        memorandum_update(
            memorandum=memorandum, actor=editor, stage="signed", signed_on=datetime.date.today()
        )
    assert "stage" in refused.value.message_dict

    approval_approve(memorandum=memorandum, actor=dean)
    signed = memorandum_update(
        memorandum=memorandum, actor=editor, stage="signed", signed_on=datetime.date.today()
    )
    assert signed.stage == "signed"


def test_a_unit_has_one_route_per_kind(route, engineering, superuser):
    school, *_ = engineering

    with pytest.raises(ValidationError) as refused:
        approval_route_create(
            name="Another", kind="mou", owner_unit=school, steps=[], actor=superuser
        )
    assert refused.value.messages == ["This unit already has a route for this kind."]
