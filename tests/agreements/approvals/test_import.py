"""Signing by import follows the routes as the API does."""

import pytest

from agreements.models import Memorandum
from tests.agreements.importing.support import import_csv, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(nu, sustech):
    return nu, sustech


def test_a_signed_row_of_a_kind_with_a_route_is_refused_on_stage(known, route, editor):
    report = import_csv(
        row(),
        row(reference="MOU-2023-0002", title="Exchange", kind="exchange"),
        actor=editor,
    )

    assert [(p.line, p.column) for p in report.problems] == [(2, "stage")]
    assert "submit it for approval first" in report.problems[0].message
    assert not Memorandum.objects.exists()
    assert report.created == ["MOU-2023-0002"]


def test_signed_rows_import_as_before_where_no_route_applies(known, editor):
    report = import_csv(row(), actor=editor)

    assert report.ok
    assert Memorandum.objects.get().stage == "signed"
