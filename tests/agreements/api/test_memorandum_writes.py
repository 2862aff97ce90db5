"""Writing memoranda through the API: nested parts in one transaction, rules, versions."""

import datetime
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from agreements.models import Memorandum
from partners.models import PartnerLink
from tests.factories import (
    InstitutionFactory,
    MemorandumFactory,
    PersonFactory,
    SignedMemorandumFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/memoranda/"


def detail(memorandum) -> str:
    return f"/api/v1/memoranda/{memorandum.pk}/"


@pytest.fixture
def trilateral(nu, sustech):
    katsu = PersonFactory(full_name="Shigeo Katsu", institution=nu)
    lu = PersonFactory(full_name="Lu Chun", institution=sustech)
    return {
        "title": "Trilateral Memorandum of Understanding",
        "kind": "mou",
        "stage": "signed",
        "signed_on": "2023-05-29",
        "visibility": "public",
        "parties": [
            {"institution": nu.pk, "role": "coordinator"},
            {"institution": sustech.pk, "role": "party"},
        ],
        "signatories": [
            {"person": katsu.pk, "institution": nu.pk, "mode": "in_person"},
            {"person": lu.pk, "institution": sustech.pk, "mode": "remote"},
        ],
        "cooperation_areas": ["research", "online-education"],
        "sdgs": [4],
        "tags": ["trilateral"],
    }


def test_create_with_parties_signatories_and_areas_in_one_request(api, trilateral, editor):
    response = api.post(LIST, trilateral, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference"] == "MOU-2023-0001"
    assert body["status"] == "active"
    assert body["effective_from"] == "2023-05-29"
    assert body["version"] == 1
    assert body["created_by"] == editor.username
    assert [(p["short_name"], p["country"], p["role"]) for p in body["parties"]] == [
        ("NU", "KZ", "coordinator"),
        ("SUSTech", "CN", "party"),
    ]
    assert [(s["full_name"], s["mode"]) for s in body["signatories"]] == [
        ("Shigeo Katsu", "in_person"),
        ("Lu Chun", "remote"),
    ]
    assert sorted(body["cooperation_areas"]) == ["online-education", "research"]
    assert body["sdgs"] == [4]
    assert body["tags"] == ["trilateral"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"parties": "pop"}, "parties", "at least two distinct parties"),
        ({"sdgs": [4, 18]}, "sdgs", "less than or equal to 17"),
        ({"cooperation_areas": ["astrology"]}, "cooperation_areas", "does not exist"),
        ({"expires_on": "2020-01-01"}, "expires_on", "on or after"),
        ({"signed_on": None}, "signed_on", "date it was signed"),
        ({"kind": "treaty"}, "kind", "not a valid choice"),
        ({"signed_on": "29/05/2023"}, "signed_on", "Date has wrong format"),
        ({"title": ""}, "title", "may not be blank"),
        ({"parties": [{"institution": 999999}]}, "parties", "does not exist"),
        ({"parties": "duplicate"}, "parties", "more than once"),
        ({"signatories": "outsider"}, "signatories", "is not a party"),
        ({"supersedes": 999999}, "supersedes", "does not exist"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(
    api, trilateral, change, field, message
):
    payload = dict(trilateral)
    for key, value in change.items():
        if value == "pop":
            payload[key] = payload[key][:1]
        elif value == "duplicate":
            payload[key] = [payload[key][0], payload[key][0]]
        elif value == "outsider":
            outsider = InstitutionFactory(short_name="OC")
            person = PersonFactory(institution=outsider)
            payload[key] = [{"person": person.pk, "institution": outsider.pk}]
        else:
            payload[key] = value

    response = api.post(LIST, payload, format="json")

    assert response.status_code == 400
    assert message in str(response.json()[field])
    assert not Memorandum.objects.exists()


def test_wrong_types_are_rejected_not_crashed(api):
    response = api.post(
        LIST, {"title": ["a"], "parties": "NU", "sdgs": "four", "tags": 7}, format="json"
    )

    assert response.status_code == 400
    assert {"title", "parties", "sdgs", "tags"} <= set(response.json())


def test_duplicate_reference_is_a_400_on_reference(api, trilateral):
    MemorandumFactory(reference="MOU-2023-0001")

    response = api.post(LIST, {**trilateral, "reference": "MOU-2023-0001"}, format="json")

    assert response.status_code == 400
    assert response.json()["reference"] == ["A memorandum with this reference already exists."]


def test_patch_replaces_a_sent_list_whole_and_keeps_the_others(api, nu, sustech, trilateral):
    memorandum_id = api.post(LIST, trilateral, format="json").json()["id"]
    ichei = InstitutionFactory(short_name="UNESCO-ICHEI", country="CN")
    url = f"{LIST}{memorandum_id}/"

    response = api.patch(
        url,
        {
            "version": 1,
            "parties": [
                {"institution": nu.pk},
                {"institution": ichei.pk},
                {"institution": sustech.pk},
            ],
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert [p["short_name"] for p in body["parties"]] == ["NU", "UNESCO-ICHEI", "SUSTech"]
    assert len(body["signatories"]) == 2
    assert sorted(body["cooperation_areas"]) == ["online-education", "research"]
    assert body["version"] == 2
    assert response["ETag"] == f'"m{memorandum_id}-v2"'


def test_patch_naming_a_party_twice_is_a_400_and_changes_nothing(api, nu, sustech, trilateral):
    # Found by schemathesis: the database's unique constraint answered first, as a 500.
    memorandum_id = api.post(LIST, trilateral, format="json").json()["id"]

    response = api.patch(
        f"{LIST}{memorandum_id}/",
        {"version": 1, "parties": [{"institution": nu.pk}, {"institution": nu.pk}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["parties"] == [
        {},
        {"institution": ["Each institution is a party once; listed more than once: NU."]},
    ]
    after = api.get(f"{LIST}{memorandum_id}/").json()
    assert [p["short_name"] for p in after["parties"]] == ["NU", "SUSTech"]
    assert after["version"] == 1


def test_put_without_version_or_if_match_is_refused(api):
    memorandum = MemorandumFactory(title="Draft")

    response = api.patch(detail(memorandum), {"title": "Changed"}, format="json")

    assert response.status_code == 400
    assert "version" in response.json()


def test_stale_version_is_a_409_and_changes_nothing(api):
    memorandum = SignedMemorandumFactory(title="Original")
    api.patch(detail(memorandum), {"version": 1, "title": "First editor"}, format="json")

    response = api.patch(detail(memorandum), {"version": 1, "title": "Second"}, format="json")

    assert response.status_code == 409
    assert "changed since you read it" in response.json()["version"][0]
    memorandum.refresh_from_db()
    assert (memorandum.title, memorandum.version) == ("First editor", 2)


def test_if_match_with_the_current_etag_updates(api):
    memorandum = MemorandumFactory(title="Draft")
    etag = api.get(detail(memorandum))["ETag"]

    response = api.patch(
        detail(memorandum), {"title": "Renamed"}, format="json", HTTP_IF_MATCH=etag
    )

    assert response.status_code == 200
    assert response.json()["title"] == "Renamed"


def test_stale_if_match_is_a_412_and_changes_nothing(api):
    memorandum = MemorandumFactory(title="Draft")
    etag = api.get(detail(memorandum))["ETag"]
    api.patch(detail(memorandum), {"title": "Someone else", "version": 1}, format="json")

    response = api.put(
        detail(memorandum),
        {"title": "Mine", "kind": "mou", "stage": "draft", "visibility": "public"},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 412
    memorandum.refresh_from_db()
    assert memorandum.title == "Someone else"


def test_put_replaces_the_memorandum_and_validates_the_new_terms(api, nu, sustech):
    memorandum = MemorandumFactory(title="Draft")

    response = api.put(
        detail(memorandum),
        {
            "version": 1,
            "title": "Signed now",
            "kind": "moa",
            "stage": "signed",
            "signed_on": "2024-02-01",
            "visibility": "internal",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "at least two distinct parties" in response.json()["parties"][0]
    memorandum.refresh_from_db()
    assert (memorandum.title, memorandum.stage, memorandum.version) == ("Draft", "draft", 1)


def test_only_drafts_can_be_deleted(api):
    signed = SignedMemorandumFactory()
    draft = MemorandumFactory()

    refused = api.delete(detail(signed))
    deleted = api.delete(detail(draft))

    assert refused.status_code == 400
    assert "Only draft memoranda" in refused.json()["stage"][0]
    assert deleted.status_code == 204
    assert list(Memorandum.objects.all()) == [signed]


def test_partner_cannot_assign_version_or_visibility(nu, sustech):
    memorandum = SignedMemorandumFactory(parties=[nu, sustech], visibility="confidential")
    partner = UserFactory()
    PartnerLink.objects.create(user=partner, institution=nu)
    client = APIClient()
    client.force_authenticate(partner)

    response = client.patch(
        detail(memorandum), {"version": 1, "visibility": "public"}, format="json"
    )

    assert response.status_code == 403
    memorandum.refresh_from_db()
    assert memorandum.visibility == "confidential"


def test_created_by_and_status_cannot_be_written(api, trilateral, editor):
    other = UserFactory()

    response = api.post(
        LIST,
        {**trilateral, "created_by": other.username, "status": "expired", "version": 9},
        format="json",
    )

    body = response.json()
    assert body["created_by"] == editor.username
    assert body["status"] == "active"
    assert body["version"] == 1


def test_commitment_of_a_non_party_is_a_400(api, nu, sustech):
    memorandum = SignedMemorandumFactory(parties=[nu, sustech])
    outsider = InstitutionFactory(short_name="OC")

    response = api.post(
        "/api/v1/commitments/",
        {
            "memorandum": memorandum.pk,
            "title": "Summit invitation",
            "responsible_institution": outsider.pk,
            "area": "online-education",
            "due_on": "2023-12-01",
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "responsible_institution": [
            "OC is not a party of this memorandum, so it cannot be responsible for a commitment."
        ]
    }


def test_commitment_is_created_for_a_party(api, nu, sustech):
    memorandum = SignedMemorandumFactory(parties=[nu, sustech])

    response = api.post(
        "/api/v1/commitments/",
        {
            "memorandum": memorandum.pk,
            "title": "IIOE Global Partners Summit",
            "responsible_institution": sustech.pk,
            "area": "online-education",
            "due_on": "2023-12-01",
            "status": "done",
            "completed_on": "2023-12-05",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["area"] == "online-education"


def test_institution_is_created_with_aliases_and_a_checked_ror_id(api):
    response = api.post(
        "/api/v1/institutions/",
        {
            "name": "Nazarbayev University",
            "short_name": "NU",
            "country": "KZ",
            "ror_id": "https://ror.org/052bx8q98",
            "aliases": ["Назарбаев Университет"],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["ror_id"] == "052bx8q98"
    assert response.json()["aliases"] == ["Назарбаев Университет"]

    duplicate = api.post(
        "/api/v1/institutions/",
        {"name": "nazarbayev university", "country": "KZ", "ror_id": "052bx8q97"},
        format="json",
    )
    assert duplicate.status_code == 400
    assert set(duplicate.json()) == {"name", "ror_id"}


def test_deleting_an_institution_that_is_a_party_is_a_409(nu, sustech):
    SignedMemorandumFactory(parties=[nu, sustech])
    client = APIClient()
    client.force_authenticate(UserFactory(groups=["registry-admin"]))

    response = client.delete(f"/api/v1/institutions/{nu.pk}/")

    assert response.status_code == 409
    assert "cannot be deleted" in response.json()["detail"]


def test_documents_upload_and_download_with_checksum(api):
    memorandum = SignedMemorandumFactory()
    content = b"%PDF-1.4 the signed copy"

    upload = api.post(
        f"{detail(memorandum)}documents/",
        {
            "title": "Signed copy",
            "kind": "signed_copy",
            "language": "en",
            "file": SimpleUploadedFile("signed.pdf", content, content_type="application/pdf"),
        },
        format="multipart",
    )

    assert upload.status_code == 201, upload.json()
    assert upload.json()["sha256"] == hashlib.sha256(content).hexdigest()
    assert upload.json()["size"] == len(content)
    download = api.get(upload.json()["download_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == content


def test_signed_on_in_the_future_keeps_it_pending(api, trilateral):
    future = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()

    response = api.post(LIST, {**trilateral, "signed_on": future}, format="json")

    assert response.json()["status"] == "pending"


def test_public_amendment_does_not_reveal_its_confidential_original(nu, sustech):
    original = SignedMemorandumFactory(parties=[nu, sustech], visibility="confidential")
    amendment = MemorandumFactory(kind="amendment", supersedes=original, visibility="public")

    anonymous = APIClient().get(detail(amendment)).json()
    staff = APIClient()
    staff.force_authenticate(UserFactory(groups=["registry-auditor"]))

    assert anonymous["supersedes"] is None
    assert staff.get(detail(amendment)).json()["supersedes"] == original.pk
