import datetime

import pytest
from rest_framework.test import APIClient

from agreements.services import memorandum_create
from partners.models import PartnerLink
from tests.factories import InstitutionFactory, UserFactory


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def nu(db):
    return InstitutionFactory(
        name="Nazarbayev University", short_name="NU", country="KZ", ror_id="052bx8q98"
    )


@pytest.fixture
def sustech(db):
    return InstitutionFactory(
        name="Southern University of Science and Technology",
        short_name="SUSTech",
        country="CN",
        ror_id="049tv2d57",
    )


@pytest.fixture
def outsider(db):
    return InstitutionFactory(name="Unrelated College", short_name="UC", country="GB")


def partner_of(institution, username):
    user = UserFactory(username=username)
    PartnerLink.objects.create(user=user, institution=institution)
    return user


@pytest.fixture
def partner_nu(nu):
    return partner_of(nu, "partner-nu")


@pytest.fixture
def partner_sustech(sustech):
    return partner_of(sustech, "partner-sustech")


@pytest.fixture
def partner_other(outsider):
    return partner_of(outsider, "partner-other")


def signed_memorandum(actor, parties, **fields):
    arguments = {
        "title": "Trilateral memorandum",
        "stage": "signed",
        "signed_on": datetime.date(2023, 5, 29),
        "visibility": "public",
        "parties": [{"institution": institution} for institution in parties],
        "sdgs": [4],
        **fields,
    }
    return memorandum_create(actor=actor, **arguments)


@pytest.fixture
def memorandum(editor, nu, sustech):
    return signed_memorandum(editor, [nu, sustech])
