"""The import writes through the services' bulk door: what it leaves in the registry and its
history is what the single services and the API leave, the database's constraints refuse
rows as the services would, and importing a file again writes nothing."""

import datetime
import json

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from taggit.models import Tag, TaggedItem

from agreements.exports.audit import AUDITED_MODELS
from agreements.models import (
    MEMORANDUM_HISTORY,
    Commitment,
    CooperationArea,
    Memorandum,
    Party,
    ReferenceCounter,
    Signatory,
)
from agreements.selectors import memorandum_history
from agreements.services import (
    BulkRefused,
    memoranda_bulk_create,
    memoranda_bulk_update,
    memorandum_create,
    memorandum_update,
)
from partners.models import Institution, Person
from registry.history import audit_entries
from tests.agreements.importing.support import import_csv, parties, renewal_row, row, row_terms
from tests.agreements.support import comparable
from tests.factories import PersonFactory, UserFactory
from tests.support import api_client

pytestmark = pytest.mark.django_db

# What differs between two records of the same terms: identity, reference, times.
NOT_TERMS = {"id", "reference", "created_at", "updated_at", "search_document"}


def stored(memorandum: Memorandum) -> dict:
    """The memorandum's own fields (but its identity, reference and times) and its parts, as
    the database holds them."""
    memorandum = Memorandum.objects.get(pk=memorandum.pk)
    return {
        "fields": {
            field.attname: getattr(memorandum, field.attname)
            for field in Memorandum._meta.concrete_fields
            if field.name not in NOT_TERMS
        },
        "parties": list(
            memorandum.parties.order_by("order", "id").values_list("institution", "role", "order")
        ),
        "signatories": list(
            memorandum.signatories.order_by("id").values_list(
                "person", "institution", "position_at_signing", "signed_on", "mode"
            )
        ),
        "commitments": list(
            memorandum.commitments.order_by("id").values_list(
                "title",
                "description",
                "area",
                "responsible_institution",
                "due_on",
                "status",
                "completed_on",
            )
        ),
        "areas": sorted(memorandum.cooperation_areas.values_list("code", flat=True)),
        "sdgs": sorted(memorandum.sdgs.values_list("number", flat=True)),
        "tags": sorted(memorandum.tags.names()),
    }


def history_of(memorandum: Memorandum) -> list[dict]:
    return comparable(
        memorandum_history(memorandum), memorandum=memorandum.pk, reference=memorandum.reference
    )


def audit_export_of(memorandum: Memorandum) -> list[dict]:
    """The memorandum's entries in the audit export, as an auditor downloads it."""
    auditor = UserFactory(groups=["registry-auditor"])
    response = api_client(auditor).get("/api/v1/audit/export/", {"format": "json"})
    entries = json.loads(b"".join(response.streaming_content))
    return comparable(
        # In the export's order (oldest first), which `comparable` keeps.
        [
            entry | {"history_id": position}
            for position, entry in enumerate(entries)
            if entry["memorandum_id"] == memorandum.pk
        ],
        memorandum=memorandum.pk,
        reference=memorandum.reference,
    )


def test_an_imported_row_leaves_what_creating_it_through_the_api_leaves(known, editor):
    nu, sustech = known
    katsu = PersonFactory(full_name="Shigeo Katsu", institution=nu)
    earlier = memorandum_create(
        actor=editor, reference="EARLIER", title="Earlier", parties=[{"institution": nu}]
    )
    response = api_client(editor).post(
        "/api/v1/memoranda/",
        {
            "title": "Trilateral MoU",
            "kind": "mou",
            "stage": "signed",
            "signed_on": "2023-05-29",
            "expires_on": "2028-05-28",
            "visibility": "public",
            "source_url": "https://nu.edu.kz/news/mou",
            "supersedes": earlier.pk,
            "parties": [{"institution": nu.pk}, {"institution": sustech.pk}],
            "signatories": [{"person": katsu.pk, "institution": nu.pk}],
            "cooperation_areas": ["research", "teaching"],
            "sdgs": [4, 17],
            "tags": ["trilateral", "iioe"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    by_api = Memorandum.objects.get(pk=response.json()["id"])

    report = import_csv(renewal_row(tags="iioe; trilateral"), actor=editor)

    assert report.ok, report.problems
    by_import = Memorandum.objects.get(reference="BY-IMPORT")
    assert stored(by_import) == stored(by_api)
    assert stored(by_import)["fields"]["created_by_id"] == editor.pk
    assert history_of(by_import) == history_of(by_api)
    assert [entry["model"] for entry in history_of(by_import)].count("memorandum") == 1
    assert history_of(by_import)[0]["user"] == "editor"
    assert audit_export_of(by_import) == audit_export_of(by_api)


def test_the_bulk_service_writes_what_memorandum_create_writes(known):
    nu, sustech = known
    clerk = UserFactory(username="clerk")
    lu = PersonFactory(full_name="Lu Chun", institution=sustech)
    research = CooperationArea.objects.get(code="research")

    def arguments(reference: str) -> dict:
        return {
            "reference": reference,
            "title": "Summer schools",
            "stage": "signed",
            "signed_on": datetime.date(2024, 3, 1),
            "parties": [{"institution": nu, "role": "coordinator"}, {"institution": sustech}],
            "signatories": [{"person": lu, "institution": sustech, "mode": "remote"}],
            "commitments": [
                {
                    "title": "First summer school",
                    "area": research,
                    "responsible_institution": nu,
                    "due_on": datetime.date(2024, 7, 1),
                    "status": "done",
                    "completed_on": datetime.date(2024, 7, 20),
                },
                {"title": "Second summer school", "responsible_institution": sustech},
            ],
            "cooperation_areas": [research],
            "sdgs": [17, 4, 4],
            "tags": ["Summer", "exchange"],
        }

    single = memorandum_create(actor=clerk, **arguments("SINGLE"))
    [bulk] = memoranda_bulk_create(memoranda=[arguments("BULK")], actor=clerk)

    assert stored(bulk) == stored(single)
    assert len(stored(bulk)["commitments"]) == 2
    assert history_of(bulk) == history_of(single)
    assert [(entry["model"], entry["action"]) for entry in history_of(bulk)] == [
        ("memorandum", "created"),
        ("party", "created"),
        ("party", "created"),
        ("signatory", "created"),
        ("commitment", "created"),
        ("commitment", "created"),
    ]


def test_a_changed_row_is_recorded_as_memorandum_update_records_the_change(known):
    nu, sustech = known
    importer = UserFactory(username="importer")
    import_csv(row(reference="BY-IMPORT"), row(reference="BY-SERVICE"), actor=importer)
    by_service = Memorandum.objects.get(reference="BY-SERVICE")
    memorandum_update(
        memorandum=by_service,
        actor=importer,
        **row_terms(
            nu,
            sustech,
            title="Renamed",
            parties=[{"institution": sustech}, {"institution": nu}],
            expires_on=datetime.date(2028, 5, 28),
            cooperation_areas=list(CooperationArea.objects.filter(code="research")),
            sdgs=[4, 17],
            tags=["renamed"],
        ),
    )

    report = import_csv(
        row(
            reference="BY-IMPORT",
            title="Renamed",
            expires_on="2028-05-28",
            **parties("SUSTech", "NU"),
            signatories="",
            cooperation_areas="research",
            sdgs="4; 17",
            tags="renamed",
        ),
        actor=importer,
    )

    assert report.updated == ["BY-IMPORT"], report.problems
    by_import = Memorandum.objects.get(reference="BY-IMPORT")
    assert stored(by_import) == stored(by_service)
    assert by_import.version == 2
    assert history_of(by_import) == history_of(by_service)
    changed = [entry for entry in history_of(by_import) if entry["action"] == "changed"]
    assert changed[0]["changes"]["cooperation_areas"] == [["teaching", "research"], ["research"]]
    assert changed[0]["user"] == "importer"


def test_a_row_the_database_refuses_is_reported_on_its_line_and_nothing_is_written(known):
    report = import_csv(
        row(
            reference="GOOD",
            **parties("NU", "New College"),
            signatories="Someone New (New College)",
            tags="fresh-tag",
        ),
        row(reference="BAD", effective_from="2023-06-01", expires_on="2023-05-31"),
        row(reference="", title="Also good"),
    )

    assert [(p.line, p.column, p.message) for p in report.problems] == [
        (
            3,
            "expires_on",
            "The expiry date must be on or after the date the memorandum takes effect.",
        )
    ]
    # What the file would give without its bad row.
    assert report.created == ["GOOD", "MOU-2023-0001"]
    assert not report.written
    assert not Memorandum.objects.exists() and not Memorandum.history.exists()
    assert not Party.history.exists() and not Signatory.history.exists()
    assert not MEMORANDUM_HISTORY.m2m_models[Memorandum.sdgs.field].objects.exists()
    assert not Person.objects.exists() and not Person.history.exists()
    assert not Institution.objects.filter(name="New College").exists()
    assert not Tag.objects.filter(name="fresh-tag").exists()
    assert not ReferenceCounter.objects.exists()


def refusals(nu, sustech, katsu) -> dict:
    signed = {
        "title": "Trilateral MoU",
        "stage": "signed",
        "signed_on": datetime.date(2023, 5, 29),
        "parties": [{"institution": nu}, {"institution": sustech}],
    }
    return {
        "a reference already taken": signed | {"reference": "TAKEN"},
        "signed without a date": signed | {"signed_on": None},
        "the same signatory twice": signed
        | {"signatories": [{"person": katsu, "institution": nu}] * 2},
        "completed but not done": signed
        | {
            "commitments": [
                {"title": "Visit", "status": "planned", "completed_on": datetime.date(2023, 6, 1)}
            ]
        },
    }


@pytest.mark.parametrize(
    "case",
    ["a reference already taken", "signed without a date", "the same signatory twice"]
    + ["completed but not done"],
)
def test_the_bulk_service_refuses_a_row_as_memorandum_create_refuses_it(known, case):
    nu, sustech = known
    katsu = PersonFactory(full_name="Shigeo Katsu", institution=nu)
    memorandum_create(actor=None, reference="TAKEN", title="Taken")
    bad = refusals(nu, sustech, katsu)[case]
    with pytest.raises(ValidationError) as single:
        memorandum_create(actor=None, **bad)
    good = {"title": "Good", "parties": [{"institution": nu}]}

    with pytest.raises(BulkRefused) as bulk:
        memoranda_bulk_create(memoranda=[good, bad, good], actor=None)

    assert list(bulk.value.errors) == [1]
    assert bulk.value.errors[1].message_dict == single.value.message_dict
    assert list(Memorandum.objects.values_list("reference", flat=True)) == ["TAKEN"]
    assert Memorandum.history.count() == 1
    assert not Commitment.objects.exists() and not Signatory.objects.exists()


def test_the_bulk_update_refuses_a_reference_already_taken(known):
    taken, renamed = (
        memorandum_create(actor=None, reference=reference, title=reference)
        for reference in ("TAKEN", "RENAMED")
    )

    with pytest.raises(BulkRefused) as bulk:
        memoranda_bulk_update(changes=[(renamed, {"reference": "TAKEN"})], actor=None)

    assert bulk.value.errors[0].message_dict == {
        "reference": ["A memorandum with this reference already exists."]
    }
    renamed.refresh_from_db()
    assert (renamed.reference, renamed.version) == ("RENAMED", 1)
    assert Memorandum.history.count() == 2


def test_a_refused_bulk_write_leaves_new_people_unsaved_for_the_next_try(known):
    nu, sustech = known
    newcomer = Person(institution=nu, full_name="New Comer")
    good = {
        "title": "Good",
        "parties": [{"institution": nu}, {"institution": sustech}],
        "signatories": [{"person": newcomer, "institution": nu}],
    }

    with pytest.raises(BulkRefused):
        memoranda_bulk_create(memoranda=[good, {"title": ""}], actor=None)
    assert newcomer.pk is None and not Person.objects.exists()
    [memorandum] = memoranda_bulk_create(memoranda=[good], actor=None)

    assert memorandum.signatories.get().person == Person.objects.get(full_name="New Comer")
    assert Person.history.count() == 1


def snapshot() -> dict:
    """Every row count and every memorandum's version and time of change, and the audit trail."""
    models = [apps.get_model(label) for label in AUDITED_MODELS]
    return {
        "counts": {
            model.__name__: (model.objects.count(), model.history.count()) for model in models
        },
        "m2m history": [model.objects.count() for model in MEMORANDUM_HISTORY.m2m_models.values()],
        "tags": (Tag.objects.count(), TaggedItem.objects.count()),
        "memoranda": list(Memorandum.objects.order_by("id").values_list("version", "updated_at")),
        "audit": len(list(audit_entries(models))),
    }


def test_importing_a_file_again_changes_nothing_and_records_nothing(known, editor):
    rows = [
        row(reference="FIRST", signatories="New Signer (NU)", tags="Alpha; beta"),
        row(
            reference="SECOND",
            title="Second",
            supersedes="FIRST",
            **parties("NU", "Kyoto University"),
            signatories="",
            sdgs="17; 4",
        ),
        row(
            reference="",
            title="Third",
            stage="draft",
            signed_on="",
            **parties("NU"),
            signatories="",
        ),
    ]
    first = import_csv(*rows, actor=editor)
    assert first.written, first.problems
    third = first.created[2]
    rows[2]["reference"] = third
    before = snapshot()

    again = import_csv(*rows, actor=editor)

    assert again.written, again.problems
    assert again.unchanged == ["FIRST", "SECOND", third]
    assert again.created == again.updated == again.institutions_created == []
    assert snapshot() == before


def test_a_row_that_moves_a_signed_memorandum_back_to_draft_is_refused(known):
    assert import_csv(row(reference="SIGNED", signatories="")).ok

    report = import_csv(row(reference="SIGNED", signatories="", stage="draft"))

    assert [p.column for p in report.problems] == ["stage"]
    assert "cannot go back to draft" in report.problems[0].message
    assert Memorandum.objects.get(reference="SIGNED").stage == Memorandum.Stage.SIGNED
