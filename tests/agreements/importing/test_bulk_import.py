"""The import checks rows against lookups loaded once and writes new memoranda in bulk (issue
9): what it accepts, refuses, writes and records must be what `memorandum_create` would."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from agreements.models import Memorandum, Party, ReferenceCounter, Signatory
from agreements.selectors import memorandum_history
from agreements.services import memorandum_create
from partners.models import Institution, Person
from partners.services import person_create
from registry.history import history_entries
from tests.agreements.importing.support import import_csv, parties, renewal_row, row, row_terms
from tests.agreements.support import comparable, signed_by
from tests.factories import MemorandumFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_imported_memorandum_has_the_history_the_service_writes(known):
    nu, sustech = known
    importer = UserFactory(username="importer")
    katsu = PersonFactory(full_name="Shigeo Katsu", institution=nu)
    earlier = memorandum_create(
        actor=importer, reference="EARLIER", title="Earlier", parties=[{"institution": nu}]
    )
    by_service = memorandum_create(
        actor=importer,
        **row_terms(
            nu,
            sustech,
            reference="BY-SERVICE",
            expires_on=datetime.date(2028, 5, 28),
            source_url="https://nu.edu.kz/news/mou",
            supersedes=earlier,
            signatories=[{"person": katsu, "institution": nu}],
            sdgs=[4, 17],
            tags=["trilateral", "iioe"],
        ),
    )

    report = import_csv(renewal_row(tags="trilateral; iioe"), actor=importer)

    assert report.ok, report.problems
    by_import = Memorandum.objects.get(reference="BY-IMPORT")
    history = comparable(
        memorandum_history(by_import), memorandum=by_import.pk, reference=by_import.reference
    )
    assert history == comparable(
        memorandum_history(by_service), memorandum=by_service.pk, reference=by_service.reference
    )
    assert [(entry["model"], entry["action"], entry["user"]) for entry in history] == [
        ("memorandum", "created", "importer"),
        ("party", "created", "importer"),
        ("party", "created", "importer"),
        ("signatory", "created", "importer"),
    ]
    assert history[0]["changes"]["cooperation_areas"] == [[], ["teaching", "research"]]
    assert history[0]["changes"]["sdgs"] == [[], [4, 17]]
    assert (by_import.version, sorted(by_import.tags.names())) == (1, ["iioe", "trilateral"])


def test_a_person_new_to_the_registry_is_recorded_as_person_create_records_one(known):
    nu, _ = known
    importer = UserFactory(username="importer")
    by_service = person_create(actor=importer, institution=nu, full_name="Jane Doe")

    report = import_csv(row(signatories="John Doe (NU)"), actor=importer)

    assert report.ok, report.problems
    by_import = Person.objects.get(full_name="John Doe")
    assert comparable(
        list(history_entries(Person.history.filter(id=by_import.pk))), full_name="John Doe"
    ) == comparable(
        list(history_entries(Person.history.filter(id=by_service.pk))), full_name="Jane Doe"
    )


def test_references_come_from_the_same_counter_as_the_services(known):
    nu, sustech = known
    first = signed_by(nu, sustech, actor=None, title="First", signed_on=datetime.date(2023, 1, 5))
    MemorandumFactory(reference="MOU-2023-0003")  # typed in by hand

    report = import_csv(
        row(reference="", signed_on="2023-02-01"),
        row(reference="", signed_on="2024-03-01"),
        row(reference="", signed_on="2023-04-01"),
    )
    after = signed_by(nu, sustech, actor=None, title="After", signed_on=datetime.date(2023, 6, 1))

    assert report.ok, report.problems
    assert first.reference == "MOU-2023-0001"
    assert report.created == ["MOU-2023-0002", "MOU-2024-0001", "MOU-2023-0004"]
    assert after.reference == "MOU-2023-0005"


BAD_ROWS = [
    # (the row's cells, the column each problem names)
    ({"kind": "treaty"}, ["kind"]),
    ({"signed_on": "29/05/2023"}, ["signed_on"]),
    ({"parties": "NU", "party_countries": "KZ", "signatories": ""}, ["parties"]),
    ({"expires_on": "2020-01-01"}, ["expires_on"]),
    ({"title": "T" * 301, "source_url": "not a url"}, ["title", "source_url"]),
    ({"signatories": "Shigeo Katsu (NU); Shigeo Katsu (NU)"}, ["signatories"]),
    ({"signatories": ("N" * 260) + " (NU)"}, ["full_name"]),
    ({"supersedes": "NOWHERE"}, ["supersedes"]),
]


def test_every_problem_of_every_bad_row_is_reported(known):
    rows, expected = [], []
    for index in range(40):
        line = index + 2
        if index % 5 == 4:
            values, columns = BAD_ROWS[(index // 5) % len(BAD_ROWS)]
            expected += [(line, column) for column in columns]
        else:
            values = {}
        rows.append(row(reference=f"R-{index:02d}", **values))

    report = import_csv(*rows)

    assert [(problem.line, problem.column) for problem in report.problems] == expected
    assert not report.written
    assert not Memorandum.objects.exists()
    assert not Person.objects.exists()


def test_a_file_of_hundreds_of_rows_imports_whole(known):
    importer = UserFactory(username="importer")
    rows = [
        row(
            reference="" if index % 3 == 0 else f"BULK-{index:03d}",
            title=f"Exchange agreement {index}",
            signatories=f"Person {index % 7} (NU); Person {index % 5} (SUSTech)",
            tags=f"bulk; batch-{index % 4}",
            sdgs="4; 17",
            supersedes=f"BULK-{index - 1:03d}" if index % 3 == 2 else "",
        )
        for index in range(300)
    ]

    report = import_csv(*rows, actor=importer)

    assert report.ok, report.problems[:3]
    assert len(report.created) == Memorandum.objects.count() == 300
    assert Party.objects.count() == 600 and Signatory.objects.count() == 600
    assert Person.objects.count() == 12
    assert Memorandum.history.count() == 300
    assert Memorandum.history.filter(history_user=importer, history_type="+").count() == 300
    assert Party.history.count() == 600 and Signatory.history.count() == 600
    assert Person.history.count() == 12
    assert set(Memorandum.objects.values_list("version", flat=True)) == {1}
    assert Memorandum.objects.filter(supersedes__isnull=False).count() == 100
    assert ReferenceCounter.objects.get(year=2023).last == 100
    memorandum = Memorandum.objects.get(reference="BULK-299")
    assert memorandum.supersedes.reference == "BULK-298"
    assert sorted(memorandum.tags.names()) == ["batch-3", "bulk"]
    assert sorted(memorandum.sdgs.values_list("number", flat=True)) == [4, 17]
    assert Tag.objects.count() == 5


def queries_to_import(rows: list[dict]) -> list[str]:
    """The SQL the import runs, rolled back after so that each count starts alike."""
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            report = import_csv(*rows)
        assert report.ok, report.problems[:3]
        transaction.set_rollback(True)
    return [query["sql"] for query in queries]


def test_the_number_of_queries_does_not_grow_with_the_rows(known):
    def rows(count: int) -> list[dict]:
        return [
            row(
                reference="" if index % 2 else f"Q-{index:03d}",
                signatories=f"New Person {index} (NU)",
                tags="counted; new-tag",
                supersedes=f"Q-{index - 2:03d}" if index % 2 == 0 and index >= 2 else "",
            )
            for index in range(count)
        ]

    ContentType.objects.get_for_model(Memorandum)  # cached for the process once asked
    ten, thirty = queries_to_import(rows(10)), queries_to_import(rows(30))

    # Reading: institutions and their aliases (the matcher), areas. Checking: memoranda
    # by reference, people of the signing institutions. Writing, each batch in a savepoint so
    # that a row the database refuses can be found: new people and their history; the 2023
    # reference counter (found or made, moved on, read, typed-in numbers looked for);
    # memoranda; their links to other rows; areas, SDGs; tags (taggit's queries for one
    # memorandum, then the tagged items of the others); the memoranda's history, and its
    # areas and SDGs read and recorded; parties and their history; signatories and theirs;
    # the stored fingerprints: the new memoranda and their parties, areas, SDGs, commitments
    # and documents read, then one update. Plus at most a few more that other parts of the
    # registry add to any writing transaction.
    assert len(ten) == len(thirty)
    assert len(ten) <= 78, "\n".join(ten)


def test_nothing_is_written_when_the_last_row_is_bad(known):
    tags_before = Tag.objects.count()

    report = import_csv(
        *[
            row(
                reference="" if index % 2 else f"OK-{index}",
                **parties("NU", "New College"),
                signatories="Someone New (New College)",
                tags="never-written",
            )
            for index in range(5)
        ],
        row(reference="LAST", kind="treaty"),
    )

    assert [(problem.line, problem.column) for problem in report.problems] == [(7, "kind")]
    assert not Memorandum.objects.exists()
    assert not Memorandum.history.exists() and not Party.history.exists()
    assert not Person.objects.exists() and not Person.history.exists()
    assert not Institution.objects.filter(name="New College").exists()
    assert not ReferenceCounter.objects.exists()
    assert Tag.objects.count() == tags_before


def test_a_link_to_a_later_row_is_part_of_the_memorandums_one_history_entry(known):
    report = import_csv(row(reference="RENEWAL", supersedes="ORIGINAL"), row(reference="ORIGINAL"))

    assert report.ok, report.problems
    renewal = Memorandum.objects.get(reference="RENEWAL")
    assert renewal.supersedes.reference == "ORIGINAL"
    assert renewal.version == 1
    [record] = renewal.history.all()
    assert record.supersedes_id == renewal.supersedes_id


REFUSED = {
    "signed without a date": ({"signed_on": ""}, lambda nu, sustech, katsu: {"signed_on": None}),
    "expires before it is signed": (
        {"expires_on": "2020-01-01"},
        lambda nu, sustech, katsu: {"expires_on": datetime.date(2020, 1, 1)},
    ),
    "expires before it takes effect": (
        {"effective_from": "2023-06-01", "expires_on": "2023-05-31"},
        lambda nu, sustech, katsu: {
            "effective_from": datetime.date(2023, 6, 1),
            "expires_on": datetime.date(2023, 5, 31),
        },
    ),
    "a long title and a bad URL": (
        {"title": "T" * 301, "source_url": "not a url"},
        lambda nu, sustech, katsu: {"title": "T" * 301, "source_url": "not a url"},
    ),
    "a long title and the dates the wrong way round": (
        {"title": "T" * 301, "expires_on": "2020-01-01"},
        lambda nu, sustech, katsu: {"title": "T" * 301, "expires_on": datetime.date(2020, 1, 1)},
    ),
    "a long reference": (
        {"reference": "R" * 41},
        lambda nu, sustech, katsu: {"reference": "R" * 41},
    ),
    "the same party twice": (
        {"parties": "NU; Nazarbayev University", "signatories": ""},
        lambda nu, sustech, katsu: {
            "parties": [{"institution": nu}, {"institution": nu}],
            "signatories": [],
        },
    ),
    "one party to a signed memorandum": (
        {"parties": "NU", "party_countries": "KZ", "signatories": ""},
        lambda nu, sustech, katsu: {"parties": [{"institution": nu}], "signatories": []},
    ),
    "the same signatory twice": (
        {"signatories": "Shigeo Katsu (NU); shigeo katsu (NU)"},
        lambda nu, sustech, katsu: {"signatories": [{"person": katsu, "institution": nu}] * 2},
    ),
}


@pytest.mark.parametrize(("cells", "arguments"), REFUSED.values(), ids=REFUSED.keys())
def test_a_row_is_refused_when_and_as_the_service_refuses_it(known, cells, arguments):
    nu, sustech = known
    katsu = PersonFactory(full_name="Shigeo Katsu", institution=nu)
    good = {
        "reference": "MOU-2023-0001",
        "title": "Trilateral MoU",
        "stage": "signed",
        "signed_on": datetime.date(2023, 5, 29),
        "parties": [{"institution": nu}, {"institution": sustech}],
        "signatories": [{"person": katsu, "institution": nu}],
    }
    with pytest.raises(ValidationError) as refused:
        memorandum_create(actor=None, **good | arguments(nu, sustech, katsu))

    report = import_csv(row(**cells))

    assert [(problem.column, problem.message) for problem in report.problems] == [
        ("row" if name == "__all__" else name, message)
        for name, messages in refused.value.message_dict.items()
        for message in messages
    ]
    assert not Memorandum.objects.exists()
