"""Text written through the services holds no control characters but tabs and line breaks:
whichever way it comes in (the API, the admin, an import), the field is named."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from agreements.models import Memorandum
from agreements.services import commitment_create, memorandum_create, memorandum_update
from partners.services import institution_create, person_create
from tests.factories import InstitutionFactory, MemorandumFactory, UserFactory

pytestmark = pytest.mark.django_db


def errors_of(write, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        write(actor=None, **kwargs)
    return caught.value.message_dict


def test_a_memorandum_title_with_a_bell_is_refused_on_title():
    institution = InstitutionFactory()

    errors = errors_of(memorandum_create, title="Ring \x07", parties=[{"institution": institution}])

    assert list(errors) == ["title"]
    assert "U+0007" in errors["title"][0]
    assert not Memorandum.objects.exists()


def test_every_text_field_is_checked_not_only_the_title():
    memorandum = MemorandumFactory()

    errors = errors_of(
        memorandum_update,
        memorandum=memorandum,
        summary="\x0b",
        internal_notes="form\x0cfeed",
        owner_email="owner\x1f@nu.edu.kz",
    )

    assert set(errors) == {"summary", "internal_notes", "owner_email"}


def test_tags_with_control_characters_or_too_long_are_refused_on_tags():
    institution = InstitutionFactory()

    errors = errors_of(
        memorandum_create,
        title="Tagged",
        parties=[{"institution": institution}],
        tags=["fine", "bad\x00", "x" * 101],
    )

    assert list(errors) == ["tags"]
    assert len(errors["tags"]) == 2


def test_institutions_people_and_commitments_are_checked_too():
    institution = InstitutionFactory()

    assert list(errors_of(institution_create, name="Uni\x00", country="KZ")) == ["name"]
    assert list(errors_of(person_create, full_name="Dr\x08 Who", institution=institution)) == [
        "full_name"
    ]
    assert list(
        errors_of(commitment_create, memorandum=MemorandumFactory(), title="Visit\x02")
    ) == ["title"]


def test_writing_such_a_title_through_the_api_is_a_400_naming_title():
    editor = UserFactory(groups=["registry-editor"])
    memorandum = MemorandumFactory(title="Before")
    client = APIClient()
    client.force_authenticate(editor)

    response = client.patch(
        f"/api/v1/memoranda/{memorandum.pk}/",
        {"title": "After\x07", "version": memorandum.version},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["title"]
    memorandum.refresh_from_db()
    assert memorandum.title == "Before"


def test_the_admin_form_names_the_field_too(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    institution = InstitutionFactory(name="Old name")

    response = client.post(
        f"/admin/partners/institution/{institution.pk}/change/",
        {"name": "New\x07name", "country": "KZ", "kind": "university"},
    )

    assert response.status_code == 400
    assert response.content.decode().startswith("name: Remove the control character U+0007")
    institution.refresh_from_db()
    assert institution.name == "Old name"
