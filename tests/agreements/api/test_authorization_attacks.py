"""The roles under attack: what `test_permission_matrix` checks endpoint by endpoint, tried
the way an intruder would — guessed ids, probing filters and searches, exports, history,
documents, statistics, the calendar feed, the public pages and mass assignment.

The world is the permission matrix's: four signed memoranda (public; internal NU+QI;
confidential NU+VA; confidential KI+SUSTech) and the partner clients of NU and of UC.
"""

import csv
import io
import json

import openpyxl
import pytest
from rest_framework.test import APIClient

from agreements.models import CalendarFeedToken, Memorandum
from tests.agreements.api import test_permission_matrix as matrix
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# The matrix's fixtures, used here as they are.
world = matrix.world
as_role = matrix.as_role

API = matrix.API
ROLES = matrix.ROLES
SEEN = matrix.MEMORANDA_SEEN
OUTSIDERS = ["anonymous", "viewer", "partner_nu", "partner_other"]
NO_SUCH_ID = 987_654


def hidden_from(role):
    return sorted(matrix.ALL_MEMORANDA - SEEN[role])


# --- Guessed ids: a hidden object answers exactly like one that does not exist ------------------

DETAIL_PATHS = [
    "memoranda/{id}/",
    "memoranda/{id}/history/",
    "memoranda/{id}/documents/",
]


@pytest.mark.parametrize("role", OUTSIDERS)
@pytest.mark.parametrize("template", DETAIL_PATHS)
def test_a_hidden_memorandum_is_indistinguishable_from_a_missing_one(
    role, template, world, as_role
):
    client = as_role(role)
    missing = client.get(API + template.format(id=NO_SUCH_ID))

    for key in hidden_from(role):
        hidden = client.get(API + template.format(id=world.memoranda[key].pk))
        assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())
        assert hidden.status_code == 404


@pytest.mark.parametrize("role", OUTSIDERS)
def test_parts_of_hidden_memoranda_are_indistinguishable_from_missing_ones(role, world, as_role):
    client = as_role(role)
    for key in sorted(matrix.ALL_MEMORANDA - matrix.PARTS_SEEN[role]):
        memorandum = world.memoranda[key]
        for path, pk in [
            ("documents/{id}/download/", memorandum.documents.get().pk),
            ("commitments/{id}/", memorandum.commitments.get().pk),
        ]:
            hidden = client.get(API + path.format(id=pk))
            missing = client.get(API + path.format(id=NO_SUCH_ID))
            assert hidden.status_code == missing.status_code == 404
            assert hidden.json() == missing.json()


@pytest.mark.parametrize("role", ["anonymous", "viewer", "partner_nu", "partner_other"])
@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_writes_to_guessed_ids_are_refused_alike_for_hidden_and_missing(
    role, method, world, as_role
):
    client = as_role(role)
    hidden = world.memoranda["confidential"]

    on_hidden = getattr(client, method)(f"{API}memoranda/{hidden.pk}/", {"title": "x"})
    on_missing = getattr(client, method)(f"{API}memoranda/{NO_SUCH_ID}/", {"title": "x"})

    assert on_hidden.status_code == on_missing.status_code
    assert on_hidden.status_code in (401, 403)
    hidden.refresh_from_db()
    assert hidden.title == "Kestrel quantum pact"


def test_history_of_a_readable_memorandum_is_still_refused_to_outsiders(world, as_role):
    public = world.memoranda["public"]
    for role in OUTSIDERS:
        response = as_role(role).get(f"{API}memoranda/{public.pk}/history/")
        assert response.status_code in (401, 403), role


def test_the_history_does_not_leak_the_hidden_memorandum_a_public_one_supersedes(world, as_role):
    public, secret = world.memoranda["public"], world.memoranda["confidential"]
    Memorandum.objects.filter(pk=public.pk).update(supersedes=secret)

    for role in OUTSIDERS:
        client = as_role(role)
        row = client.get(f"{API}memoranda/{public.pk}/").json()
        assert row["supersedes"] is None, role
        listed = client.get(f"{API}memoranda/", {"q": "Trilateral"}).json()["results"]
        assert [item["supersedes"] for item in listed] == [None], role


# --- Filters and search used as an oracle ------------------------------------------------------

PROBES = [
    {"visibility": "confidential"},
    {"visibility": "internal"},
    {"country": "FR"},  # KI, party to the confidential one only
    {"country": "JP"},  # VA, party to NU's confidential one only
    {"party": "KI"},
    {"party": "VA"},
    {"q": "Kestrel"},
    {"q": "Kai"},  # a signatory of the hidden one
    {"q": "Internal note"},  # internal notes are not searchable at all
    {"q": "confidential"},
    {"status": "active", "visibility": "confidential"},
    {"signed_after": "2023-01-01", "signed_before": "2023-12-31"},
    {"expiring_within": "10000"},
    {"ordering": "-updated_at"},
    {"page_size": "500"},
]


def probe_params(world, probe):
    params = dict(probe)
    if "party" in params:
        params["party"] = world.inst[params["party"]].pk
    return params


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("probe", PROBES, ids=lambda probe: json.dumps(probe))
def test_no_filter_or_search_returns_or_counts_a_hidden_memorandum(role, probe, world, as_role):
    client = as_role(role)
    params = probe_params(world, probe)

    response = client.get(f"{API}memoranda/", params)

    assert response.status_code == 200, response.content
    found = matrix.memoranda_listed(world, response)
    assert found <= SEEN[role]
    assert response.json()["count"] == len(found)
    stats = client.get(f"{API}stats/", params)
    if stats.status_code == 200:
        assert stats.json()["total"] <= len(SEEN[role])


@pytest.mark.parametrize("role", OUTSIDERS)
@pytest.mark.parametrize("q", ["Kestrel", "Kai", "confidential"])
def test_a_frequent_word_searched_in_place_finds_nothing_hidden_either(
    role, q, world, as_role, monkeypatch
):
    # A word matching more than FEW_MATCHES rows is tested in place instead of by the ids of
    # its matches (0 sends every word that way): the same visibility bounds both.
    monkeypatch.setattr("agreements.filters.FEW_MATCHES", 0)

    response = as_role(role).get(f"{API}memoranda/", {"q": q})

    found = matrix.memoranda_listed(world, response)
    assert found <= SEEN[role]
    assert response.json()["count"] == len(found)


@pytest.mark.parametrize("role", ROLES)
def test_statistics_count_only_what_the_role_may_read(role, world, as_role):
    stats = as_role(role).get(f"{API}stats/").json()
    countries_seen = {
        world.inst[name].country.code
        for key in SEEN[role]
        for name in matrix.ALL_INSTITUTIONS
        if world.memoranda[key].parties.filter(institution=world.inst[name]).exists()
    }

    assert stats["total"] <= len(SEEN[role])
    assert {row["country"] for row in stats["by_country"]} <= countries_seen


@pytest.mark.parametrize("role", ["anonymous", "partner_other"])
def test_institution_and_people_filters_do_not_reveal_the_hidden_parties(role, world, as_role):
    client = as_role(role)

    for params in [{"q": "Kestrel"}, {"country": "FR"}, {"q": "Vault"}, {"country": "JP"}]:
        response = client.get(f"{API}institutions/", params)
        assert response.json()["count"] == 0, params
    assert client.get(f"{API}people/", {"q": "Kai"}).json()["count"] == 0
    assert client.get(f"{API}people/", {"institution": world.inst["KI"].pk}).json()["count"] in (
        0,
        None,
    )


# --- Exports -----------------------------------------------------------------------------------


def exported_references(response, export_format):
    if export_format == "csv":
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return {row["reference"] for row in csv.DictReader(io.StringIO(text))}
    if export_format == "json":
        content = b"".join(response.streaming_content)
        return {row["reference"] for row in json.loads(content)}
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    column = rows[0].index("reference")
    return {row[column] for row in rows[1:]}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("export_format", ["csv", "xlsx", "json"])
@pytest.mark.parametrize("probe", [{}, {"q": "Kestrel"}, {"visibility": "confidential"}])
def test_exports_hold_only_what_the_role_may_read(role, export_format, probe, world, as_role):
    response = as_role(role).get(f"{API}memoranda/export/", {**probe, "format": export_format})

    assert response.status_code == 200
    allowed = {world.memoranda[key].reference for key in SEEN[role]}
    assert exported_references(response, export_format) <= allowed


@pytest.mark.parametrize("role", ["anonymous", "partner_nu", "partner_other", "viewer"])
def test_exports_never_carry_internal_notes_or_contacts_to_outsiders(role, world, as_role):
    response = as_role(role).get(f"{API}memoranda/export/", {"format": "json"})

    content = b"".join(response.streaming_content).decode()
    assert "Internal note" not in content
    assert "@registry.example.org" not in content


@pytest.mark.parametrize("role", OUTSIDERS)
def test_the_register_as_of_a_past_date_is_refused_to_outsiders(role, world, as_role):
    client = as_role(role)

    assert client.get(f"{API}memoranda/", {"as_of": "2030-01-01"}).status_code in (401, 403)
    assert client.get(
        f"{API}memoranda/export/", {"as_of": "2030-01-01", "format": "csv"}
    ).status_code in (401, 403)


@pytest.mark.parametrize("role", ["anonymous", "viewer", "editor", "partner_nu"])
def test_the_audit_trail_is_refused_to_all_but_auditors_and_admins(role, world, as_role):
    response = as_role(role).get(f"{API}audit/export/", {"format": "json"})

    assert response.status_code in (401, 403)


# --- Calendar feed -----------------------------------------------------------------------------


def feed(client, key):
    return client.get(f"{API}calendar.ics", {"token": key})


def test_the_calendar_feed_of_a_partner_holds_only_its_own_agreements(world, as_role):
    partner = UserFactory(username="feed-partner")
    matrix.PartnerLink.objects.create(user=partner, institution=world.inst["UC"])
    token = CalendarFeedToken.objects.create(user=partner)
    for memorandum in world.memoranda.values():
        Memorandum.objects.filter(pk=memorandum.pk).update(expires_on="2030-06-30")

    body = feed(APIClient(), token.key).content.decode()

    assert "Kestrel" not in body and "Obsidian" not in body and "Internal staff" not in body


def test_a_feed_key_cannot_be_guessed_revoked_or_replaced_by_a_session(world, as_role):
    editor = UserFactory(username="feed-editor", groups=["registry-editor"])
    token = CalendarFeedToken.objects.create(user=editor)
    client = APIClient()

    assert feed(client, "x" * 43).status_code == 404
    assert feed(client, "").status_code == 404
    assert client.get(f"{API}calendar.ics").status_code == 404
    client.force_login(editor)  # a session is ignored: the key is the only credential
    assert client.get(f"{API}calendar.ics").status_code == 404
    token.revoked_at = token.created_at
    token.save()
    assert feed(APIClient(), token.key).status_code == 404


# --- Public pages ------------------------------------------------------------------------------


@pytest.mark.parametrize("signed_in_as", [None, "editor"])
def test_public_pages_show_only_public_memoranda_whoever_asks(signed_in_as, world, client):
    if signed_in_as:
        client.force_login(UserFactory(username="page-editor", groups=["registry-editor"]))

    listing = client.get("/public/", {"q": "Kestrel"}).content.decode()
    assert "Kestrel quantum pact" not in listing
    assert world.memoranda["confidential"].reference not in listing
    everything = client.get("/public/").content.decode()
    assert "Trilateral memorandum on teaching" in everything
    for key in ("internal", "nu_confidential", "confidential"):
        memorandum = world.memoranda[key]
        assert memorandum.title not in everything
        assert client.get(f"/public/{memorandum.reference}/").status_code == 404
    assert (
        "Internal note"
        not in client.get(f"/public/{world.memoranda['public'].reference}/").content.decode()
    )


# --- Mass assignment ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["partner_nu", "partner_other", "viewer", "anonymous"])
def test_a_partner_cannot_assign_version_owner_or_visibility(role, world, as_role):
    client = as_role(role)
    target = world.memoranda["nu_confidential"]
    target.refresh_from_db()
    creator = target.created_by_id

    response = client.patch(
        f"{API}memoranda/{target.pk}/",
        {"version": 1, "created_by": "root", "visibility": "public", "internal_notes": "mine"},
        format="json",
    )

    assert response.status_code in (401, 403)
    target.refresh_from_db()
    assert (target.version, target.visibility, target.created_by_id) == (
        1,
        "confidential",
        creator,
    )
    assert target.internal_notes == "Internal note on the nu_confidential agreement."


def test_an_editor_cannot_set_read_only_fields_either(world, as_role):
    client = as_role("editor")
    intruder = UserFactory(username="someone-else")
    target = world.memoranda["public"]

    response = client.patch(
        f"{API}memoranda/{target.pk}/",
        {
            "version": 1,
            "summary": "Changed.",
            "created_by": intruder.username,
            "updated_by": intruder.username,
            "created_at": "2000-01-01T00:00:00Z",
            "status": "terminated",
            "id": NO_SUCH_ID,
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    target.refresh_from_db()
    assert target.pk == world.memoranda["public"].pk
    assert target.version == 2
    assert target.created_by_id != intruder.pk
    assert target.updated_by.username == "editor-client"
    assert target.created_at.year != 2000
    assert target.status != "terminated"


def test_a_new_memorandum_starts_at_version_1_whatever_is_sent(world, as_role):
    response = as_role("editor").post(
        f"{API}memoranda/",
        {"title": "Fresh", "version": 42, "created_by": "root", "parties": []},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["version"] == 1
    assert response.json()["created_by"] == "editor-client"


def test_a_partner_cannot_upload_a_document(world, as_role):
    response = as_role("partner_nu").post(
        f"{API}memoranda/{world.memoranda['nu_confidential'].pk}/documents/",
        {"title": "Injected", "file": matrix.a_file()},
        format="multipart",
    )

    assert response.status_code == 403
    assert not world.memoranda["nu_confidential"].documents.filter(title="Injected").exists()
