"""Fixtures shared by the tests of agreements' packages."""

import datetime
from types import SimpleNamespace

import pytest

from agreements.models import CooperationArea
from tests.factories import InstitutionFactory, MemorandumFactory, SignedMemorandumFactory
from tests.support import days, five_institutions


@pytest.fixture
def nu(db):
    return InstitutionFactory(name="Nazarbayev University", short_name="NU", country="KZ")


@pytest.fixture
def sustech(db):
    return InstitutionFactory(
        name="Southern University of Science and Technology", short_name="SUSTech", country="CN"
    )


@pytest.fixture
def register(db):
    """Five memoranda among five institutions:

    | memorandum     | visibility   | parties          | signed     | status  | expires   | areas              |
    |----------------|--------------|------------------|------------|---------|-----------|--------------------|
    | public_active  | public       | NU (KZ), SUSTech (CN) | 2023-05-29 | active | in 30 d | research, teaching |
    | public_expired | public       | NU (KZ), TUM (DE) | 2019-01-10 | expired | 2021-01-09 | teaching          |
    | internal       | internal     | NU (KZ), ICHEI (CN) | 2023-09-01 | active | in 120 d | research          |
    | confidential   | confidential | SUSTech (CN), Sorbonne (FR) | 2022-03-01 | active | never | joint-bidding |
    | draft          | internal     | none             | —          | draft   | —         | —                  |
    """  # noqa: E501
    date = datetime.date
    institutions = five_institutions()
    area = {area.code: area for area in CooperationArea.objects.all()}
    # key: title, parties
    titles = {
        "public_active": ("Trilateral memorandum on online education", ["nu", "sustech"]),
        "public_expired": ("Student exchange with Munich", ["nu", "tum"]),
        "internal": ("Research centre framework", ["nu", "ichei"]),
        "confidential": ("Joint bid for the Paris consultancy", ["sustech", "sorbonne"]),
    }
    # key: visibility, signed on, expires on, areas
    terms = {
        "public_active": ("public", date(2023, 5, 29), days(30), ["research", "teaching"]),
        "public_expired": ("public", date(2019, 1, 10), date(2021, 1, 9), ["teaching"]),
        "internal": ("internal", date(2023, 9, 1), days(120), ["research"]),
        "confidential": ("confidential", date(2022, 3, 1), None, ["joint-bidding"]),
    }
    memoranda = {}
    for key, (title, parties) in titles.items():
        visibility, signed_on, expires_on, areas = terms[key]
        memoranda[key] = SignedMemorandumFactory(
            title=title,
            parties=[institutions[party] for party in parties],
            visibility=visibility,
            signed_on=signed_on,
            expires_on=expires_on,
        )
        memoranda[key].cooperation_areas.set([area[code] for code in areas])
    memoranda["draft"] = MemorandumFactory(title="Draft with Almaty", visibility="internal")
    return SimpleNamespace(**institutions, **memoranda)
