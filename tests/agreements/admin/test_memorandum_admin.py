import datetime

import pytest
from django.urls import reverse

from agreements.admin.memoranda import UsedAreaListFilter
from agreements.models import CooperationArea, Memorandum
from partners.models import InstitutionAlias
from tests.agreements.admin.support import ADD, CHANGELIST, change_url
from tests.factories.agreements import MemorandumFactory, SignatoryFactory, SignedMemorandumFactory
from tests.factories.partners import InstitutionFactory, PersonFactory
from tests.factories.users import UserFactory
from tests.support import formset_management

pytestmark = pytest.mark.django_db


def memorandum_post(*, parties, signatories=(), **fields):
    """The add form as a browser posts it: the memorandum, its inlines and their counts."""
    data = {
        "reference": "",
        "title": "Trilateral Memorandum of Understanding",
        "kind": "mou",
        "stage": "signed",
        "visibility": "public",
        "signed_on": "2023-05-29",
        "signed_at": "Astana",
        "renewal_notice_days": "90",
        "tags": "trilateral",
        **fields,
    }
    data |= formset_management("parties", len(parties))
    for index, institution in enumerate(parties):
        data |= {
            f"parties-{index}-institution": str(institution.pk),
            f"parties-{index}-role": "party",
            f"parties-{index}-order": str(index),
        }
    data |= formset_management("signatories", len(signatories))
    for index, (person, institution) in enumerate(signatories):
        data |= {
            f"signatories-{index}-person": str(person.pk),
            f"signatories-{index}-institution": str(institution.pk),
            f"signatories-{index}-mode": "in_person",
        }
    data |= formset_management("commitments", 0) | formset_management("documents", 0)
    return data


def test_changelist_shows_reference_parties_and_status(editor_client):
    nu = InstitutionFactory(short_name="NU")
    sustech = InstitutionFactory(short_name="SUSTech", country="CN")
    SignedMemorandumFactory(reference="MOU-2023-0001", parties=[nu, sustech])

    response = editor_client.get(CHANGELIST)

    content = response.content.decode()
    assert response.status_code == 200
    assert "MOU-2023-0001" in content
    assert "NU; SUSTech" in content
    assert "Active" in content


@pytest.mark.parametrize("rows", [10, 100])
def test_changelist_runs_a_fixed_number_of_queries(editor_client, rows, django_assert_num_queries):
    for _ in range(rows):
        memorandum = SignedMemorandumFactory(expires_on=datetime.date(2030, 1, 1))
        SignatoryFactory(party=memorandum.parties.first())

    # 1 session, 2 user, 3-4 user's and group permissions, 5 groups (visibility),
    # 6 area filter choices, 7 party-country filter choices, 8 approval step filter choices,
    # 9 count of the filtered list (6-9 remembered for the data version, unless the
    # transaction wrote, as here), 10 page of memoranda with status, 11 their parties with
    # institutions, 12-13 date hierarchy (range, then the dates within it)
    with django_assert_num_queries(13):
        response = editor_client.get(CHANGELIST, {"p": 0})

    assert response.status_code == 200


def test_add_page_saves_memorandum_with_parties_and_signatories(editor_client, editor):
    nu = InstitutionFactory(short_name="NU")
    sustech = InstitutionFactory(short_name="SUSTech", country="CN")
    katsu = PersonFactory(full_name="Shigeo Katsu", institution=nu)

    response = editor_client.post(
        ADD, memorandum_post(parties=[nu, sustech], signatories=[(katsu, nu)])
    )

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    memorandum = Memorandum.objects.get()
    assert memorandum.reference == "MOU-2023-0001"
    assert memorandum.effective_from == datetime.date(2023, 5, 29)
    assert memorandum.created_by == editor
    assert [p.institution for p in memorandum.parties.all()] == [nu, sustech]
    assert memorandum.signatories.get().person == katsu
    assert list(memorandum.tags.names()) == ["trilateral"]


def test_signatory_of_a_non_party_is_a_form_error_and_nothing_is_saved(editor_client):
    nu = InstitutionFactory(short_name="NU")
    sustech = InstitutionFactory(short_name="SUSTech", country="CN")
    outsider = InstitutionFactory(short_name="OC")
    stranger = PersonFactory(institution=outsider)

    response = editor_client.post(
        ADD, memorandum_post(parties=[nu, sustech], signatories=[(stranger, outsider)])
    )

    assert response.status_code == 200
    assert "OC is not a party of this memorandum" in response.content.decode()
    assert not Memorandum.objects.exists()


def test_signed_with_one_party_is_a_form_error(editor_client):
    response = editor_client.post(ADD, memorandum_post(parties=[InstitutionFactory()]))

    assert response.status_code == 200
    assert "at least two distinct parties" in response.content.decode()
    assert not Memorandum.objects.exists()


def test_expiry_before_effective_is_a_form_error_on_the_field(editor_client):
    response = editor_client.post(
        ADD,
        memorandum_post(parties=InstitutionFactory.create_batch(2), expires_on="2023-01-01"),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["expires_on"] == [
        "The expiry date must be on or after the date the memorandum takes effect."
    ]


def test_change_page_with_inlines_renders_and_saves(editor_client, editor):
    memorandum = SignedMemorandumFactory(title="Old title")
    parties = list(memorandum.parties.all())

    assert editor_client.get(change_url(memorandum)).status_code == 200

    data = memorandum_post(parties=[], title="New title", loaded_version="1")
    data |= formset_management("parties", 2, initial=2)
    for index, party in enumerate(parties):
        data |= {
            f"parties-{index}-id": str(party.pk),
            f"parties-{index}-memorandum": str(memorandum.pk),
            f"parties-{index}-institution": str(party.institution_id),
            f"parties-{index}-role": "party",
            f"parties-{index}-order": str(index),
        }
    data["reference"] = memorandum.reference
    response = editor_client.post(change_url(memorandum), data)

    assert response.status_code == 302
    memorandum.refresh_from_db()
    assert memorandum.title == "New title"
    assert memorandum.version == 2
    assert memorandum.updated_by == editor


def test_saving_over_someone_elses_change_is_refused(editor_client):
    memorandum = MemorandumFactory(title="Draft")
    Memorandum.objects.filter(pk=memorandum.pk).update(version=2)

    data = memorandum_post(
        parties=[],
        stage="draft",
        signed_on="",
        reference=memorandum.reference,
        loaded_version="1",
    )
    response = editor_client.post(change_url(memorandum), data)

    assert response.status_code == 200
    assert "Someone else saved this memorandum" in response.content.decode()


def test_search_finds_a_memorandum_by_a_partys_alias(editor_client):
    sustech = InstitutionFactory(name="Southern University of Science and Technology")
    InstitutionAlias.objects.create(institution=sustech, name="南方科技大学")
    wanted = SignedMemorandumFactory(parties=[sustech, InstitutionFactory()])
    SignedMemorandumFactory()

    response = editor_client.get(CHANGELIST, {"q": "南方科技"})

    assert list(response.context["cl"].result_list) == [wanted]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "expired"}, ["EXPIRED"]),
        ({"expiry": "90"}, ["SOON"]),
        ({"expiry": "180"}, ["SOON", "LATER"]),
        ({"expiry": "open"}, ["OPEN"]),
        ({"country": "CN"}, ["SOON"]),
    ],
)
def test_changelist_filters(editor_client, params, expected):
    today = datetime.date.today()
    chinese = InstitutionFactory(country="CN")
    SignedMemorandumFactory(
        reference="EXPIRED",
        signed_on=today - datetime.timedelta(days=900),
        expires_on=today - datetime.timedelta(days=1),
    )
    SignedMemorandumFactory(
        reference="SOON",
        signed_on=today - datetime.timedelta(days=300),
        expires_on=today + datetime.timedelta(days=60),
        parties=[chinese, InstitutionFactory()],
    )
    SignedMemorandumFactory(
        reference="LATER",
        signed_on=today - datetime.timedelta(days=300),
        expires_on=today + datetime.timedelta(days=150),
    )
    SignedMemorandumFactory(reference="OPEN", signed_on=today - datetime.timedelta(days=30))

    response = editor_client.get(CHANGELIST, params)

    assert sorted(m.reference for m in response.context["cl"].result_list) == sorted(expected)


def test_viewer_does_not_see_confidential_memoranda_in_the_admin(client):
    viewer = UserFactory(is_staff=True, groups=["registry-viewer"])
    SignedMemorandumFactory(reference="SECRET", visibility="confidential")
    internal = SignedMemorandumFactory(reference="INTERNAL", visibility="internal")
    client.force_login(viewer)

    response = client.get(CHANGELIST)

    assert list(response.context["cl"].result_list) == [internal]


def test_viewer_filter_choices_name_no_country_or_area_of_a_confidential_memorandum(client):
    viewer = UserFactory(is_staff=True, groups=["registry-viewer"])
    secret = SignedMemorandumFactory(
        visibility="confidential",
        parties=[InstitutionFactory(country="FR"), InstitutionFactory(country="FR")],
    )
    secret.cooperation_areas.set(CooperationArea.objects.filter(code="research"))
    SignedMemorandumFactory(
        visibility="internal",
        parties=[InstitutionFactory(country="KZ"), InstitutionFactory(country="KZ")],
    )
    client.force_login(viewer)

    specs = client.get(CHANGELIST).context["cl"].filter_specs
    choices = {spec.title: spec for spec in specs}

    assert [code for code, _ in choices["party country"].lookup_choices] == ["KZ"]
    # No area in use among what the viewer sees: the area filter offers nothing, so it is left out.
    assert [s.lookup_choices for s in specs if isinstance(s, UsedAreaListFilter)] in ([], [[]])


def test_only_drafts_can_be_deleted(editor_client):
    signed = SignedMemorandumFactory()
    draft = MemorandumFactory()

    signed_delete = reverse("admin:agreements_memorandum_delete", args=[signed.pk])
    draft_delete = reverse("admin:agreements_memorandum_delete", args=[draft.pk])
    assert editor_client.post(signed_delete, {"post": "yes"}).status_code == 403
    assert editor_client.post(draft_delete, {"post": "yes"}).status_code == 302
    assert list(Memorandum.objects.all()) == [signed]


def test_institution_page_lists_its_people_and_agreements(editor_client):
    nu = InstitutionFactory(name="Nazarbayev University", short_name="NU")
    PersonFactory(full_name="Shigeo Katsu", institution=nu)
    SignedMemorandumFactory(reference="MOU-2023-0001", parties=[nu, InstitutionFactory()])
    SignedMemorandumFactory(reference="HIDDEN-ONE")

    url = reverse("admin:partners_institution_change", args=[nu.pk])
    content = editor_client.get(url).content.decode()

    assert "Shigeo Katsu" in content
    assert "MOU-2023-0001" in content
    assert "HIDDEN-ONE" not in content


def test_institution_autocomplete_finds_by_short_name(editor_client):
    InstitutionFactory(name="Southern University of Science and Technology", short_name="SUSTech")

    response = editor_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "sustech",
            "app_label": "agreements",
            "model_name": "party",
            "field_name": "institution",
        },
    )

    assert [r["text"] for r in response.json()["results"]] == [
        "Southern University of Science and Technology (SUSTech)"
    ]
