"""Every list runs the same number of queries whatever its page holds (pretalx style: 1 vs 3+)."""

import json

import pytest

from agreements.services import memorandum_update
from tests.factories.agreements import (
    CommitmentFactory,
    DocumentFactory,
    SignatoryFactory,
    SignedMemorandumFactory,
)
from tests.factories.partners import InstitutionFactory, PersonFactory
from tests.factories.users import UserFactory
from tests.support import api_client, partner_of

pytestmark = pytest.mark.django_db


def fully_loaded_memoranda(count: int) -> None:
    for _ in range(count):
        memorandum = SignedMemorandumFactory()
        memorandum.tags.add("exchange")
        for party in memorandum.parties.all():
            SignatoryFactory(party=party)
        memorandum.cooperation_areas.set([1, 2])
        memorandum.sdgs.set([4, 17])


@pytest.mark.parametrize(("rows", "page_size"), [(5, 5), (30, 200)])
def test_memoranda_list(api, rows, page_size, django_assert_num_queries):
    fully_loaded_memoranda(rows)

    # 1 the user's groups (visibility), 2 count, 3 page with status, creator and editor (and
    # the stored fingerprint), 4 parties with institutions, 5 signatories with people and
    # institutions, 6 cooperation areas, 7 SDGs, 8 tags, 9 acknowledgements.
    # Nothing more for the fingerprint: it is read, not computed.
    with django_assert_num_queries(9):
        response = api.get("/api/v1/memoranda/", {"page_size": page_size})

    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_memoranda_list_for_a_partner_client(rows, django_assert_num_queries):
    nu = InstitutionFactory()
    client = api_client(partner_of(nu))
    for _ in range(rows):
        SignedMemorandumFactory(parties=[nu, InstitutionFactory()], visibility="confidential")

    # 1 groups, 2 partner link, 3 count, 4 page, 5 parties, 6 signatories, 7 areas, 8 SDGs,
    # 9 tags, 10 acknowledgements
    with django_assert_num_queries(10):
        response = client.get("/api/v1/memoranda/")

    assert response.json()["count"] == rows


def institutions_with_an_alias(rows: int) -> None:
    for institution in InstitutionFactory.create_batch(rows):
        institution.aliases.create(name=f"Alias of {institution.name}")


def commitments_in_an_area(rows: int) -> None:
    CommitmentFactory.create_batch(rows, area_id=1)


# (the list, what makes its rows, the queries it runs)
LISTS = [
    ("institutions", institutions_with_an_alias, 4),  # 1 groups, 2 count, 3 page, 4 aliases
    ("people", PersonFactory.create_batch, 3),  # 1 groups, 2 count, 3 page
    ("commitments", commitments_in_an_area, 3),  # 1 groups, 2 count, 3 page with areas
]


@pytest.mark.parametrize("rows", [1, 3])
@pytest.mark.parametrize(("path", "make", "queries"), LISTS, ids=[case[0] for case in LISTS])
def test_a_directory_or_commitment_list_runs_as_many_queries_for_one_row_as_for_three(
    api, path, make, queries, rows, django_assert_num_queries
):
    make(rows)

    with django_assert_num_queries(queries):
        response = api.get(f"/api/v1/{path}/")

    assert response.json()["count"] == rows


def test_cooperation_areas_list(api, django_assert_num_queries):
    # 1 data version, 2 count (remembered for that version), 3 page with parents (areas are
    # public: no visibility query). Tests that write first read around the cache: one less.
    with django_assert_num_queries(3):
        response = api.get("/api/v1/cooperation-areas/")

    assert response.json()["count"] == 10


@pytest.mark.parametrize("edits", [1, 3])
def test_memorandum_history(api, edits, django_assert_num_queries):
    memorandum = SignedMemorandumFactory()
    memorandum.sdgs.set([4])
    # Another account edits: the services read their actor's groups (the unit editor's limit),
    # which would leave them cached on the very user object the client reads as.
    actor = UserFactory(groups=["registry-editor"])
    for number in range(edits):
        memorandum = memorandum_update(
            memorandum=memorandum, actor=actor, title=f"Edit {number}", sdgs=[4, 17][: number + 1]
        )

    # 1 groups, 2 the memorandum (visible?); its history: 3 its records with their users,
    # 4 the records before them, 5 the SDGs recorded, 6 their numbers, 7 the areas recorded
    # (none: no codes to look up); 8 the parties' records, 9 signatories', 10 commitments',
    # 11 documents', 12 acknowledgements', 13 approval decisions'
    with django_assert_num_queries(13):
        response = api.get(f"/api/v1/memoranda/{memorandum.pk}/history/")

    titles = [
        e["changes"]["title"][1] for e in response.json()["results"] if "title" in e["changes"]
    ]
    assert titles[:edits] == [f"Edit {number}" for number in reversed(range(edits))]


@pytest.mark.parametrize("rows", [1, 3])
def test_audit_export(rows, django_assert_num_queries):
    fully_loaded_memoranda(rows)
    client = api_client(UserFactory(groups=["registry-auditor"]))

    # 1 groups; the records of 2 institutions, 3 aliases, 4 people, 5 partner links,
    # 6 cooperation areas, 7 memoranda, 8 the memoranda's earlier records, 9 the SDGs recorded,
    # 10 their numbers, 11 the areas recorded, 12 their codes; then 13 parties',
    # 14 signatories', 15 commitments', 16 documents', 17 acknowledgements', 18 approval
    # routes', 19 their steps', 20 approvals' and 21 approval decisions' records
    with django_assert_num_queries(21):
        response = client.get("/api/v1/audit/export/", {"format": "json"})
        records = json.loads(b"".join(response.streaming_content))

    assert (
        len({record["object_id"] for record in records if record["model"] == "memorandum"}) == rows
    )


@pytest.mark.parametrize("rows", [1, 3])
def test_memorandum_documents(api, editor, rows, django_assert_num_queries, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    memorandum = SignedMemorandumFactory()
    DocumentFactory.create_batch(rows, memorandum=memorandum, uploaded_by=editor)

    # 1 groups, 2 the memorandum (visible?), 3 its documents with who uploaded them
    with django_assert_num_queries(3):
        response = api.get(f"/api/v1/memoranda/{memorandum.pk}/documents/")

    assert len(response.json()) == rows
