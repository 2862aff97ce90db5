"""Partners acknowledge a memorandum's terms; a change of terms makes it stale, for all to see."""

import csv
import datetime
import io
import json

import pytest

from agreements.acknowledgements.services import acknowledgement_create
from agreements.models import Acknowledgement, CooperationArea
from agreements.services import (
    commitment_create,
    institution_merge,
    memorandum_update,
)
from tests.factories import InstitutionFactory, UserFactory

from .conftest import client_for, signed_memorandum

pytestmark = pytest.mark.django_db


def detail(user, memorandum):
    response = client_for(user).get(f"/api/v1/memoranda/{memorandum.pk}/")
    assert response.status_code == 200, response.content
    return response.json()


def acknowledge(user, memorandum, fingerprint):
    return client_for(user).post(
        f"/api/v1/memoranda/{memorandum.pk}/acknowledge/", {"fingerprint": fingerprint}
    )


def states(body) -> dict[int, str]:
    return {entry["institution"]: entry["state"] for entry in body["acknowledgements"]}


def test_a_memorandum_reads_with_its_fingerprint_and_one_pending_state_per_party(
    memorandum, nu, sustech, editor
):
    body = detail(editor, memorandum)

    assert len(body["fingerprint"]) == 64
    assert body["acknowledgements"] == [
        {"institution": nu.pk, "state": "pending", "fingerprint": None, "acknowledged_at": None},
        {
            "institution": sustech.pk,
            "state": "pending",
            "fingerprint": None,
            "acknowledged_at": None,
        },
    ]


def test_the_partner_of_a_party_acknowledges_the_current_fingerprint(
    memorandum, nu, sustech, partner_nu
):
    fingerprint = detail(partner_nu, memorandum)["fingerprint"]

    response = acknowledge(partner_nu, memorandum, fingerprint)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["institution"] == nu.pk
    assert body["memorandum"] == memorandum.pk
    assert body["fingerprint"] == fingerprint
    assert body["state"] == "acknowledged"
    after = detail(partner_nu, memorandum)
    assert states(after) == {nu.pk: "acknowledged", sustech.pk: "pending"}
    assert after["acknowledgements"][0]["acknowledged_at"] is not None
    acknowledgement = Acknowledgement.objects.get()
    assert acknowledgement.acknowledged_by == partner_nu


def test_acknowledging_the_same_terms_again_changes_nothing(memorandum, partner_nu):
    fingerprint = detail(partner_nu, memorandum)["fingerprint"]
    first = acknowledge(partner_nu, memorandum, fingerprint).json()

    again = acknowledge(partner_nu, memorandum, fingerprint)

    assert again.status_code == 200
    assert again.json() == first
    assert Acknowledgement.objects.count() == 1


def test_a_fingerprint_that_is_not_the_current_one_is_a_409_on_fingerprint(memorandum, partner_nu):
    response = acknowledge(partner_nu, memorandum, "0" * 64)

    assert response.status_code == 409
    assert list(response.json()) == ["fingerprint"]
    assert "terms have changed" in response.json()["fingerprint"][0]
    assert not Acknowledgement.objects.exists()


def test_a_malformed_fingerprint_is_a_400(memorandum, partner_nu):
    response = acknowledge(partner_nu, memorandum, "not a fingerprint")

    assert response.status_code == 400
    assert "fingerprint" in response.json()


def test_a_draft_cannot_be_acknowledged(editor, nu, sustech, partner_nu):
    draft = signed_memorandum(editor, [nu, sustech], stage="draft")
    assert detail(partner_nu, draft)["fingerprint"] is None

    response = acknowledge(partner_nu, draft, "0" * 64)

    assert response.status_code == 400
    assert "Only a signed memorandum" in response.json()["fingerprint"][0]


def test_the_partner_of_an_institution_that_is_not_a_party_is_refused(
    memorandum, partner_other, partner_nu
):
    fingerprint = detail(partner_nu, memorandum)["fingerprint"]

    response = acknowledge(partner_other, memorandum, fingerprint)

    # The memorandum is public, so it may see it (403), but it is not its to acknowledge.
    assert response.status_code == 403
    assert not Acknowledgement.objects.exists()


def test_a_memorandum_the_partner_may_not_see_is_a_404(editor, sustech, outsider, partner_nu):
    hidden = signed_memorandum(editor, [sustech, outsider], visibility="confidential")

    response = acknowledge(partner_nu, hidden, "0" * 64)

    assert response.status_code == 404


@pytest.mark.parametrize("role", ["editor", "admin", "auditor", "viewer", "superuser"])
def test_staff_do_not_acknowledge_for_a_party(role, memorandum):
    groups = {"editor", "admin", "auditor", "viewer"}
    user = UserFactory(
        username=f"staff-{role}",
        is_superuser=role == "superuser",
        groups=[f"registry-{role}"] if role in groups else [],
    )
    fingerprint = detail(user, memorandum)["fingerprint"]

    assert acknowledge(user, memorandum, fingerprint).status_code == 403


def test_anonymous_visitors_must_authenticate(memorandum):
    response = client_for().post(
        f"/api/v1/memoranda/{memorandum.pk}/acknowledge/", {"fingerprint": "0" * 64}
    )

    assert response.status_code == 401


def test_a_change_of_terms_makes_the_acknowledgement_stale_for_everyone_who_can_see_it(
    memorandum, nu, sustech, editor, partner_nu, partner_sustech, partner_other
):
    old = detail(partner_nu, memorandum)["fingerprint"]
    acknowledge(partner_nu, memorandum, old)
    acknowledged_at = detail(partner_nu, memorandum)["acknowledgements"][0]["acknowledged_at"]

    response = client_for(editor).patch(
        f"/api/v1/memoranda/{memorandum.pk}/",
        {"cooperation_areas": ["research"], "version": memorandum.version},
    )
    assert response.status_code == 200, response.content

    readers = [
        None,  # anonymous: the memorandum is public
        UserFactory(username="viewer", groups=["registry-viewer"]),
        editor,
        partner_nu,
        partner_sustech,
        partner_other,
    ]
    for reader in readers:
        body = client_for(reader).get(f"/api/v1/memoranda/{memorandum.pk}/").json()
        assert body["fingerprint"] != old
        assert body["acknowledgements"] == [
            {
                "institution": nu.pk,
                "state": "stale",
                "fingerprint": old,
                "acknowledged_at": acknowledged_at,
            },
            {
                "institution": sustech.pk,
                "state": "pending",
                "fingerprint": None,
                "acknowledged_at": None,
            },
        ]
        listed = client_for(reader).get("/api/v1/memoranda/").json()["results"]
        assert listed[0]["acknowledgements"] == body["acknowledgements"]
    # Never deleted: the stale acknowledgement stays, and a new one joins it.
    new = detail(partner_nu, memorandum)["fingerprint"]
    assert acknowledge(partner_nu, memorandum, old).status_code == 409
    assert acknowledge(partner_nu, memorandum, new).status_code == 200
    assert sorted(Acknowledgement.objects.values_list("fingerprint", flat=True)) == sorted(
        [old, new]
    )
    assert states(detail(partner_sustech, memorandum)) == {
        nu.pk: "acknowledged",
        sustech.pk: "pending",
    }


def test_terms_changed_back_are_acknowledged_again(memorandum, nu, editor, partner_nu):
    first = detail(partner_nu, memorandum)["fingerprint"]
    acknowledge(partner_nu, memorandum, first)
    memorandum_update(memorandum=memorandum, actor=editor, sdgs=[4, 17])
    second = detail(partner_nu, memorandum)["fingerprint"]
    acknowledge(partner_nu, memorandum, second)

    memorandum_update(memorandum=memorandum, actor=editor, sdgs=[4])

    body = detail(partner_nu, memorandum)
    assert body["fingerprint"] == first
    assert body["acknowledgements"][0]["state"] == "acknowledged"
    assert body["acknowledgements"][0]["fingerprint"] == first


def test_a_new_commitment_makes_it_stale(memorandum, nu, editor, partner_nu):
    acknowledge(partner_nu, memorandum, detail(partner_nu, memorandum)["fingerprint"])

    response = client_for(editor).post(
        "/api/v1/commitments/",
        {"memorandum": memorandum.pk, "title": "Summit", "due_on": "2023-12-31"},
    )
    assert response.status_code == 201, response.content

    assert states(detail(partner_nu, memorandum))[nu.pk] == "stale"


def test_the_history_shows_the_acknowledgement_and_the_change_of_terms(
    memorandum, editor, partner_nu
):
    acknowledge(partner_nu, memorandum, detail(partner_nu, memorandum)["fingerprint"])
    commitment_create(
        memorandum=memorandum, actor=editor, title="Summit", due_on=datetime.date(2023, 12, 31)
    )

    history = client_for(editor).get(f"/api/v1/memoranda/{memorandum.pk}/history/").json()

    entries = [(e["model"], e["action"], e["user"]) for e in history["results"]]
    assert entries[:2] == [
        ("commitment", "created", "editor"),
        ("acknowledgement", "created", "partner-nu"),
    ]
    acknowledged = history["results"][1]["changes"]
    assert set(acknowledged) >= {"institution", "fingerprint", "acknowledged_by"}


def test_the_export_ends_with_the_fingerprint(memorandum, editor, nu, sustech):
    draft = signed_memorandum(editor, [nu, sustech], stage="draft", title="Draft")
    response = client_for(editor).get("/api/v1/memoranda/export/", {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(text))}

    header = text.splitlines()[0].split(",")
    assert header[-2:] == ["supersedes", "fingerprint"]
    assert rows[memorandum.reference]["fingerprint"] == detail(editor, memorandum)["fingerprint"]
    assert rows[draft.reference]["fingerprint"] == ""


def test_the_admin_shows_the_fingerprint_and_each_partys_state(
    client, memorandum, nu, editor, partner_nu
):
    fingerprint = detail(partner_nu, memorandum)["fingerprint"]
    acknowledge(partner_nu, memorandum, fingerprint)
    memorandum_update(memorandum=memorandum, actor=editor, sdgs=[4, 17])
    current = detail(partner_nu, memorandum)["fingerprint"]
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    page = client.get(f"/admin/agreements/memorandum/{memorandum.pk}/change/")

    assert page.status_code == 200
    html = page.content.decode()
    assert current in html
    assert 'id="acknowledgements"' in html
    assert "stale: acknowledged earlier terms" in html
    assert fingerprint in html  # the one NU acknowledged
    assert "pending: never acknowledged" in html


def test_a_merge_moves_acknowledgements_to_the_kept_institution(memorandum, nu, editor):
    duplicate = InstitutionFactory(name="Nazarbaev Univ.", short_name="", country="KZ")
    other = signed_memorandum(editor, [duplicate, InstitutionFactory()])
    acknowledgement, _ = acknowledgement_create(
        memorandum=other,
        institution=duplicate,
        fingerprint_seen=detail(editor, other)["fingerprint"],
        actor=editor,
    )

    institution_merge(keep=nu, duplicates=[duplicate], actor=editor)

    acknowledgement.refresh_from_db()
    assert acknowledgement.institution == nu
    # The parties are part of the terms: after the merge the acknowledgement is stale.
    assert states(detail(editor, other))[nu.pk] == "stale"


def test_the_register_as_of_a_past_day_has_the_fingerprint_and_states_of_that_day(
    memorandum, nu, editor, partner_nu
):
    old = detail(partner_nu, memorandum)["fingerprint"]
    acknowledge(partner_nu, memorandum, old)
    then = datetime.datetime(2024, 1, 1, 12, tzinfo=datetime.UTC)
    for model in (type(memorandum), Acknowledgement):
        model.history.update(history_date=then)
    memorandum.parties.model.history.update(history_date=then)
    memorandum_update(
        memorandum=memorandum,
        actor=editor,
        cooperation_areas=[CooperationArea.objects.get(code="research")],
    )
    auditor = UserFactory(username="auditor", groups=["registry-auditor"])

    as_of = client_for(auditor).get("/api/v1/memoranda/", {"as_of": "2024-06-30"}).json()
    today = client_for(auditor).get("/api/v1/memoranda/").json()

    assert as_of["results"][0]["fingerprint"] == old
    assert states(as_of["results"][0])[nu.pk] == "acknowledged"
    assert today["results"][0]["fingerprint"] != old
    assert states(today["results"][0])[nu.pk] == "stale"


def test_the_export_as_of_a_past_day_has_the_cells_and_fingerprint_of_that_day(
    memorandum, nu, sustech, editor
):
    old = detail(editor, memorandum)["fingerprint"]
    then = datetime.datetime(2024, 1, 1, 12, tzinfo=datetime.UTC)
    for model in (type(memorandum), memorandum.parties.model):
        model.history.update(history_date=then)
    ichei = InstitutionFactory(name="UNESCO-ICHEI", short_name="ICHEI", country="CN")
    memorandum_update(
        memorandum=memorandum,
        actor=editor,
        title="Amended",
        sdgs=[4, 17],
        cooperation_areas=[CooperationArea.objects.get(code="research")],
        parties=[{"institution": nu}, {"institution": ichei}],
    )
    auditor = UserFactory(username="auditor", groups=["registry-auditor"])
    client = client_for(auditor)

    def exported(**params):
        response = client.get("/api/v1/memoranda/export/", {"format": "json", **params})
        [row] = json.loads(b"".join(response.streaming_content))
        return row

    then_row, today_row = exported(as_of="2024-06-30"), exported()

    assert then_row["title"] == "Trilateral memorandum"
    assert (then_row["parties"], then_row["party_countries"]) == ("NU; SUSTech", "KZ; CN")
    assert (then_row["sdgs"], then_row["cooperation_areas"]) == ("4", "")
    assert (then_row["status"], then_row["fingerprint"]) == ("active", old)
    assert today_row["title"] == "Amended"
    assert (today_row["parties"], today_row["sdgs"]) == ("NU; ICHEI", "4; 17")
    assert today_row["cooperation_areas"] == "research"
    assert today_row["fingerprint"] == detail(editor, memorandum)["fingerprint"] != old
