"""The directory's admin pages write through `partners.services`: the same rows and history as
the API, a broken rule shown on the form with nothing written."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from agreements.models import Party
from partners.models import Institution, InstitutionAlias, PartnerLink, Person
from partners.services import partner_link_create
from tests.factories import (
    InstitutionFactory,
    MemorandumFactory,
    PersonFactory,
    SignatoryFactory,
    UserFactory,
)
from tests.support import formset_management

pytestmark = pytest.mark.django_db

INSTITUTION_ADD = reverse("admin:partners_institution_add")
INSTITUTIONS = reverse("admin:partners_institution_changelist")
PERSON_ADD = reverse("admin:partners_person_add")
PARTNER_LINK_ADD = reverse("admin:partners_partnerlink_add")

INSTITUTION = {
    "name": "Nazarbayev University",
    "short_name": "NU",
    "kind": "university",
    "country": "KZ",
    "city": "Astana",
    "website": "https://nu.edu.kz",
    "ror_id": "052bx8q98",
    "parent": "",
    "established_on": "2010-06-01",
    "description": "",
}
COMPARED = [
    "name",
    "short_name",
    "kind",
    "country",
    "city",
    "website",
    "ror_id",
    "established_on",
]


def change_url(institution):
    return reverse("admin:partners_institution_change", args=[institution.pk])


def institution_post(*, aliases=(), people=(), institution=None, **fields):
    """The institution's page as a browser posts it: new alias and people rows after the
    stored ones, which `institution` (when changing) has."""
    stored_aliases = list(institution.aliases.all()) if institution else []
    stored_people = list(institution.people.all()) if institution else []
    data = {**INSTITUTION, **fields}
    data |= formset_management("aliases", len(stored_aliases) + len(aliases), len(stored_aliases))
    for index, alias in enumerate(stored_aliases):
        data |= {
            f"aliases-{index}-id": str(alias.pk),
            f"aliases-{index}-institution": str(institution.pk),
            f"aliases-{index}-name": alias.name,
        }
    for index, name in enumerate(aliases, start=len(stored_aliases)):
        data[f"aliases-{index}-name"] = name
    data |= formset_management("people", len(stored_people) + len(people), len(stored_people))
    for index, person in enumerate(stored_people):
        data |= {
            f"people-{index}-id": str(person.pk),
            f"people-{index}-institution": str(institution.pk),
            **{
                f"people-{index}-{name}": getattr(person, name)
                for name in ["honorific", "full_name", "position", "email", "phone"]
            },
        }
    for index, person in enumerate(people, start=len(stored_people)):
        data |= {f"people-{index}-{name}": value for name, value in person.items()}
    data |= formset_management("parties", 0)
    return data


def errors_of(response) -> dict:
    return response.context["adminform"].form.errors


def test_an_institution_with_two_aliases_is_the_same_from_the_admin_as_from_the_api(
    editor_client, editor
):
    response = editor_client.post(
        INSTITUTION_ADD, institution_post(aliases=["Назарбаев Университеті", "NU Astana"])
    )
    assert response.status_code == 302
    api = APIClient()
    api.force_authenticate(editor)
    created = api.post(
        "/api/v1/institutions/",
        {
            **{name: INSTITUTION[name] for name in COMPARED},
            "country": "SG",  # the name is taken in Kazakhstan, by the admin's
            "ror_id": "",
            "aliases": ["Назарбаев Университеті", "NU Astana"],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()

    by_admin = Institution.objects.get(country="KZ")
    by_api = Institution.objects.get(pk=created.json()["id"])
    same = ["name", "short_name", "kind", "city", "website", "established_on", "match_key"]
    assert [getattr(by_admin, f) for f in same] == [getattr(by_api, f) for f in same]
    for institution in (by_admin, by_api):
        assert sorted(institution.aliases.values_list("name", flat=True)) == [
            "NU Astana",
            "Назарбаев Университеті",
        ]
        [entry] = institution.history.all()
        assert (entry.history_type, entry.history_user) == ("+", editor)
        aliases = InstitutionAlias.history.filter(institution_id=institution.pk)
        assert [(a.history_type, a.history_user) for a in aliases] == [("+", editor)] * 2
    assert (by_admin.ror_id, by_api.ror_id) == ("052bx8q98", None)


def test_changing_an_institution_replaces_its_aliases_and_writes_its_people(client, superuser):
    institution = InstitutionFactory(name="Nazarbayev University", country="KZ")
    institution.aliases.create(name="NU Astana")
    stays = PersonFactory(institution=institution, full_name="Shigeo Katsu")
    leaves = PersonFactory(institution=institution, full_name="Someone Leaving")
    data = institution_post(
        institution=institution,
        aliases=["Назарбаев Университеті"],
        people=[{"full_name": "Lu Chun", "position": "President"}],
        city="Nur-Sultan",
    )
    data["aliases-0-DELETE"] = "on"
    data["people-0-position"] = "Founding President"
    data["people-1-DELETE"] = "on"

    client.force_login(superuser)
    response = client.post(change_url(institution), data)

    assert response.status_code == 302
    institution.refresh_from_db()
    assert institution.city == "Nur-Sultan"
    assert list(institution.aliases.values_list("name", flat=True)) == ["Назарбаев Университеті"]
    assert sorted(institution.people.values_list("full_name", "position")) == [
        ("Lu Chun", "President"),
        ("Shigeo Katsu", "Founding President"),
    ]
    assert not Person.objects.filter(pk=leaves.pk).exists()
    assert [h.history_type for h in institution.history.filter(history_user=superuser)] == ["~"]
    changes = Person.history.filter(history_user=superuser)
    assert sorted((h.full_name, h.history_type) for h in changes) == [
        ("Lu Chun", "+"),
        ("Shigeo Katsu", "~"),
        ("Someone Leaving", "-"),
    ]
    assert stays.history.count() == 2


def test_a_broken_rule_is_a_form_error_and_nothing_is_written(editor_client):
    response = editor_client.post(
        INSTITUTION_ADD,
        institution_post(
            ror_id="052bx8q97",
            aliases=["NU Astana"],
            people=[{"full_name": "Shigeo Katsu"}],
        ),
    )

    assert response.status_code == 200
    assert "check digits" in errors_of(response)["ror_id"][0]
    assert not Institution.objects.exists()
    assert not InstitutionAlias.objects.exists()
    assert not Person.objects.exists()
    assert not Institution.history.exists()


def test_a_broken_rule_in_a_person_row_leaves_the_institution_unchanged(editor_client):
    institution = InstitutionFactory()
    data = institution_post(
        institution=institution,
        aliases=["A new alias"],
        people=[{"full_name": "Lu Chun", "email": "not an address"}],
        city="Shenzhen",
    )

    response = editor_client.post(change_url(institution), data)

    assert response.status_code == 200
    institution.refresh_from_db()
    assert institution.city == "Astana"
    assert not institution.aliases.exists()
    assert not institution.people.exists()
    assert institution.history.count() == 1


def test_an_institution_cannot_be_under_its_own_child(editor_client):
    parent = InstitutionFactory()
    child = InstitutionFactory(parent=parent)

    response = editor_client.post(
        change_url(parent), institution_post(institution=parent, name=parent.name, parent=child.pk)
    )

    assert response.status_code == 200
    assert errors_of(response)["parent"] == ["This parent would make a cycle of parents."]
    parent.refresh_from_db()
    assert parent.parent is None


def test_the_page_of_an_institution_party_to_agreements_still_saves(editor_client):
    institution = InstitutionFactory()
    party = Party.objects.create(memorandum=MemorandumFactory(), institution=institution)
    data = institution_post(institution=institution, name=institution.name, city="Almaty")
    # The read-only inline of the agreements it is party to, posted back as the page has it.
    data |= formset_management("parties", 1, 1) | {
        "parties-0-id": str(party.pk),
        "parties-0-institution": str(institution.pk),
    }

    response = editor_client.post(change_url(institution), data)

    assert response.status_code == 302
    institution.refresh_from_db()
    assert institution.city == "Almaty"


def test_deleting_an_institution_goes_through_the_service(client, superuser):
    institution = InstitutionFactory()
    institution.aliases.create(name="Old name")
    client.force_login(superuser)

    url = reverse("admin:partners_institution_delete", args=[institution.pk])
    response = client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not Institution.objects.filter(pk=institution.pk).exists()
    assert [h.history_type for h in Institution.history.filter(id=institution.pk)] == ["-", "+"]
    assert Institution.history.filter(id=institution.pk, history_user=superuser).count() == 1


def test_there_is_no_bulk_delete_of_institutions_or_people(client, superuser):
    client.force_login(superuser)

    for url in [INSTITUTIONS, reverse("admin:partners_person_changelist")]:
        assert "delete_selected" not in client.get(url).content.decode()


# --- People ------------------------------------------------------------------------------------


def person_post(institution, **fields):
    return {
        "honorific": "Prof.",
        "full_name": "Shigeo Katsu",
        "position": "President",
        "institution": str(institution.pk),
        "email": "katsu@example.org",
        "phone": "",
        **fields,
    }


def test_a_person_added_in_the_admin_is_the_same_as_from_the_api(editor_client, editor):
    institution = InstitutionFactory()

    assert editor_client.post(PERSON_ADD, person_post(institution)).status_code == 302
    api = APIClient()
    api.force_authenticate(editor)
    response = api.post("/api/v1/people/", person_post(institution, full_name="Lu Chun"))
    assert response.status_code == 201

    fields = ["honorific", "position", "institution_id", "email", "phone"]
    by_admin = Person.objects.get(full_name="Shigeo Katsu")
    by_api = Person.objects.get(full_name="Lu Chun")
    assert [getattr(by_admin, f) for f in fields] == [getattr(by_api, f) for f in fields]
    for person in (by_admin, by_api):
        [entry] = person.history.all()
        assert (entry.history_type, entry.history_user) == ("+", editor)


def test_a_person_with_a_bad_email_is_a_form_error(editor_client):
    response = editor_client.post(PERSON_ADD, person_post(InstitutionFactory(), email="katsu"))

    assert response.status_code == 200
    assert "email" in errors_of(response)
    assert not Person.objects.exists()


def test_a_person_is_changed_and_deleted_through_the_services(client, superuser):
    person = PersonFactory(full_name="Shigeo Katsu")
    client.force_login(superuser)
    change = reverse("admin:partners_person_change", args=[person.pk])

    client.post(change, person_post(person.institution, position="Founding President"))
    client.post(reverse("admin:partners_person_delete", args=[person.pk]), {"post": "yes"})

    history = Person.history.filter(id=person.pk).order_by("history_id")
    assert [(h.history_type, h.position, h.history_user) for h in history] == [
        ("+", "Rector", None),
        ("~", "Founding President", superuser),
        ("-", "Founding President", superuser),
    ]


def test_a_person_who_signed_is_not_deleted(client, superuser):
    signatory = SignatoryFactory()
    client.force_login(superuser)

    url = reverse("admin:partners_person_delete", args=[signatory.person_id])
    response = client.post(url, {"post": "yes"})

    assert response.status_code == 200
    assert "protected" in response.content.decode()
    assert Person.objects.filter(pk=signatory.person_id).exists()


# --- Partner links -----------------------------------------------------------------------------


def test_a_partner_link_is_made_changed_and_removed_with_its_history(client, superuser):
    partner = UserFactory(username="nu-client")
    nu, sustech = InstitutionFactory(), InstitutionFactory()
    client.force_login(superuser)

    response = client.post(PARTNER_LINK_ADD, {"user": partner.pk, "institution": nu.pk})
    assert response.status_code == 302
    link = PartnerLink.objects.get(user=partner)
    change = reverse("admin:partners_partnerlink_change", args=[link.pk])
    client.post(change, {"user": partner.pk, "institution": sustech.pk})
    link.refresh_from_db()
    assert link.institution == sustech
    client.post(reverse("admin:partners_partnerlink_delete", args=[link.pk]), {"post": "yes"})

    assert not PartnerLink.objects.exists()
    history = PartnerLink.history.order_by("history_id")
    assert [(h.history_type, h.institution_id, h.history_user) for h in history] == [
        ("+", nu.pk, superuser),
        ("~", sustech.pk, superuser),
        ("-", sustech.pk, superuser),
    ]


def test_a_user_linked_already_is_a_form_error(client, superuser):
    partner = UserFactory(username="nu-client")
    partner_link_create(user=partner, institution=InstitutionFactory(), actor=None)
    client.force_login(superuser)

    response = client.post(
        PARTNER_LINK_ADD, {"user": partner.pk, "institution": InstitutionFactory().pk}
    )

    assert response.status_code == 200
    assert "user" in errors_of(response)
    assert PartnerLink.objects.count() == 1
