"""The unit endpoints run the same number of queries whatever they hold."""

import pytest

from tests.factories import InstitutionFactory, MemorandumFactory, SignedMemorandumFactory
from tests.factories.partners import OrganisationalUnitFactory
from tests.support import api_client

pytestmark = pytest.mark.django_db


def a_tree(rows: int):
    institution = InstitutionFactory()
    parent = None
    for index in range(rows):
        parent = OrganisationalUnitFactory(institution=institution, parent=parent, name=f"U{index}")
    return institution


@pytest.mark.parametrize("rows", [1, 3])
def test_units_list(editor, rows, django_assert_num_queries):
    a_tree(rows)
    # 1 the user's groups (who reads the whole directory), 2 count, 3 page.
    with django_assert_num_queries(3):
        response = api_client(editor).get("/api/v1/organisational-units/")
    assert response.json()["count"] == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_units_list_for_an_anonymous_visitor(rows, django_assert_num_queries):
    institution = a_tree(rows)
    SignedMemorandumFactory(visibility="public", parties=[institution, InstitutionFactory()])
    # 1 count, 2 page: the gate (visible institutions and memoranda, parents' visibility) is
    # subqueries of both.
    with django_assert_num_queries(2):
        response = api_client().get("/api/v1/organisational-units/")
    assert response.json()["count"] == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_an_institutions_unit_tree(editor, rows, django_assert_num_queries):
    institution = a_tree(rows)
    # 1 the user's groups, 2 the institution (through its gate), 3 its aliases (prefetched by
    # the institutions' queryset), 4 its units.
    with django_assert_num_queries(4):
        response = api_client(editor).get(f"/api/v1/institutions/{institution.pk}/units/")
    assert len(response.json()) == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_memoranda_filtered_by_unit(editor, rows, django_assert_num_queries):
    institution = a_tree(rows)
    top = institution.units.get(parent=None)
    for unit in institution.units.all():
        MemorandumFactory(owner_unit=unit)
    # 1 groups, 2 the unit tree (for the descendants), 3 count, 4 page, 5 parties,
    # 6 signatories, 7 areas, 8 SDGs, 9 tags, 10 acknowledgements.
    with django_assert_num_queries(10):
        response = api_client(editor).get("/api/v1/memoranda/", {"unit": top.pk})
    assert response.json()["count"] == rows
