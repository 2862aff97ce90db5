"""The memorandum admin writes through the services the API calls: the same change leaves the
same rows and the same single history entry, a refused change is a form error that writes
nothing, and a stored document's file stays the one uploaded."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.fields.files import FieldFile
from django.urls import reverse

from agreements.models import CooperationArea, Document, Memorandum, Party, Reminder
from agreements.selectors import memorandum_history
from agreements.services import document_update
from tests.agreements.admin.support import ADD, change_url
from tests.agreements.support import (
    assert_created_alike,
    memorandum_rows,
    new_entries,
    signed_by,
)
from tests.factories.agreements import (
    CommitmentFactory,
    DocumentFactory,
    MemorandumFactory,
    SignatoryFactory,
    SignedMemorandumFactory,
)
from tests.factories.partners import InstitutionFactory, PersonFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"


def page_data(response) -> dict:
    """What a browser posts back from the page unchanged: every field of the memorandum's
    form and of its inlines, with their management forms."""
    form = response.context["adminform"].form
    forms = [form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for each in forms:
        for field in each:
            value = field.value()
            # A browser sends nothing for an empty list, and never a stored file back.
            if value is not None and not isinstance(value, FieldFile):
                data[field.html_name] = value
    data["tags"] = ", ".join(sorted(tag.name for tag in form.initial.get("tags", [])))
    return data


def add_rows(data: dict, prefix: str, rows: list[dict]) -> None:
    """Append new rows to an inline, as its "Add another" link does."""
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    for offset, row in enumerate(rows):
        data |= {f"{prefix}-{total + offset}-{name}": value for name, value in row.items()}
    data[f"{prefix}-TOTAL_FORMS"] = str(total + len(rows))


def area_pks(*codes: str) -> list[int]:
    """The cooperation areas as the page's form names them."""
    return list(CooperationArea.objects.filter(code__in=codes).values_list("pk", flat=True))


def page_errors(response) -> dict[str, list[str]]:
    """The errors the page shows: the memorandum's fields' and the inlines' own."""
    assert response.status_code == 200, response.get("Location")
    errors = {
        name: list(messages) for name, messages in response.context["adminform"].form.errors.items()
    }
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.non_form_errors():
            errors[inline.formset.prefix] = list(inline.formset.non_form_errors())
    return errors


@pytest.fixture
def ichei():
    return InstitutionFactory(short_name="ICHEI", country="CN")


# --- One door: the same change, the same result -------------------------------------------


def test_creating_in_the_admin_leaves_what_the_api_leaves(editor_client, api, nu, sustech):
    katsu = PersonFactory(full_name="Shigeo Katsu", institution=nu)
    terms = {
        "title": "Trilateral Memorandum of Understanding",
        "kind": "mou",
        "stage": "signed",
        "visibility": "public",
        "summary": "Joint research and teaching.",
        "signed_on": "2023-05-29",
        "signed_at": "Astana",
        "expires_on": "2028-05-28",
    }
    parties = [
        {"institution": nu.pk, "role": "coordinator", "order": 0},
        {"institution": sustech.pk, "role": "party", "order": 1},
    ]
    signatories = [
        {
            "person": katsu.pk,
            "institution": nu.pk,
            "position_at_signing": "President",
            "mode": "in_person",
        }
    ]
    data = page_data(editor_client.get(ADD))
    data |= terms | {
        "cooperation_areas": area_pks("research", "teaching"),
        "sdgs": ["4", "17"],
        "tags": "trilateral, research",
    }
    add_rows(data, "parties", parties)
    add_rows(data, "signatories", signatories)

    response = editor_client.post(ADD, data)

    assert response.status_code == 302, page_errors(response)
    through_admin = Memorandum.objects.get()
    created = api.post(
        "/api/v1/memoranda/",
        terms
        | {
            "cooperation_areas": ["research", "teaching"],
            "sdgs": [4, 17],
            "tags": ["trilateral", "research"],
            "parties": parties,
            "signatories": signatories,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    through_api = Memorandum.objects.get(pk=created.json()["id"])

    own = assert_created_alike(through_admin, through_api, user="editor")
    assert own["sdgs"] == [[], [4, 17]]


def test_changing_in_the_admin_leaves_what_the_api_leaves(
    editor_client, api, editor, nu, sustech, ichei
):
    katsu = PersonFactory(full_name="Shigeo Katsu", institution=nu)
    wang = PersonFactory(full_name="Wang Wei", institution=ichei)

    def signed_memorandum():
        memorandum = signed_by(
            nu,
            sustech,
            actor=editor,
            title="Memorandum of Understanding",
            signatories=[{"person": katsu, "institution": nu}],
            cooperation_areas=CooperationArea.objects.filter(code="research"),
            sdgs=[4],
            tags=["bilateral"],
        )
        CommitmentFactory(memorandum=memorandum, title="Joint workshop", responsible_institution=nu)
        return memorandum

    in_admin, in_api = signed_memorandum(), signed_memorandum()
    assert memorandum_rows(in_admin) == memorandum_rows(in_api)

    changed = {"title": "Trilateral Memorandum of Understanding", "expires_on": "2028-05-28"}
    wang_signs = {
        "person": wang.pk,
        "institution": ichei.pk,
        "position_at_signing": "Director",
        "mode": "remote",
    }
    data = page_data(editor_client.get(change_url(in_admin)))
    data |= changed | {
        "cooperation_areas": area_pks("research", "teaching"),
        "sdgs": ["4", "17"],
        "tags": "bilateral, trilateral",
        "parties-1-role": "coordinator",
    }
    add_rows(data, "parties", [{"institution": ichei.pk, "role": "party", "order": "2"}])
    add_rows(data, "signatories", [wang_signs])
    response = editor_client.post(change_url(in_admin), data)
    assert response.status_code == 302, page_errors(response)

    patched = api.patch(
        f"/api/v1/memoranda/{in_api.pk}/",
        changed
        | {
            "version": 1,
            "cooperation_areas": ["research", "teaching"],
            "sdgs": [4, 17],
            "tags": ["bilateral", "trilateral"],
            "parties": [
                {"institution": nu.pk, "role": "party", "order": 0},
                {"institution": sustech.pk, "role": "coordinator", "order": 1},
                {"institution": ichei.pk, "role": "party", "order": 2},
            ],
            "signatories": [
                {"person": katsu.pk, "institution": nu.pk, "mode": "in_person"},
                wang_signs,
            ],
        },
        format="json",
    )
    assert patched.status_code == 200, patched.json()

    assert memorandum_rows(in_admin) == memorandum_rows(in_api)
    assert memorandum_rows(in_admin)["fields"]["version"] == 2
    admin_own, admin_parts = new_entries(in_admin, before=1)
    api_own, api_parts = new_entries(in_api, before=1)
    assert len(admin_own) == len(api_own) == 1
    assert admin_own[0]["changes"] == api_own[0]["changes"]
    assert set(admin_own[0]["changes"]) == {
        "title",
        "expires_on",
        "cooperation_areas",
        "sdgs",
        "version",
    }
    # The kept party and signatory, and the untouched commitment, keep their rows.
    assert (
        admin_parts
        == api_parts
        == [
            ("party", "changed", ("role",)),
            ("party", "created", ("institution", "memorandum", "order", "role")),
            (
                "signatory",
                "created",
                ("institution", "memorandum", "mode", "person", "position_at_signing"),
            ),
        ]
    )


def test_removing_a_party_with_its_signatory_is_the_same_through_both_doors(
    editor_client, api, editor, nu, sustech, ichei
):
    katsu = PersonFactory(institution=nu)
    wang = PersonFactory(institution=ichei)

    def trilateral():
        return signed_by(
            nu,
            sustech,
            ichei,
            actor=editor,
            title="Trilateral",
            signatories=[
                {"person": katsu, "institution": nu},
                {"person": wang, "institution": ichei},
            ],
        )

    in_admin, in_api = trilateral(), trilateral()

    data = page_data(editor_client.get(change_url(in_admin)))
    data |= {"parties-2-DELETE": "on", "signatories-1-DELETE": "on"}
    response = editor_client.post(change_url(in_admin), data)
    patched = api.patch(
        f"/api/v1/memoranda/{in_api.pk}/",
        {
            "version": 1,
            "parties": [
                {"institution": nu.pk, "order": 0},
                {"institution": sustech.pk, "order": 1},
            ],
            "signatories": [{"person": katsu.pk, "institution": nu.pk}],
        },
        format="json",
    )

    assert response.status_code == 302, page_errors(response)
    assert patched.status_code == 200, patched.json()
    assert memorandum_rows(in_admin) == memorandum_rows(in_api)
    assert memorandum_rows(in_api)["parties"] == [(nu.pk, "party", 0), (sustech.pk, "party", 1)]
    assert new_entries(in_admin, before=1)[1] == new_entries(in_api, before=1)[1]


def test_an_admin_save_keeps_the_commitments_and_their_reminders(editor_client):
    memorandum = SignedMemorandumFactory()
    commitment = CommitmentFactory(memorandum=memorandum, title="Joint workshop")
    Reminder.objects.create(
        kind=Reminder.Kind.COMMITMENT_DUE_14,
        memorandum=memorandum,
        commitment=commitment,
        due_on=commitment.due_on,
    )

    data = page_data(editor_client.get(change_url(memorandum)))
    data |= {"title": "Renamed", "commitments-0-title": "Joint summer school"}
    response = editor_client.post(change_url(memorandum), data)

    assert response.status_code == 302, page_errors(response)
    commitment.refresh_from_db()
    assert commitment.title == "Joint summer school"
    assert Reminder.objects.filter(commitment=commitment).exists()


# --- A refused change is a form error and writes nothing ----------------------------------


def test_an_add_that_breaks_a_rule_shows_the_error_and_creates_nothing(editor_client, nu, sustech):
    outsider = InstitutionFactory(short_name="OC")
    data = page_data(editor_client.get(ADD))
    data |= {"title": "Bilateral", "stage": "signed", "signed_on": "2023-05-29"}
    add_rows(data, "parties", [{"institution": nu.pk, "role": "party", "order": "0"}])
    add_rows(
        data,
        "commitments",
        [{"title": "Joint workshop", "responsible_institution": outsider.pk, "status": "planned"}],
    )

    errors = page_errors(editor_client.post(ADD, data))

    assert errors["parties"] == ["A signed memorandum needs at least two distinct parties."]
    assert errors["commitments"] == [
        "OC is not a party of this memorandum, so it cannot be responsible for a commitment."
    ]
    assert not Memorandum.objects.exists()
    assert not Memorandum.history.exists()
    assert not Party.history.exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        pytest.param(
            {"parties-1-DELETE": "on"},
            "parties",
            "A signed memorandum needs at least two distinct parties.",
            id="one-party",
        ),
        pytest.param(
            {"signed_on": ""},
            "signed_on",
            "A signed memorandum needs the date it was signed.",
            id="no-signing-date",
        ),
        pytest.param(
            {"expires_on": "2020-01-01"},
            "expires_on",
            "The expiry date must be on or after the date the memorandum takes effect.",
            id="expiry-before-effect",
        ),
        pytest.param(
            {"reference": "TAKEN-1"},
            "reference",
            "A memorandum with this reference already exists.",
            id="duplicate-reference",
        ),
        pytest.param(
            {"supersedes": "LATER"},
            "supersedes",
            "This would make a cycle: the chosen memorandum already (directly or through "
            "others) supersedes this one.",
            id="supersede-cycle",
        ),
        pytest.param(
            {"stage": "draft"},
            "stage",
            "A signed memorandum cannot go back to draft: terminate it, or supersede it with "
            "a renewal or an amendment.",
            id="signed-to-draft",
        ),
        pytest.param(
            {"signatories-0-institution": "OUTSIDER"},
            "signatories",
            "OC is not a party of this memorandum, so no one can sign for it.",
            id="signatory-of-a-non-party",
        ),
    ],
)
def test_a_change_that_breaks_a_rule_shows_the_error_and_writes_nothing(
    editor_client, change, field, message
):
    memorandum = SignedMemorandumFactory(title="As signed")
    later = SignedMemorandumFactory(supersedes=memorandum)
    MemorandumFactory(reference="TAKEN-1")
    outsider = InstitutionFactory(short_name="OC")
    SignatoryFactory(party=memorandum.parties.first())
    before = memorandum_rows(memorandum)
    history = memorandum_history(memorandum)

    data = page_data(editor_client.get(change_url(memorandum)))
    substitutes = {"LATER": later.pk, "OUTSIDER": outsider.pk}
    data |= {"title": "Changed"} | {
        name: substitutes.get(value, value) for name, value in change.items()
    }
    errors = page_errors(editor_client.post(change_url(memorandum), data))

    assert errors[field] == [message]
    assert memorandum_rows(memorandum) == before
    assert memorandum_history(memorandum) == history


def test_a_stale_version_is_a_form_error(editor_client, api):
    memorandum = SignedMemorandumFactory(title="As signed")
    page = editor_client.get(change_url(memorandum))
    assert (
        api.patch(
            f"/api/v1/memoranda/{memorandum.pk}/", {"version": 1, "title": "Theirs"}, format="json"
        ).status_code
        == 200
    )

    data = page_data(page) | {"title": "Mine"}
    errors = page_errors(editor_client.post(change_url(memorandum), data))

    assert errors["__all__"] == [
        "Someone else saved this memorandum while you were editing it. Open it again to see "
        "their change, then apply yours."
    ]
    memorandum.refresh_from_db()
    assert (memorandum.title, memorandum.version) == ("Theirs", 2)
    own = [entry for entry in memorandum_history(memorandum) if entry["model"] == "memorandum"]
    assert [entry["action"] for entry in own] == ["changed", "created"]
    assert own[0]["changes"]["title"] == ["As signed", "Theirs"]


# --- Documents: a stored file stays the one uploaded --------------------------------------


def test_an_existing_documents_file_cannot_be_replaced_and_a_new_upload_is_its_own(
    editor_client, api
):
    memorandum = SignedMemorandumFactory()
    document = DocumentFactory(memorandum=memorandum, title="Signed copy")
    stored = (document.file.name, document.sha256, document.size)

    page = editor_client.get(change_url(memorandum))
    documents = next(
        inline.formset
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.prefix == "documents"
    )
    assert documents.forms[0].fields["file"].disabled
    data = page_data(page)
    data["documents-0-file"] = SimpleUploadedFile("forged.pdf", b"%PDF-1.4 forged copy!")
    add_rows(
        data,
        "documents",
        [
            {
                "title": "Annex",
                "kind": "annex",
                "language": "en",
                "file": SimpleUploadedFile("annex.pdf", PDF),
            }
        ],
    )
    response = editor_client.post(change_url(memorandum), data)

    assert response.status_code == 302, page_errors(response)
    document.refresh_from_db()
    assert (document.file.name, document.sha256, document.size) == stored
    download = api.get(f"/api/v1/documents/{document.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 signed copy"
    annex = Document.objects.get(title="Annex")
    assert annex.sha256 == hashlib.sha256(PDF).hexdigest()
    assert annex.size == len(PDF)
    assert annex.uploaded_by.username == "editor"


def test_a_documents_details_change_and_its_removal_go_through_the_services(editor_client):
    memorandum = SignedMemorandumFactory()
    kept = DocumentFactory(memorandum=memorandum, title="Signed copy")
    removed = DocumentFactory(memorandum=memorandum, title="Old draft")

    data = page_data(editor_client.get(change_url(memorandum)))
    data |= {"documents-0-title": "Signed copy (English)", "documents-1-DELETE": "on"}
    response = editor_client.post(change_url(memorandum), data)

    assert response.status_code == 302, page_errors(response)
    assert list(memorandum.documents.values_list("title", flat=True)) == ["Signed copy (English)"]
    kept.refresh_from_db()
    assert kept.file.name and kept.sha256
    changes = {
        (entry["object_id"], entry["action"]): entry["user"]
        for entry in memorandum_history(memorandum)
        if entry["model"] == "document" and entry["action"] != "created"
    }
    assert changes == {(kept.pk, "changed"): "editor", (removed.pk, "deleted"): "editor"}


def test_no_other_path_replaces_a_stored_documents_file(editor):
    document = DocumentFactory()

    with pytest.raises(ValidationError) as refused:
        document_update(document=document, actor=editor, file=ContentFile(PDF, name="new.pdf"))
    assert "cannot be replaced" in refused.value.message_dict["file"][0]

    document.file = ContentFile(PDF, name="new.pdf")
    with pytest.raises(ValidationError):
        document.save()


# --- Stages: what is signed stays on record -----------------------------------------------


def test_signed_back_to_draft_is_refused_in_the_admin_and_then_cannot_be_deleted(editor_client):
    memorandum = SignedMemorandumFactory()

    data = page_data(editor_client.get(change_url(memorandum))) | {"stage": "draft"}
    errors = page_errors(editor_client.post(change_url(memorandum), data))
    deleting = editor_client.post(
        reverse("admin:agreements_memorandum_delete", args=[memorandum.pk]), {"post": "yes"}
    )

    assert "cannot go back to draft" in errors["stage"][0]
    assert deleting.status_code == 403
    assert Memorandum.objects.get(pk=memorandum.pk).stage == "signed"


def test_signed_back_to_draft_is_a_400_on_stage_in_the_api_and_then_cannot_be_deleted(api):
    memorandum = SignedMemorandumFactory()
    url = f"/api/v1/memoranda/{memorandum.pk}/"

    back = api.patch(url, {"version": 1, "stage": "draft"}, format="json")
    deleting = api.delete(url)

    assert back.status_code == 400
    assert "cannot go back to draft" in back.json()["stage"][0]
    assert deleting.status_code == 400
    assert Memorandum.objects.get(pk=memorandum.pk).stage == "signed"


def test_signed_may_be_terminated_and_terminated_stays_so(editor_client, api):
    in_admin, in_api = SignedMemorandumFactory(), SignedMemorandumFactory()

    data = page_data(editor_client.get(change_url(in_admin))) | {"stage": "terminated"}
    terminated_in_admin = editor_client.post(change_url(in_admin), data)
    terminated_in_api = api.patch(
        f"/api/v1/memoranda/{in_api.pk}/", {"version": 1, "stage": "terminated"}, format="json"
    )
    revived = api.patch(
        f"/api/v1/memoranda/{in_api.pk}/", {"version": 2, "stage": "signed"}, format="json"
    )
    data = page_data(editor_client.get(change_url(in_admin))) | {"stage": "negotiation"}
    errors = page_errors(editor_client.post(change_url(in_admin), data))

    assert terminated_in_admin.status_code == 302
    assert terminated_in_api.status_code == 200
    assert revived.status_code == 400
    assert revived.json()["stage"] == [
        "A terminated memorandum stays terminated; record a new agreement instead."
    ]
    assert errors["stage"] == revived.json()["stage"]
    assert set(Memorandum.objects.values_list("stage", flat=True)) == {"terminated"}
