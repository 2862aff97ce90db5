"""The export's bytes: the same file on SQLite and PostgreSQL, for awkward and for generated
data. `awkward_register.csv` and `.json` were written by the export before its row was made
one SQL definition (then the CSV on PostgreSQL and everything else were built by two
different paths, held equal): the file must stay byte for byte that one, on either database
(with the `owner_unit` column added since: empty there, as none of them has an owner).
"""

import csv
import datetime
import io
import itertools
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from agreements.columns import COLUMNS
from agreements.exports.memoranda import csv_copied, csv_lines, export_rows
from agreements.models import CooperationArea, Document, Memorandum, Party
from agreements.selectors import memorandum_list
from agreements.services import memorandum_derived_data_refresh
from partners.models import PartnerLink
from tests.factories import CommitmentFactory, InstitutionFactory, UserFactory
from tests.support import api_client

pytestmark = pytest.mark.django_db

EXPORT = "/api/v1/memoranda/export/"
RECORDED = Path(__file__).parent / "awkward_register"


def exported(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def csv_rows_of(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.parametrize("export_format", ["csv", "json"])
def test_the_file_is_the_recorded_one_byte_for_byte(superuser, register, export_format):
    client = api_client(superuser)

    content = exported(client.get(EXPORT, {"format": export_format, "ordering": "reference"}))

    assert content == RECORDED.with_suffix(f".{export_format}").read_bytes()


def test_a_partner_filtering_gets_its_rows_and_no_hidden_original(institutions, register):
    partner = UserFactory(username="partner-awkward")
    PartnerLink.objects.create(user=partner, institution=institutions["awkward"])
    params = {"stage": ["signed", "draft"], "ordering": "-title", "format": "csv"}

    rows = csv_rows_of(exported(api_client(partner).get(EXPORT, params)))

    recorded = {
        row["reference"]: row for row in csv_rows_of(RECORDED.with_suffix(".csv").read_bytes())
    }
    by_reference = {row["reference"]: row for row in rows}
    assert set(by_reference) == {"MOU-2024-0001", "MOU-2024-0003", "MOU-2024-0004"}
    # The public amendment does not name the confidential original it supersedes.
    assert by_reference["MOU-2024-0004"]["supersedes"] == ""
    assert recorded["MOU-2024-0004"]["supersedes"] == "MOU-2020-0009"
    assert by_reference["MOU-2024-0001"] == recorded["MOU-2024-0001"]


def test_an_editor_sees_what_the_amendment_supersedes(editor, register):
    content = exported(api_client(editor).get(EXPORT, {"format": "csv", "q": "amendment"}))

    [row] = csv_rows_of(content)
    assert row["supersedes"] == "MOU-2020-0009"


# --- Generated terms: every cell as the columns say, on either database -----------------------

# Text both databases store: no NUL, no lone surrogates.
stored_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"))
dates = st.dates(datetime.date(1990, 1, 1), datetime.date(2040, 12, 31))
party_terms = st.fixed_dictionaries(
    {
        "name": stored_text.filter(str.strip).map(lambda name: name[:255]),
        "short_name": st.just("") | stored_text.map(lambda text: text[:50]),
        "role": st.sampled_from(Party.Role.values),
        "order": st.integers(0, 3),
    }
)
memorandum_terms = st.fixed_dictionaries(
    {
        "title": stored_text.map(lambda text: text[:300]),
        "parties": st.lists(party_terms, max_size=3),
        "area_codes": st.lists(stored_text.map(lambda text: text[:60]), max_size=3, unique=True),
        "sdgs": st.sets(st.integers(1, 17), max_size=4),
        "tags": st.lists(stored_text.filter(str.strip).map(lambda t: t[:100]), max_size=3),
        "commitments": st.lists(stored_text.map(lambda text: text[:300]), max_size=2),
        "documents": st.lists(stored_text.filter(bool).map(lambda text: text[:64]), max_size=2),
        "signed_on": dates,
        "effective_after": st.none() | st.integers(0, 60),
        "expires_after": st.none() | st.integers(0, 2000),
        "auto_renew": st.booleans(),
        "updated_at": st.datetimes(
            datetime.datetime(2000, 1, 1),
            datetime.datetime(2040, 1, 1),
            timezones=st.just(datetime.UTC),
        ),
    }
)
COUNTRIES = ["KZ", "CN", "FR"]
SEQUENCE = itertools.count()


def make_memorandum(terms) -> Memorandum:
    effective_from = (
        None
        if terms["effective_after"] is None
        else terms["signed_on"] + datetime.timedelta(terms["effective_after"])
    )
    start = effective_from or terms["signed_on"]
    memorandum = Memorandum.objects.create(
        reference=f"GEN-{next(SEQUENCE)}",
        title=terms["title"] or "Generated",
        stage="signed",
        signed_on=terms["signed_on"],
        effective_from=effective_from,
        expires_on=None
        if terms["expires_after"] is None
        else start + datetime.timedelta(terms["expires_after"]),
        auto_renew=terms["auto_renew"],
    )
    # save() fills a blank effective date in; the terms also cover a row without one.
    Memorandum.objects.filter(pk=memorandum.pk).update(
        effective_from=effective_from, updated_at=terms["updated_at"]
    )
    for country, party in zip(COUNTRIES, terms["parties"], strict=False):
        institution = InstitutionFactory(
            name=party["name"], short_name=party["short_name"], country=country
        )
        Party.objects.create(
            memorandum=memorandum, institution=institution, role=party["role"], order=party["order"]
        )
    memorandum.cooperation_areas.set(
        CooperationArea.objects.create(code=code, name=f"Area {index}")
        for index, code in enumerate(terms["area_codes"])
    )
    memorandum.sdgs.set(terms["sdgs"])
    memorandum.tags.add(*terms["tags"])
    for title in terms["commitments"]:
        CommitmentFactory(memorandum=memorandum, title=title)
    for sha256 in terms["documents"]:
        Document.objects.create(
            memorandum=memorandum, title="Copy", file="documents/copy.pdf", sha256=sha256, size=1
        )
    memorandum_derived_data_refresh(memoranda=[memorandum])
    return memorandum


def expected_cells(memorandum: Memorandum) -> list[str]:
    """The columns of a memorandum as `agreements/columns.py` and the API describe them, read
    from the model: what the export's SQL must produce."""
    parties = sorted(memorandum.parties.all(), key=lambda party: (party.order, party.pk))
    day = "" if memorandum.effective_from is None else memorandum.effective_from.isoformat()
    cells = {
        "reference": memorandum.reference,
        "title": memorandum.title,
        "kind": memorandum.kind,
        "status": memorandum.status,
        "stage": memorandum.stage,
        "parties": "; ".join(party.institution.label for party in parties),
        "party_countries": "; ".join(party.institution.country.code for party in parties),
        "signatories": "",
        "cooperation_areas": "; ".join(sorted(a.code for a in memorandum.cooperation_areas.all())),
        "signed_on": memorandum.signed_on.isoformat(),
        "effective_from": day,
        "expires_on": memorandum.expires_on.isoformat() if memorandum.expires_on else "",
        "auto_renew": "true" if memorandum.auto_renew else "false",
        "visibility": memorandum.visibility,
        "sdgs": "; ".join(
            str(number) for number in sorted(s.number for s in memorandum.sdgs.all())
        ),
        "tags": "; ".join(sorted(memorandum.tags.names())),
        "source_url": memorandum.source_url,
        "updated_at": memorandum.updated_at.isoformat(),
        "supersedes": "",
        "fingerprint": memorandum.fingerprint,
        "owner_unit": memorandum.owner_unit.name if memorandum.owner_unit else "",
        # Generated terms are never submitted for approval.
        "approval_state": "",
        "approval_step": "",
    }
    return [cells[column] for column in COLUMNS]


@hypothesis_settings(
    max_examples=60,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@given(terms=memorandum_terms)
def test_every_cell_of_generated_terms_is_as_the_columns_say(terms):
    reader = get_user_model()(username="reader", is_superuser=True)  # reads all, unsaved
    with transaction.atomic():
        made = make_memorandum(terms)
        memoranda = memorandum_list(reader, acknowledgements=False).filter(pk=made.pk)

        [row] = export_rows(memoranda, "json")
        expected = expected_cells(Memorandum.objects.get(pk=made.pk))

        assert list(row) == expected
        assert "".join(csv_lines([row])) == "".join(csv_lines([expected]))
        if connection.vendor == "postgresql":
            # PostgreSQL's COPY writes the very bytes that Python's writer writes.
            written = "".join(csv_lines(export_rows(memoranda, "csv")))
            assert csv_copied(memoranda).read().decode() == written
        assert json.loads(json.dumps(dict(zip(COLUMNS, row, strict=True))))
        transaction.set_rollback(True)
