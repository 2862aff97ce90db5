"""A route for MoUs (unit head, then legal review), its deciders, and an MoU in negotiation."""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from agreements.approvals.services import approval_route_create
from agreements.services import memorandum_create
from tests.factories import InstitutionFactory, UserFactory


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def route(db, superuser):
    unit_heads = Group.objects.create(name="Unit heads")
    legal = Group.objects.create(name="Legal office")
    route = approval_route_create(
        name="MoU sign-off",
        kind="mou",
        steps=[
            {"name": "Unit head", "group": unit_heads},
            {"name": "Legal review", "group": legal},
        ],
        actor=superuser,
    )
    return SimpleNamespace(
        route=route,
        steps=list(route.steps.all()),
        unit_head=UserFactory(username="head", groups=["registry-viewer"]),
        lawyer=UserFactory(username="lawyer", groups=["registry-viewer"]),
        unit_heads=unit_heads,
        legal=legal,
    )


@pytest.fixture
def deciders(route):
    route.unit_head.groups.add(route.unit_heads)
    route.lawyer.groups.add(route.legal)
    return route


@pytest.fixture
def parties(db):
    return [
        {"institution": InstitutionFactory(name="Nazarbayev University", country="KZ")},
        {"institution": InstitutionFactory(name="SUSTech", country="CN")},
    ]


@pytest.fixture
def mou(parties, editor):
    return memorandum_create(
        actor=editor,
        title="Research cooperation",
        kind="mou",
        stage="negotiation",
        visibility="internal",
        expires_on=datetime.date(2030, 1, 1),
        parties=parties,
    )
