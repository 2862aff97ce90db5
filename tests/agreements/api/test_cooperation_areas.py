"""Cooperation areas written through the API: by administrators, through the services, with
their history; an area still in use is not deleted."""

import pytest

from agreements.models import CooperationArea
from agreements.services import cooperation_area_create
from tests.factories import CommitmentFactory, MemorandumFactory, UserFactory
from tests.support import api_client

pytestmark = pytest.mark.django_db

LIST = "/api/v1/cooperation-areas/"


def detail(area) -> str:
    return f"{LIST}{area.pk}/"


@pytest.fixture
def admin_user():
    return UserFactory(username="registrar", groups=["registry-admin"])


@pytest.fixture
def api(admin_user):
    return api_client(admin_user)


@pytest.fixture
def space():
    return cooperation_area_create(actor=None, code="space", name="Space research")


def stored(area) -> dict:
    return {
        "code": area.code,
        "name": area.name,
        "description": area.description,
        "parent": area.parent_id,
    }


def test_an_admin_creates_changes_and_deletes_an_area_each_with_one_history_entry(api, admin_user):
    response = api.post(LIST, {"code": "space", "name": "Space", "parent": "research"})
    assert response.status_code == 201, response.json()
    area = CooperationArea.objects.get(code="space")
    assert area.parent.code == "research"

    assert api.patch(detail(area), {"name": "Space research"}).status_code == 200
    assert api.delete(detail(area)).status_code == 204

    assert not CooperationArea.objects.filter(code="space").exists()
    history = CooperationArea.history.filter(id=area.pk).order_by("history_id")
    assert [(h.history_type, h.name, h.history_user) for h in history] == [
        ("+", "Space", admin_user),
        ("~", "Space research", admin_user),
        ("-", "Space research", admin_user),
    ]


def test_the_api_leaves_the_same_row_and_history_as_the_service(api):
    api.post(
        LIST, {"code": "space", "name": "Space", "description": "Orbits.", "parent": "research"}
    )
    by_service = cooperation_area_create(
        actor=None,
        code="oceans",
        name="Space",
        description="Orbits.",
        parent=CooperationArea.objects.get(code="research"),
    )
    by_api = CooperationArea.objects.get(code="space")

    assert stored(by_api) | {"code": None} == stored(by_service) | {"code": None}
    assert by_api.history.count() == by_service.history.count() == 1


@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_editors_may_not_write_areas(editor, space, method):
    url = LIST if method == "post" else detail(space)
    body = None if method == "delete" else {"code": "oceans", "name": "Oceans"}

    response = getattr(api_client(editor), method)(url, body)

    assert response.status_code == 403
    space.refresh_from_db()
    assert (space.code, space.name) == ("space", "Space research")
    assert not CooperationArea.objects.filter(code="oceans").exists()
    assert space.history.count() == 1


@pytest.mark.parametrize("code", ["research", "Space Research!"])
def test_a_code_taken_or_not_a_slug_is_refused_on_code(api, code):
    before = CooperationArea.objects.count()

    response = api.post(LIST, {"code": code, "name": "Space"})

    assert response.status_code == 400
    assert "code" in response.json()
    assert CooperationArea.objects.count() == before


def test_an_area_cannot_be_its_own_parent_nor_under_its_own_sub_area(api, space):
    orbits = cooperation_area_create(actor=None, code="orbits", name="Orbits", parent=space)

    for parent in ["space", "orbits"]:
        response = api.patch(detail(space), {"parent": parent})

        assert response.status_code == 400
        assert "own parent" in response.json()["parent"][0]
    space.refresh_from_db()
    assert space.parent is None
    assert space.history.count() == 1
    assert orbits.parent == space


def test_an_area_used_by_a_memorandum_is_not_deleted(api, space):
    memorandum = MemorandumFactory()
    memorandum.cooperation_areas.add(space)

    response = api.delete(detail(space))

    assert response.status_code == 409
    assert response.json()["detail"] == (
        "The cooperation area “Space research” is used by 1 memorandum: remove it from them first."
    )
    assert list(memorandum.cooperation_areas.all()) == [space]
    assert space.history.count() == 1


def test_an_area_used_by_commitments_and_sub_areas_is_not_deleted(api, space):
    CommitmentFactory.create_batch(2, area=space)
    cooperation_area_create(actor=None, code="orbits", name="Orbits", parent=space)

    response = api.delete(detail(space))

    assert response.status_code == 409
    assert "used by 2 commitments, 1 sub-area" in response.json()["detail"]
    assert CooperationArea.objects.filter(pk=space.pk).exists()
