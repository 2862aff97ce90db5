"""Every endpoint's main refusal is a 400 on the field the client sent, where the client sent it:
a row of a nested list answers on that row, a single commitment on its own field."""

import pytest
from rest_framework.test import APIClient

from partners.models import PartnerLink
from tests.factories import (
    CommitmentFactory,
    InstitutionFactory,
    PersonFactory,
    SignedMemorandumFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/"
NOT_A_SIGNING_PARTY = "OC is not a party of this memorandum, so no one can sign for it."
NOT_A_RESPONSIBLE_PARTY = (
    "{} is not a party of this memorandum, so it cannot be responsible for a commitment."
)


@pytest.fixture
def world():
    nu = InstitutionFactory(name="Nazarbayev University", short_name="NU", country="KZ")
    sustech = InstitutionFactory(name="SUSTech", short_name="SUSTech", country="CN")
    outsider = InstitutionFactory(name="Outsider College", short_name="OC", country="US")
    katsu = PersonFactory(full_name="Shigeo Katsu", honorific="Prof.", institution=nu)
    lu = PersonFactory(full_name="Lu Chun", honorific="", institution=sustech)
    stranger = PersonFactory(full_name="Olga Outsider", institution=outsider)
    memorandum = SignedMemorandumFactory(parties=[nu, sustech])
    other = SignedMemorandumFactory(parties=[sustech, outsider])
    return {
        "nu": nu,
        "sustech": sustech,
        "outsider": outsider,
        "katsu": katsu,
        "lu": lu,
        "stranger": stranger,
        "memorandum": memorandum,
        "other": other,
        "commitment": CommitmentFactory(memorandum=memorandum, responsible_institution=nu),
    }


def client_in(group=None, *, partner_of=None):
    user = UserFactory(groups=[group] if group else None)
    if partner_of is not None:
        PartnerLink.objects.create(user=user, institution=partner_of)
    client = APIClient()
    client.force_authenticate(user)
    return client


def signed_memorandum(w, **changes):
    return {
        "title": "Trilateral memorandum",
        "kind": "mou",
        "stage": "signed",
        "signed_on": "2023-05-29",
        "parties": [{"institution": w["nu"].pk}, {"institution": w["sustech"].pk}],
        "signatories": [{"person": w["katsu"].pk, "institution": w["nu"].pk}],
        **changes,
    }


def test_a_signatory_of_a_non_party_is_refused_on_its_row(world):
    w = world
    signatories = [
        {"person": w["katsu"].pk, "institution": w["nu"].pk},
        {"person": w["stranger"].pk, "institution": w["outsider"].pk},
    ]

    response = client_in("registry-editor").post(
        f"{API}memoranda/", signed_memorandum(w, signatories=signatories), format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"signatories": [{}, {"institution": [NOT_A_SIGNING_PARTY]}]}


def test_a_person_signing_twice_is_refused_on_the_second_row(world):
    w = world
    katsu = {"person": w["katsu"].pk, "institution": w["nu"].pk}

    response = client_in("registry-editor").post(
        f"{API}memoranda/", signed_memorandum(w, signatories=[katsu, katsu]), format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "signatories": [
            {},
            {"person": ["Each person signs once; listed more than once: Prof. Shigeo Katsu."]},
        ]
    }


def test_a_changed_signatory_list_is_refused_on_the_row_sent(world):
    w = world
    signatories = [
        {"person": w["stranger"].pk, "institution": w["outsider"].pk},
        {"person": w["lu"].pk, "institution": w["sustech"].pk},
    ]

    response = client_in("registry-editor").patch(
        f"{API}memoranda/{w['memorandum'].pk}/",
        {"version": w["memorandum"].version, "signatories": signatories},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"signatories": [{"institution": [NOT_A_SIGNING_PARTY]}]}
    assert not w["memorandum"].signatories.exists()


def test_a_commitment_moved_to_a_memorandum_its_institution_is_not_party_to_names_the_field(world):
    w = world

    response = client_in("registry-editor").patch(
        f"{API}commitments/{w['commitment'].pk}/", {"memorandum": w["other"].pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"responsible_institution": [NOT_A_RESPONSIBLE_PARTY.format("NU")]}


@pytest.mark.parametrize(
    ("who", "method", "path", "body", "field"),
    [
        ("registry-editor", "post", "commitments/",
         lambda w: {"memorandum": w["memorandum"].pk, "title": "Visit",
                    "responsible_institution": w["outsider"].pk},
         "responsible_institution"),
        ("registry-editor", "post", "commitments/",
         lambda w: {"memorandum": w["memorandum"].pk, "title": "Visit",
                    "completed_on": "2023-06-01"},
         "completed_on"),
        ("registry-editor", "post", "memoranda/",
         lambda w: signed_memorandum(w, parties=[{"institution": w["nu"].pk}], signatories=[]),
         "parties"),
        ("registry-editor", "post", "memoranda/",
         lambda w: signed_memorandum(w, expires_on="2020-01-01"), "expires_on"),
        ("registry-editor", "post", "institutions/",
         lambda w: {"name": "nazarbayev university", "country": "KZ"}, "name"),
        ("registry-editor", "patch", lambda w: f"institutions/{w['nu'].pk}/",
         lambda w: {"parent": w["nu"].pk}, "parent"),
        ("registry-editor", "post", "people/",
         lambda w: {"full_name": "Nobody", "institution": 999999}, "institution"),
        ("registry-editor", "post", lambda w: f"memoranda/{w['memorandum'].pk}/documents/",
         lambda w: {"title": "Annex", "kind": "annex"}, "file"),
        ("partner", "post", lambda w: f"memoranda/{w['memorandum'].pk}/acknowledge/",
         lambda w: {"fingerprint": "not a fingerprint"}, "fingerprint"),
        ("registry-editor", "post", "memoranda/intake/", lambda w: {"text": " "}, "text"),
        ("registry-admin", "post", "cooperation-areas/",
         lambda w: {"code": "research", "name": "Research again"}, "code"),
        ("registry-editor", "get", "memoranda/export/", lambda w: {"format": "pdf"}, "format"),
        ("registry-editor", "get", "memoranda/", lambda w: {"as_of": "yesterday"}, "as_of"),
        ("registry-editor", "get", "memoranda/", lambda w: {"signed_after": "May"},
         "signed_after"),
        ("registry-editor", "get", "institutions/", lambda w: {"page_size": "0"}, "page_size"),
        ("registry-editor", "get", "people/", lambda w: {"institution": "NU"}, "institution"),
        ("registry-editor", "get", "commitments/", lambda w: {"due_after": "soon"}, "due_after"),
        ("registry-editor", "get", "stats/", lambda w: {"expires_before": "later"},
         "expires_before"),
        ("registry-auditor", "get", "audit/export/",
         lambda w: {"since": "2024-02-01", "until": "2024-01-01"}, "until"),
    ],
)  # fmt: skip
def test_each_endpoints_main_refusal_names_the_field_sent(world, who, method, path, body, field):
    client = client_in(partner_of=world["nu"]) if who == "partner" else client_in(who)
    path = path(world) if callable(path) else path
    send = getattr(client, method)

    if method == "get":
        response = send(f"{API}{path}", body(world))
    else:
        response = send(
            f"{API}{path}", body(world), format="multipart" if "documents" in path else "json"
        )

    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
