"""Every write leaves a history entry with the right user and the fields it changed."""

import datetime
import json

import pytest
from rest_framework.test import APIClient

from agreements.models import Memorandum, Party
from agreements.services import memorandum_create, memorandum_update
from partners.models import Institution
from tests.agreements.support import signed_by
from tests.factories import InstitutionFactory, SignedMemorandumFactory, UserFactory
from tests.support import api_client

pytestmark = pytest.mark.django_db


def history_of(memorandum, user) -> list[dict]:
    response = api_client(user).get(f"/api/v1/memoranda/{memorandum.pk}/history/")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_api_create_is_one_entry_with_the_creator_and_the_values(editor, nu, sustech):
    response = api_client(editor).post(
        "/api/v1/memoranda/",
        {
            "title": "Trilateral MoU",
            "stage": "signed",
            "signed_on": "2023-05-29",
            "parties": [{"institution": nu.pk}, {"institution": sustech.pk}],
            "cooperation_areas": ["research"],
        },
        format="json",
    )
    memorandum = Memorandum.objects.get(pk=response.json()["id"])

    entries = history_of(memorandum, editor)

    own = [entry for entry in entries if entry["model"] == "memorandum"]
    assert len(own) == 1
    assert own[0]["action"] == "created"
    assert own[0]["user"] == "editor"
    assert own[0]["changes"]["title"] == [None, "Trilateral MoU"]
    assert own[0]["changes"]["cooperation_areas"] == [[], ["research"]]
    parties = [entry for entry in entries if entry["model"] == "party"]
    assert [(p["action"], p["user"], p["changes"]["institution"][1]) for p in parties] == [
        ("created", "editor", sustech.pk),
        ("created", "editor", nu.pk),
    ]


def test_patch_of_parties_shows_in_the_memorandums_history(editor, nu, sustech):
    memorandum = signed_by(nu, sustech, actor=editor, title="MoU")
    ichei = InstitutionFactory(short_name="ICHEI")
    auditor = UserFactory(username="auditor", groups=["registry-auditor"])
    other_editor = UserFactory(username="second-editor", groups=["registry-editor"])

    api_client(other_editor).patch(
        f"/api/v1/memoranda/{memorandum.pk}/",
        {"version": 1, "parties": [{"institution": nu.pk}, {"institution": ichei.pk}]},
        format="json",
    )

    entries = history_of(memorandum, auditor)
    newest = [e for e in entries if e["user"] == "second-editor"]
    assert {(e["model"], e["action"]) for e in newest} == {
        ("memorandum", "changed"),
        ("party", "deleted"),
        ("party", "created"),
    }
    memorandum_change = next(e for e in newest if e["model"] == "memorandum")
    assert memorandum_change["changes"]["version"] == [1, 2]
    assert entries == sorted(entries, key=lambda e: e["at"], reverse=True)


def test_service_write_records_its_actor_and_field_differences(editor):
    memorandum = SignedMemorandumFactory(title="Old")
    robot = UserFactory(username="import-robot")

    memorandum_update(memorandum=memorandum, actor=robot, title="New", sdgs=[4, 17])

    change = history_of(memorandum, editor)[0]
    assert change["user"] == "import-robot"
    assert change["changes"]["title"] == ["Old", "New"]
    assert change["changes"]["sdgs"] == [[], [4, 17]]
    # The text search reads is derived by the database, not a change anyone made.
    assert "search_document" not in change["changes"]


def test_admin_save_with_inlines_is_recorded_for_the_staff_user(client, editor):
    memorandum = SignedMemorandumFactory(title="Before")
    parties = list(memorandum.parties.all())
    client.force_login(editor)
    data = {
        "reference": memorandum.reference,
        "title": "After",
        "kind": "mou",
        "stage": "signed",
        "visibility": "public",
        "signed_on": "2023-05-29",
        "renewal_notice_days": "90",
        "tags": "",
        "loaded_version": "1",
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "2",
        "signatories-TOTAL_FORMS": "0",
        "signatories-INITIAL_FORMS": "0",
        "commitments-TOTAL_FORMS": "0",
        "commitments-INITIAL_FORMS": "0",
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
    }
    for index, party in enumerate(parties):
        data |= {
            f"parties-{index}-id": str(party.pk),
            f"parties-{index}-memorandum": str(memorandum.pk),
            f"parties-{index}-institution": str(party.institution_id),
            f"parties-{index}-role": "coordinator" if index == 0 else "party",
            f"parties-{index}-order": str(index),
        }

    response = client.post(f"/admin/agreements/memorandum/{memorandum.pk}/change/", data)

    assert response.status_code == 302
    entries = [e for e in history_of(memorandum, editor) if e["user"] == "editor"]
    own = [e for e in entries if e["model"] == "memorandum"]
    assert len(own) == 1
    assert own[0]["changes"]["title"] == ["Before", "After"]
    assert [e["changes"] for e in entries if e["model"] == "party"] == [
        {"role": ["party", "coordinator"]}
    ]
    page = client.get(f"/admin/agreements/memorandum/{memorandum.pk}/history/")
    assert "Before → After" in page.content.decode()


def test_history_is_for_editors_auditors_and_admins(nu, sustech):
    memorandum = SignedMemorandumFactory(parties=[nu, sustech], visibility="public")
    viewer = UserFactory(groups=["registry-viewer"])
    url = f"/api/v1/memoranda/{memorandum.pk}/history/"

    assert api_client(viewer).get(url).status_code == 403
    assert APIClient().get(url).status_code in (401, 403)
    for group in ("registry-editor", "registry-auditor", "registry-admin"):
        assert api_client(UserFactory(groups=[group])).get(url).status_code == 200


def test_history_of_a_hidden_memorandum_is_a_404(nu, sustech):
    memorandum = SignedMemorandumFactory(visibility="confidential")
    viewer = UserFactory(groups=["registry-viewer"])

    response = api_client(viewer).get(f"/api/v1/memoranda/{memorandum.pk}/history/")

    assert response.status_code == 404


def test_audit_export_respects_its_window(editor):
    auditor = UserFactory(groups=["registry-auditor"])
    memorandum = SignedMemorandumFactory(title="Old")
    for model in (Institution, Party, Memorandum):
        model.history.update(history_date=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))
    memorandum_update(memorandum=memorandum, actor=editor, title="New")

    response = api_client(auditor).get(
        "/api/v1/audit/export/", {"format": "json", "since": "2025-01-01"}
    )

    entries = json.loads(b"".join(response.streaming_content))
    assert [(e["model"], e["action"], e["user"]) for e in entries] == [
        ("memorandum", "changed", "editor")
    ]
    assert entries[0]["changes"]["title"] == ["Old", "New"]


def test_audit_export_as_csv_lists_every_model(editor):
    auditor = UserFactory(groups=["registry-auditor"])
    SignedMemorandumFactory()

    response = api_client(auditor).get("/api/v1/audit/export/", {"format": "csv"})

    text = b"".join(response.streaming_content).decode()
    assert text.splitlines()[0] == "at,user,action,model,object_id,memorandum_id,changes"
    assert {"memorandum", "party", "institution"} <= {
        line.split(",")[3] for line in text.splitlines()[1:]
    }


@pytest.mark.parametrize("group", ["registry-editor", "registry-viewer", None])
def test_audit_export_is_refused_to_everyone_but_auditors_and_admins(group):
    user = UserFactory(groups=[group] if group else [])

    response = api_client(user).get("/api/v1/audit/export/")

    assert response.status_code == 403


def test_audit_export_rejects_a_bad_window():
    auditor = UserFactory(groups=["registry-auditor"])

    response = api_client(auditor).get("/api/v1/audit/export/", {"since": "yesterday"})

    assert response.status_code == 400
    assert "since" in response.json()


def test_as_of_returns_the_register_before_a_later_change(editor, nu, sustech):
    memorandum = signed_by(nu, sustech, actor=editor, title="As signed", sdgs=[4])
    deleted_later = memorandum_create(actor=editor, title="Draft", parties=[])
    for model in (Memorandum, Party):
        model.history.update(history_date=datetime.datetime(2024, 1, 1, 12, tzinfo=datetime.UTC))
    ichei = InstitutionFactory(short_name="ICHEI")
    memorandum_update(
        memorandum=memorandum,
        actor=editor,
        title="Amended",
        sdgs=[4, 17],
        parties=[{"institution": nu}, {"institution": ichei}],
    )
    deleted_later.delete()
    auditor = UserFactory(groups=["registry-auditor"])

    then = api_client(auditor).get("/api/v1/memoranda/", {"as_of": "2024-06-30"}).json()
    now = api_client(auditor).get("/api/v1/memoranda/").json()

    assert sorted(m["title"] for m in then["results"]) == ["As signed", "Draft"]
    signed_then = next(m for m in then["results"] if m["title"] == "As signed")
    assert [p["short_name"] for p in signed_then["parties"]] == ["NU", "SUSTech"]
    assert signed_then["sdgs"] == [4]
    assert signed_then["status"] == "active"
    assert [m["title"] for m in now["results"]] == ["Amended"]
    before_it_existed = api_client(auditor).get("/api/v1/memoranda/", {"as_of": "2023-12-31"})
    assert before_it_existed.json()["count"] == 0


def test_as_of_export_and_its_rules(editor):
    SignedMemorandumFactory(reference="NOW")
    auditor = UserFactory(groups=["registry-auditor"])
    client = api_client(auditor)
    today = datetime.date.today().isoformat()

    export = client.get("/api/v1/memoranda/export/", {"as_of": today, "format": "json"})
    assert [m["reference"] for m in json.loads(b"".join(export.streaming_content))] == ["NOW"]

    assert client.get("/api/v1/memoranda/", {"as_of": "last week"}).status_code == 400
    combined = client.get("/api/v1/memoranda/", {"as_of": today, "kind": "mou"})
    assert "as_of combines only" in combined.json()["as_of"][0]
    viewer = UserFactory(groups=["registry-viewer"])
    assert api_client(viewer).get("/api/v1/memoranda/", {"as_of": today}).status_code == 403
