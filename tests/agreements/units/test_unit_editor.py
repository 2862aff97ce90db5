"""The registry-unit-editor: edits the memoranda its units (and the units under them) own, reads
what a viewer reads, and is granted its units in the admin."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from agreements.models import Memorandum
from agreements.services import commitment_create, memorandum_create, memorandum_update
from partners.models import UnitEditorGrant
from tests.agreements.admin.support import change_url
from tests.factories import MemorandumFactory, UserFactory
from tests.factories.partners import OrganisationalUnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(nu):
    faculty = OrganisationalUnitFactory(institution=nu, name="Faculty")
    department = OrganisationalUnitFactory(institution=nu, parent=faculty, name="Department")
    other = OrganisationalUnitFactory(institution=nu, name="Other School")
    return faculty, department, other


@pytest.fixture
def unit_editor(units):
    user = UserFactory(username="dean", is_staff=True, groups=["registry-unit-editor"])
    UnitEditorGrant.objects.create(user=user, unit=units[0])
    return user


def test_the_services_keep_a_unit_editor_to_its_units(unit_editor, units):
    faculty, department, other = units
    ours = memorandum_create(actor=unit_editor, title="Ours", owner_unit=department)
    theirs = MemorandumFactory(owner_unit=other, visibility="internal")

    memorandum_update(memorandum=ours, actor=unit_editor, summary="Changed.")
    commitment_create(memorandum=ours, actor=unit_editor, title="Summer school")
    with pytest.raises(PermissionDenied):
        memorandum_update(memorandum=theirs, actor=unit_editor, summary="Mine.")
    with pytest.raises(PermissionDenied):
        commitment_create(memorandum=theirs, actor=unit_editor, title="Mine")
    with pytest.raises(ValidationError) as refused:
        memorandum_update(memorandum=ours, actor=unit_editor, owner_unit=other)
    assert list(refused.value.message_dict) == ["owner_unit"]
    assert Memorandum.objects.get(pk=ours.pk).owner_unit == department


def test_the_admin_opens_other_units_memoranda_read_only(client, unit_editor, units):
    faculty, department, other = units
    ours = MemorandumFactory(owner_unit=department, visibility="internal")
    theirs = MemorandumFactory(owner_unit=other, visibility="internal")
    confidential = MemorandumFactory(owner_unit=department, visibility="confidential")
    client.force_login(unit_editor)

    editable = client.get(change_url(ours))
    read_only = client.get(change_url(theirs))
    posted = client.post(change_url(theirs), {"title": "Hijacked"})

    assert editable.status_code == 200 and 'name="title"' in editable.content.decode()
    assert read_only.status_code == 200 and 'name="title"' not in read_only.content.decode()
    assert posted.status_code == 403
    # Confidential ones it does not read at all, its own unit's included: it reads as a viewer.
    assert client.get(change_url(confidential)).status_code in (302, 404)


def test_a_unit_editor_does_not_import_files(client, unit_editor):
    client.force_login(unit_editor)
    assert client.get(reverse("admin:agreements_memorandum_import")).status_code == 403


def test_grants_are_managed_by_administrators_in_the_admin(client, superuser, units):
    dean = UserFactory(username="dean-2", groups=["registry-unit-editor"])
    client.force_login(superuser)

    response = client.post(
        reverse("admin:partners_uniteditorgrant_add"), {"user": dean.pk, "unit": units[0].pk}
    )

    assert response.status_code == 302, response.content
    grant = UnitEditorGrant.objects.get(user=dean)
    assert grant.history.get().history_user == superuser
