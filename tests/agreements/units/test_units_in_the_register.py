"""Our units own memoranda, a partner's unit may be a party, and both show wherever the
register does: the API (nested and filterable), exports, imports, search and statistics."""

import csv
import io
import json

import pytest

from agreements.columns import COLUMNS
from agreements.models import Memorandum
from agreements.services import memorandum_update
from tests.agreements.importing.support import import_csv, row
from tests.agreements.stats.support import get_stats
from tests.factories import MemorandumFactory, PartyFactory
from tests.factories.partners import OrganisationalUnitFactory
from tests.support import api_client

pytestmark = pytest.mark.django_db

LIST = "/api/v1/memoranda/"
UNITS = "/api/v1/organisational-units/"


@pytest.fixture
def faculties(nu):
    seds = OrganisationalUnitFactory(
        institution=nu, name="School of Engineering and Digital Sciences", short_name="SEDS"
    )
    cs = OrganisationalUnitFactory(
        institution=nu, parent=seds, name="Department of Computer Science", short_name="CS"
    )
    gse = OrganisationalUnitFactory(institution=nu, name="Graduate School of Education")
    return seds, cs, gse


def test_the_unit_filter_includes_the_units_under_it(superuser, faculties):
    seds, cs, gse = faculties
    by_seds = MemorandumFactory(owner_unit=seds)
    by_cs = MemorandumFactory(owner_unit=cs)
    by_gse = MemorandumFactory(owner_unit=gse)
    client = api_client(superuser)

    listed = client.get(LIST, {"unit": seds.pk}).json()["results"]
    exported = client.get(f"{LIST}export/", {"format": "json", "unit": seds.pk})

    assert {row["id"] for row in listed} == {by_seds.pk, by_cs.pk}
    assert {row["reference"] for row in _json(exported)} == {by_seds.reference, by_cs.reference}
    assert [row["id"] for row in client.get(LIST, {"unit": cs.pk}).json()["results"]] == [by_cs.pk]
    assert by_gse.pk not in {row["id"] for row in listed}


def test_a_memorandum_reads_and_writes_its_owner_and_party_units(editor, nu, sustech, faculties):
    seds = faculties[0]
    sustech_cs = OrganisationalUnitFactory(institution=sustech, name="Computer Science")
    client = api_client(editor)

    response = client.post(
        LIST,
        {
            "title": "Exchange of engineering students",
            "owner_unit": seds.pk,
            "parties": [
                {"institution": nu.pk, "unit": seds.pk},
                {"institution": sustech.pk, "unit": sustech_cs.pk},
            ],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["owner_unit"], body["owner_unit_name"]) == (seds.pk, seds.name)
    assert [(p["unit"], p["unit_name"]) for p in body["parties"]] == [
        (seds.pk, seds.name),
        (sustech_cs.pk, "Computer Science"),
    ]
    assert client.get(f"{LIST}{body['id']}/").json() == body


def test_a_party_unit_of_another_institution_is_refused_on_its_row(editor, nu, sustech, faculties):
    response = api_client(editor).post(
        LIST,
        {
            "title": "Wrong unit",
            "parties": [
                {"institution": nu.pk},
                {"institution": sustech.pk, "unit": faculties[0].pk},
            ],
        },
        format="json",
    )

    assert response.status_code == 400
    assert "unit" in str(response.json()["parties"])
    assert not Memorandum.objects.exists()


def test_the_owner_is_a_unit_of_our_institution(settings, editor, nu, sustech):
    settings.REGISTRY_HOME_INSTITUTION = "NU"
    theirs = OrganisationalUnitFactory(institution=sustech)

    response = api_client(editor).post(
        LIST, {"title": "Owned elsewhere", "owner_unit": theirs.pk}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["owner_unit"]


def test_units_have_their_own_endpoint_and_a_tree_under_their_institution(editor, nu, faculties):
    seds, cs, gse = faculties
    client = api_client(editor)

    created = client.post(
        UNITS,
        {"institution": nu.pk, "parent": cs.pk, "name": "Robotics Lab", "kind": "centre"},
        format="json",
    )
    tree = client.get(f"/api/v1/institutions/{nu.pk}/units/").json()
    within = client.get(UNITS, {"within": seds.pk}).json()["results"]

    assert created.status_code == 201, created.content
    assert [unit["name"] for unit in tree] == [
        "Graduate School of Education",
        "School of Engineering and Digital Sciences",
        "Department of Computer Science",
        "Robotics Lab",
    ]
    assert {unit["name"] for unit in within} == {
        "School of Engineering and Digital Sciences",
        "Department of Computer Science",
        "Robotics Lab",
    }
    assert client.get(UNITS, {"kind": "centre"}).json()["count"] == 1


def test_a_unit_is_deleted_by_administrators_only(editor, superuser, faculties):
    gse = faculties[2]
    assert api_client(editor).delete(f"{UNITS}{gse.pk}/").status_code == 403
    assert api_client(superuser).delete(f"{UNITS}{gse.pk}/").status_code == 204


def test_anonymous_readers_see_only_units_of_what_they_may_read(nu, sustech, faculties):
    seds, cs, gse = faculties
    public = MemorandumFactory(visibility="public", owner_unit=cs)
    PartyFactory(memorandum=public, institution=sustech)
    listed = api_client().get(UNITS).json()["results"]
    # SUSTech is a party of a public memorandum: its (no) units; NU is not: only the owner.
    assert [unit["id"] for unit in listed] == [cs.pk]
    assert listed[0]["parent"] is None  # SEDS is not readable to them


def test_the_export_names_the_owning_unit_and_the_import_reads_it_back(superuser, nu, sustech):
    seds = OrganisationalUnitFactory(institution=nu, name="SEDS school", short_name="SEDS")
    report = import_csv(row(reference="MOU-2023-0001", owner_unit="seds"), actor=superuser)
    assert report.ok, report.problems
    memorandum = Memorandum.objects.get(reference="MOU-2023-0001")
    assert memorandum.owner_unit == seds

    exported = api_client(superuser).get(f"{LIST}export/", {"format": "csv"})
    rows = list(
        csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig")))
    )
    assert list(rows[0]) == COLUMNS
    assert rows[0]["owner_unit"] == "SEDS school"


def test_an_import_naming_a_new_unit_makes_it_under_our_institution(settings, superuser, nu):
    settings.REGISTRY_HOME_INSTITUTION = "NU"
    OrganisationalUnitFactory(name="Faculty of Nowhere")  # another institution's: not ours

    report = import_csv(row(owner_unit="Faculty of Nowhere"), actor=superuser)

    assert report.ok, report.problems
    owner = Memorandum.objects.get().owner_unit
    assert (owner.name, owner.institution) == ("Faculty of Nowhere", nu)


def test_search_finds_memoranda_by_their_owning_unit(superuser, faculties):
    owned = MemorandumFactory(owner_unit=faculties[2], title="Teacher training")
    MemorandumFactory(title="Something else")
    found = api_client(superuser).get(LIST, {"q": "education"}).json()["results"]
    assert [row["id"] for row in found] == [owned.pk]


def test_the_owner_change_is_in_the_history(superuser, faculties):
    seds, cs, gse = faculties
    memorandum = MemorandumFactory(owner_unit=seds)
    memorandum_update(memorandum=memorandum, actor=superuser, owner_unit=gse)
    history = api_client(superuser).get(f"{LIST}{memorandum.pk}/history/").json()["results"]
    changes = [entry["changes"] for entry in history if entry["model"] == "memorandum"]
    assert any("owner_unit" in change for change in changes)


def test_partner_countries_leave_our_institution_out(settings, superuser, register):
    settings.REGISTRY_HOME_INSTITUTION = "NU"
    countries = {row["country"] for row in get_stats(superuser)["by_country"]}
    assert "KZ" not in countries
    assert {"CN", "DE", "FR"} <= countries


def _json(response) -> list:
    return json.loads(b"".join(response.streaming_content))


def test_statistics_count_memoranda_by_owning_unit(superuser, faculties):
    seds, cs, gse = faculties
    for unit in (seds, seds, cs):
        MemorandumFactory(owner_unit=unit, visibility="public")
    MemorandumFactory(owner_unit=gse, visibility="confidential")

    everything = get_stats(superuser)["by_unit"]
    anonymous = get_stats(None)["by_unit"]

    assert [(row["name"], row["count"]) for row in everything] == [
        (seds.name, 2),
        (cs.name, 1),
        (gse.name, 1),
    ]
    # The confidential one is not counted for a visitor, nor its owner named.
    assert [(row["name"], row["count"]) for row in anonymous] == [(seds.name, 2), (cs.name, 1)]
