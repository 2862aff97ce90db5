"""Cooperation areas in the admin: saved and deleted through the services, refusals shown."""

import pytest
from django.urls import reverse

from agreements.models import CooperationArea, SustainableDevelopmentGoal
from agreements.services import cooperation_area_create
from tests.factories import CommitmentFactory, MemorandumFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:agreements_cooperationarea_add")
CHANGELIST = reverse("admin:agreements_cooperationarea_changelist")


def change_url(area):
    return reverse("admin:agreements_cooperationarea_change", args=[area.pk])


def delete_url(area):
    return reverse("admin:agreements_cooperationarea_delete", args=[area.pk])


@pytest.fixture
def registrar():
    return UserFactory(username="registrar", is_staff=True, groups=["registry-admin"])


@pytest.fixture
def admin_client(client, registrar):
    client.force_login(registrar)
    return client


@pytest.fixture
def space():
    return cooperation_area_create(actor=None, code="space", name="Space research")


def area_post(**fields):
    return {"code": "space", "name": "Space", "description": "", "parent": "", **fields}


def test_adding_an_area_leaves_what_the_service_leaves(admin_client, registrar):
    research = CooperationArea.objects.get(code="research")

    response = admin_client.post(ADD, area_post(parent=research.pk, description="Orbits."))

    assert response.status_code == 302
    by_admin = CooperationArea.objects.get(code="space")
    by_service = cooperation_area_create(
        actor=registrar, code="oceans", name="Space", description="Orbits.", parent=research
    )
    fields = ["name", "description", "parent_id"]
    assert [getattr(by_admin, f) for f in fields] == [getattr(by_service, f) for f in fields]
    [entry] = by_admin.history.all()
    assert (entry.history_type, entry.history_user) == ("+", registrar)
    assert by_service.history.count() == 1


def test_a_parent_that_makes_a_cycle_is_a_form_error_and_nothing_changes(admin_client, space):
    orbits = cooperation_area_create(actor=None, code="orbits", name="Orbits", parent=space)

    response = admin_client.post(
        change_url(space), area_post(name="Space research", parent=orbits.pk)
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"] == [
        "An area cannot be its own parent, nor the parent of its parents."
    ]
    space.refresh_from_db()
    assert space.parent is None
    assert space.history.count() == 1


def test_an_unused_area_is_deleted_with_one_history_entry(admin_client, registrar, space):
    response = admin_client.post(delete_url(space), {"post": "yes"})

    assert response.status_code == 302
    assert not CooperationArea.objects.filter(pk=space.pk).exists()
    assert [(h.history_type, h.history_user) for h in space.history.all()] == [
        ("-", registrar),
        ("+", None),
    ]


def test_an_area_used_by_a_memorandum_is_not_deleted_and_the_page_says_why(admin_client, space):
    memorandum = MemorandumFactory()
    memorandum.cooperation_areas.add(space)

    response = admin_client.post(delete_url(space), {"post": "yes"}, follow=True)

    assert response.redirect_chain[-1][0] == change_url(space)
    assert "is used by 1 memorandum" in response.content.decode()
    assert list(memorandum.cooperation_areas.all()) == [space]
    assert space.history.count() == 1


def test_an_area_of_a_commitment_is_refused_by_the_delete_page(admin_client, space):
    CommitmentFactory(area=space)

    response = admin_client.post(delete_url(space), {"post": "yes"})

    assert response.status_code == 200
    assert "protected" in response.content.decode()
    assert CooperationArea.objects.filter(pk=space.pk).exists()


def test_there_is_no_bulk_delete(admin_client):
    response = admin_client.get(CHANGELIST)

    assert "delete_selected" not in response.content.decode()


def test_reverting_to_an_earlier_version_goes_through_the_service(admin_client, registrar, space):
    first = space.history.get()
    admin_client.post(change_url(space), area_post(name="Outer space"))

    url = reverse(
        "admin:agreements_cooperationarea_simple_history", args=[space.pk, first.history_id]
    )
    response = admin_client.post(url, area_post(name="Space research"))

    assert response.status_code == 302
    space.refresh_from_db()
    assert space.name == "Space research"
    assert [(h.name, h.history_user) for h in space.history.order_by("history_id")] == [
        ("Space research", None),
        ("Outer space", registrar),
        ("Space research", registrar),
    ]


def test_the_sustainable_development_goals_are_read_only(admin_client):
    goal = SustainableDevelopmentGoal.objects.get(number=4)
    url = reverse("admin:agreements_sustainabledevelopmentgoal_change", args=[4])

    admin_client.post(url, {"number": 4, "name": "Something else"})

    goal.refresh_from_db()
    assert goal.name != "Something else"
    assert admin_client.get(url).status_code == 200
