"""The agreement list as a file: columns, formats, filters and who sees what."""

import csv
import datetime
import io
import json

import pytest
from django.db import connection
from openpyxl import load_workbook

from agreements.columns import COLUMNS
from partners.models import PartnerLink
from tests.factories.agreements import CommitmentFactory, SignatoryFactory, SignedMemorandumFactory
from tests.factories.partners import InstitutionFactory, PersonFactory
from tests.factories.users import UserFactory
from tests.support import api_client

pytestmark = pytest.mark.django_db

EXPORT = "/api/v1/memoranda/export/"


def read_csv(response) -> list[dict]:
    return read_csv_text(b"".join(response.streaming_content))


def read_csv_text(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def trilateral():
    nu = InstitutionFactory(name="Nazarbayev University", short_name="NU", country="KZ")
    ichei = InstitutionFactory(name="UNESCO-ICHEI", short_name="", country="CN")
    sustech = InstitutionFactory(name="SUSTech long name", short_name="SUSTech", country="CN")
    memorandum = SignedMemorandumFactory(
        reference="MOU-2023-0001",
        title="Trilateral MoU",
        parties=[nu, ichei, sustech],
        signed_on=datetime.date(2023, 5, 29),
        source_url="https://nu.edu.kz/news",
    )
    katsu = PersonFactory(full_name="Shigeo Katsu", institution=nu)
    lu = PersonFactory(full_name="Lu Chun", institution=sustech)
    parties = {party.institution_id: party for party in memorandum.parties.all()}
    SignatoryFactory(party=parties[nu.pk], person=katsu)
    SignatoryFactory(party=parties[sustech.pk], person=lu, mode="remote")
    memorandum.cooperation_areas.set([1, 3])
    memorandum.sdgs.set([4])
    memorandum.tags.add("trilateral", "iioe")
    return memorandum


def test_csv_has_the_columns_in_order_and_one_row_per_memorandum(editor, trilateral):
    response = api_client(editor).get(EXPORT, {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    today = datetime.date.today().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="memoranda-{today}.csv"'
    rows = read_csv(response)
    assert list(rows[0]) == COLUMNS
    row = rows[0]
    assert len(rows) == 1
    assert row["reference"] == "MOU-2023-0001"
    assert row["status"] == "active"
    assert row["parties"] == "NU; UNESCO-ICHEI; SUSTech"
    assert row["party_countries"] == "KZ; CN; CN"
    assert row["signatories"] == "Shigeo Katsu (NU); Lu Chun (SUSTech)"
    assert row["cooperation_areas"] == "; ".join(
        sorted(trilateral.cooperation_areas.values_list("code", flat=True))
    )
    assert (row["signed_on"], row["effective_from"], row["expires_on"]) == (
        "2023-05-29",
        "2023-05-29",
        "",
    )
    assert (row["auto_renew"], row["sdgs"], row["tags"]) == ("false", "4", "iioe; trilateral")


def test_json_and_xlsx_carry_the_same_rows(editor, trilateral):
    client = api_client(editor)
    csv_rows = read_csv(client.get(EXPORT, {"format": "csv"}))

    as_json = json.loads(b"".join(client.get(EXPORT, {"format": "json"}).streaming_content))
    xlsx = client.get(EXPORT, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    header, *values = [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]

    assert as_json == csv_rows
    assert header == COLUMNS
    assert [dict(zip(header, row, strict=True)) for row in values] == csv_rows
    assert xlsx["Content-Disposition"].endswith('.xlsx"')


def test_export_honours_the_lists_filters(editor, trilateral):
    SignedMemorandumFactory(reference="OTHER", title="Another agreement")

    rows = read_csv(api_client(editor).get(EXPORT, {"format": "csv", "q": "trilateral"}))

    assert [row["reference"] for row in rows] == ["MOU-2023-0001"]


@pytest.mark.parametrize("title", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_a_formula_looking_cell_is_neutralised(editor, title):
    SignedMemorandumFactory(title=title)
    client = api_client(editor)

    csv_title = read_csv(client.get(EXPORT, {"format": "csv"}))[0]["title"]
    xlsx = client.get(EXPORT, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    xlsx_title = list(sheet.iter_rows(values_only=True))[1][1]

    assert csv_title == xlsx_title == f"'{title}"


def test_partner_client_exports_only_its_agreements(trilateral):
    partner = UserFactory()
    PartnerLink.objects.create(user=partner, institution=trilateral.parties.first().institution)
    SignedMemorandumFactory(reference="NOT-OURS", visibility="confidential")

    rows = read_csv(api_client(partner).get(EXPORT))

    assert [row["reference"] for row in rows] == ["MOU-2023-0001"]


def test_anonymous_export_holds_only_public_agreements(trilateral):
    SignedMemorandumFactory(reference="INTERNAL", visibility="internal")
    SignedMemorandumFactory(reference="SECRET", visibility="confidential")

    rows = read_csv(api_client().get(EXPORT))

    assert [row["reference"] for row in rows] == ["MOU-2023-0001"]


def test_unknown_format_is_a_400_on_format(editor):
    response = api_client(editor).get(EXPORT, {"format": "pdf"})

    assert response.status_code == 400
    assert response.json() == {"format": ["Choose csv, xlsx or json."]}


@pytest.mark.parametrize("export_format", ["csv", "json"])
@pytest.mark.parametrize("rows", [1, 3])
def test_export_takes_one_query_for_its_rows(
    editor, rows, export_format, django_assert_num_queries
):
    for _ in range(rows):
        memorandum = SignedMemorandumFactory()
        SignatoryFactory(party=memorandum.parties.first())
        CommitmentFactory(memorandum=memorandum)
    client = api_client(editor)

    # 1 groups (visibility), 2 the memoranda with every cell, the fingerprint read as stored.
    # PostgreSQL reads them in a transaction of their own (a savepoint inside the test's):
    # SAVEPOINT, SET LOCAL jit = off, the rows (a server-side cursor), RELEASE SAVEPOINT.
    queries = 5 if connection.vendor == "postgresql" else 2
    with django_assert_num_queries(queries):
        content = b"".join(client.get(EXPORT, {"format": export_format}).streaming_content)
    read = read_csv_text(content) if export_format == "csv" else json.loads(content)
    assert len(read) == rows


def test_admin_exports_the_filtered_changelist_and_selected_rows(client, editor, trilateral):
    SignedMemorandumFactory(reference="OTHER", visibility="internal")
    client.force_login(editor)

    filtered = client.get(
        "/admin/agreements/memorandum/export/csv/", {"visibility__exact": "public"}
    )
    selected = client.post(
        "/admin/agreements/memorandum/",
        {"action": "export_json", "_selected_action": [trilateral.pk]},
    )

    assert [row["reference"] for row in read_csv(filtered)] == ["MOU-2023-0001"]
    assert [row["reference"] for row in json.loads(b"".join(selected.streaming_content))] == [
        "MOU-2023-0001"
    ]
