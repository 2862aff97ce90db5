"""Fixtures shared by the tests of agreements' packages."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from agreements.models import CooperationArea, Memorandum
from tests.factories import InstitutionFactory, MemorandumFactory, SignedMemorandumFactory


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


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
    nu = InstitutionFactory(name="Nazarbayev University", short_name="NU", country="KZ")
    sustech = InstitutionFactory(name="SUSTech", short_name="SUSTech", country="CN")
    ichei = InstitutionFactory(name="UNESCO-ICHEI", short_name="ICHEI", country="CN")
    tum = InstitutionFactory(name="Technical University of Munich", short_name="TUM", country="DE")
    sorbonne = InstitutionFactory(name="Sorbonne Université", short_name="SU", country="FR")
    area = {area.code: area for area in CooperationArea.objects.all()}

    public_active = SignedMemorandumFactory(
        title="Trilateral memorandum on online education",
        parties=[nu, sustech],
        visibility=Memorandum.Visibility.PUBLIC,
        signed_on=datetime.date(2023, 5, 29),
        expires_on=days(30),
    )
    public_active.cooperation_areas.set([area["research"], area["teaching"]])
    public_expired = SignedMemorandumFactory(
        title="Student exchange with Munich",
        parties=[nu, tum],
        visibility=Memorandum.Visibility.PUBLIC,
        signed_on=datetime.date(2019, 1, 10),
        expires_on=datetime.date(2021, 1, 9),
    )
    public_expired.cooperation_areas.set([area["teaching"]])
    internal = SignedMemorandumFactory(
        title="Research centre framework",
        parties=[nu, ichei],
        visibility=Memorandum.Visibility.INTERNAL,
        signed_on=datetime.date(2023, 9, 1),
        expires_on=days(120),
    )
    internal.cooperation_areas.set([area["research"]])
    confidential = SignedMemorandumFactory(
        title="Joint bid for the Paris consultancy",
        parties=[sustech, sorbonne],
        visibility=Memorandum.Visibility.CONFIDENTIAL,
        signed_on=datetime.date(2022, 3, 1),
    )
    confidential.cooperation_areas.set([area["joint-bidding"]])
    draft = MemorandumFactory(title="Draft with Almaty", visibility=Memorandum.Visibility.INTERNAL)

    return SimpleNamespace(
        nu=nu,
        sustech=sustech,
        ichei=ichei,
        tum=tum,
        sorbonne=sorbonne,
        public_active=public_active,
        public_expired=public_expired,
        internal=internal,
        confidential=confidential,
        draft=draft,
    )
