"""The CSV export on PostgreSQL (`exports.export_rows_sql`): the database makes every cell,
the fingerprint too, and the file must be byte for byte the one the Python path makes
(`export_records` + `csv_lines`) for the same rows, whoever asks and whatever they filter.

The data is awkward on purpose: quotes, backslashes, control characters, non-ASCII text and
emoji, codes and tags whose code-point order differs from a collation's, parties whose order
differs from their ids, missing ROR ids, dates and areas, several documents, no parties.
"""

import csv
import datetime
import io
import itertools

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import QueryDict
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from agreements.exports.memoranda import (
    COLUMNS,
    csv_lines,
    csv_rows,
    export_records,
    export_rows_sql,
)
from agreements.filters import MemorandumFilterSet
from agreements.fingerprint import fingerprint
from agreements.models import CooperationArea, Document, Memorandum, Party
from agreements.selectors import memorandum_list
from partners.models import PartnerLink
from tests.factories import (
    CommitmentFactory,
    DocumentFactory,
    InstitutionFactory,
    MemorandumFactory,
    PersonFactory,
    SignatoryFactory,
    SignedMemorandumFactory,
    UserFactory,
)

# Skipped before any database set-up on SQLite, as tests/reliability does.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="needs PostgreSQL: set DATABASE_URL",
    ),
    pytest.mark.django_db,
]

EXPORT = "/api/v1/memoranda/export/"
FINGERPRINT = COLUMNS.index("fingerprint")
# Every character JSON escapes, and some it must leave alone.
AWKWARD = 'a "quote", a \\ backslash, \t\n\r\b\f\x01\x1f\x7f, é 中文 😀 \u2028; end'
UTC = datetime.UTC


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def python_csv(user, params: dict | None = None) -> bytes:
    """The file the Python path makes of the rows the export view reads for `user`."""
    query = QueryDict(mutable=True)
    for key, value in (params or {}).items():
        query.setlist(key, value if isinstance(value, list) else [value])
    queryset = memorandum_list(user, acknowledgements=False)
    rows = MemorandumFilterSet(query, queryset=queryset).qs
    return "".join(csv_lines(export_records(rows))).encode("utf-8")


def csv_rows_of(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def exported(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.fixture
def institutions():
    return {
        "awkward": InstitutionFactory(
            name=f"Université {AWKWARD}", short_name="", country="FR", ror_id=None
        ),
        "formula": InstitutionFactory(
            name='=cmd|" /C calc"!A0', short_name='-SUS"Tech', country="CN", ror_id="049tv2d57"
        ),
        "plain": InstitutionFactory(name="Zürich Institute", short_name="ZI", country="CH"),
        "hidden": InstitutionFactory(name="Hidden Institute", short_name="HI", country="JP"),
    }


@pytest.fixture
def register(institutions):
    """Memoranda covering every column's awkward cases."""
    awkward, formula, plain, hidden = (
        institutions[key] for key in ("awkward", "formula", "plain", "hidden")
    )
    areas = [
        CooperationArea.objects.create(code=code, name=code)
        for code in ("zeta", "Alpha", "émigré", "alpha-2", "Zeta😀")
    ]
    full = SignedMemorandumFactory(
        reference="MOU-2024-0001",
        title=f"={AWKWARD}",
        parties=[],
        signed_on=datetime.date(2024, 3, 1),
        auto_renew=True,
        source_url='https://example.org/a,b?"c"',
    )
    # Party order differs from id order, with a tie that the id breaks.
    for institution, order in ((formula, 1), (awkward, 0), (plain, 0)):
        Party.objects.create(memorandum=full, institution=institution, order=order, role="party")
    parties = {party.institution_id: party for party in full.parties.all()}
    for institution, name in ((plain, f"Ana {AWKWARD}"), (awkward, "@Bob"), (formula, "Ωmega")):
        SignatoryFactory(
            party=parties[institution.pk],
            person=PersonFactory(full_name=name, institution=institution),
        )
    full.cooperation_areas.set(areas)
    full.sdgs.set([17, 4, 9])
    full.tags.add("zeta", "Éclair", "alpha", "Alpha", "😀", f"+{AWKWARD}")
    CommitmentFactory(
        memorandum=full, title=AWKWARD, area=None, due_on=None, responsible_institution=None
    )
    CommitmentFactory(
        memorandum=full,
        title="Ärger",
        area=areas[2],
        due_on=datetime.date(2025, 1, 31),
        responsible_institution=awkward,
    )
    CommitmentFactory(memorandum=full, title="A", area=areas[1], responsible_institution=None)
    for content in (b"one", b"two", b"three"):
        DocumentFactory(memorandum=full, file=ContentFile(content, name="copy.pdf"))
    # isoformat() leaves out microseconds that are 0.
    Memorandum.objects.filter(pk=full.pk).update(
        updated_at=datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    )

    lonely = SignedMemorandumFactory(
        reference="MOU-2024-0002",
        title="No parties, no effective date",
        parties=[],
        visibility="internal",
        signed_on=datetime.date(2023, 1, 2),
        expires_on=datetime.date(2030, 1, 1),
    )
    Memorandum.objects.filter(pk=lonely.pk).update(effective_from=None)
    draft = MemorandumFactory(reference="MOU-2024-0003", title="-draft", visibility="public")
    Party.objects.create(memorandum=draft, institution=plain)
    original = SignedMemorandumFactory(
        reference="MOU-2020-0009",
        title="Confidential original",
        visibility="confidential",
        parties=[hidden, plain],
        signed_on=datetime.date(2020, 1, 1),
    )
    SignedMemorandumFactory(
        reference="MOU-2024-0004",
        title="Public amendment",
        kind="amendment",
        visibility="public",
        parties=[awkward, hidden],
        supersedes=original,
        signed_on=datetime.date(2024, 2, 1),
    )
    SignedMemorandumFactory(
        reference="MOU-2021-0005", title="Ended", stage="terminated", parties=[awkward]
    )


@pytest.fixture
def partner(institutions):
    """A partner client of `awkward`: reads the public amendment, not the original it
    supersedes (confidential, between other institutions)."""
    user = UserFactory(username="partner-awkward")
    PartnerLink.objects.create(user=user, institution=institutions["awkward"])
    return user


def test_the_csv_is_byte_identical_to_the_python_one(superuser, register):
    response = client_for(superuser).get(EXPORT, {"format": "csv"})

    assert exported(response) == python_csv(superuser)


def test_a_partner_filtering_gets_the_python_bytes_and_no_hidden_original(partner, register):
    params = {"stage": ["signed", "draft"], "ordering": "-title"}

    content = exported(client_for(partner).get(EXPORT, {**params, "format": "csv"}))

    assert content == python_csv(partner, params)
    by_reference = {row["reference"]: row for row in csv_rows_of(content)}
    assert set(by_reference) == {"MOU-2024-0001", "MOU-2024-0003", "MOU-2024-0004"}
    assert by_reference["MOU-2024-0004"]["supersedes"] == ""


def test_an_editor_sees_what_the_amendment_supersedes(editor, register):
    content = exported(client_for(editor).get(EXPORT, {"format": "csv", "q": "amendment"}))

    assert content == python_csv(editor, {"q": "amendment"})
    [row] = csv_rows_of(content)
    assert row["supersedes"] == "MOU-2020-0009"


def test_the_fingerprint_column_is_the_python_fingerprint(superuser, register):
    memoranda = memorandum_list(superuser, acknowledgements=False)
    in_sql = {row[0]: row[FINGERPRINT] for row in export_rows_sql(memoranda)}

    for memorandum in memorandum_list(superuser):
        assert in_sql[memorandum.reference] == (fingerprint(memorandum) or ""), memorandum
    assert in_sql["MOU-2024-0001"] and in_sql["MOU-2024-0002"]
    assert in_sql["MOU-2024-0003"] == in_sql["MOU-2021-0005"] == ""


@pytest.mark.parametrize("rows", [1, 3])
def test_the_csv_takes_one_query_whatever_the_rows(editor, rows, django_assert_num_queries):
    for _ in range(rows):
        memorandum = SignedMemorandumFactory()
        SignatoryFactory(party=memorandum.parties.first())
        CommitmentFactory(memorandum=memorandum)
    client = client_for(editor)

    # 1 groups (visibility); the export's transaction (a savepoint inside the test's):
    # 2 SAVEPOINT, 3 SET LOCAL jit = off, 4 the memoranda with every cell (a server-side
    # cursor), 5 RELEASE SAVEPOINT
    with django_assert_num_queries(5):
        content = exported(client.get(EXPORT, {"format": "csv"}))
    assert len(csv_rows_of(content)) == rows


# --- The SQL fingerprint against the Python one, over generated terms -----------------------

# Text PostgreSQL can store: no NUL, no lone surrogates.
stored_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"))
dates = st.dates(datetime.date(1990, 1, 1), datetime.date(2040, 12, 31))
party_terms = st.fixed_dictionaries(
    {
        "name": stored_text.filter(str.strip).map(lambda name: name[:255]),
        "ror_id": st.none() | stored_text.map(lambda text: text[:9]),
        "role": st.sampled_from(Party.Role.values),
        "order": st.integers(0, 3),
    }
)
commitment_terms = st.fixed_dictionaries(
    {
        "title": stored_text.map(lambda text: text[:300]),
        "due_on": st.none() | dates,
        "area": st.none() | st.integers(0, 2),
        "responsible": st.none() | st.integers(0, 2),
    }
)
memorandum_terms = st.fixed_dictionaries(
    {
        "parties": st.lists(party_terms, max_size=3),
        "area_codes": st.lists(stored_text.map(lambda text: text[:60]), max_size=3, unique=True),
        "sdgs": st.sets(st.integers(1, 17), max_size=4),
        "commitments": st.lists(commitment_terms, max_size=3),
        # A document's sha256 as stored (an empty one would make save() read the file).
        "documents": st.lists(stored_text.filter(bool).map(lambda text: text[:64]), max_size=3),
        "signed_on": dates,
        "effective_after": st.none() | st.integers(0, 60),
        "expires_after": st.none() | st.integers(0, 2000),
        "auto_renew": st.booleans(),
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
        title="Generated",
        stage="signed",
        signed_on=terms["signed_on"],
        effective_from=effective_from,
        expires_on=None
        if terms["expires_after"] is None
        else start + datetime.timedelta(terms["expires_after"]),
        auto_renew=terms["auto_renew"],
    )
    # save() fills a blank effective date in; the terms also cover a row without one.
    Memorandum.objects.filter(pk=memorandum.pk).update(effective_from=effective_from)
    institutions = []
    ror_ids = set()
    for country, party in zip(COUNTRIES, terms["parties"], strict=False):
        ror_id = party["ror_id"] if party["ror_id"] not in ror_ids else None
        ror_ids.add(ror_id)
        institution = InstitutionFactory(name=party["name"], country=country, ror_id=ror_id)
        Party.objects.create(
            memorandum=memorandum, institution=institution, role=party["role"], order=party["order"]
        )
        institutions.append(institution)
    areas = [
        CooperationArea.objects.create(code=code, name=f"Area {index}")
        for index, code in enumerate(terms["area_codes"])
    ]
    memorandum.cooperation_areas.set(areas)
    memorandum.sdgs.set(terms["sdgs"])
    for commitment in terms["commitments"]:
        CommitmentFactory(
            memorandum=memorandum,
            title=commitment["title"],
            due_on=commitment["due_on"],
            area=pick(areas, commitment["area"]),
            responsible_institution=pick(institutions, commitment["responsible"]),
        )
    for sha256 in terms["documents"]:
        Document.objects.create(
            memorandum=memorandum, title="Copy", file="documents/copy.pdf", sha256=sha256, size=1
        )
    return memorandum


def pick(items: list, index: int | None):
    return items[index] if index is not None and index < len(items) else None


@hypothesis_settings(
    max_examples=60,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@given(terms=memorandum_terms)
def test_the_sql_fingerprint_is_the_python_fingerprint_on_generated_terms(terms):
    reader = get_user_model()(username="reader", is_superuser=True)  # reads all, unsaved
    with transaction.atomic():
        memorandum = make_memorandum(terms)
        memoranda = memorandum_list(reader, acknowledgements=False).filter(pk=memorandum.pk)

        [row] = export_rows_sql(memoranda)
        expected = fingerprint(memorandum_list(reader).get(pk=memorandum.pk))

        assert row[FINGERPRINT] == expected
        assert "".join(csv_rows([row])) == "".join(csv_lines(export_records(memoranda)))
        transaction.set_rollback(True)
