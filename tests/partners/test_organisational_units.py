"""Organisational units and the EWP identity of institutions: what the services accept."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from partners.home import home_institution
from partners.models import Institution, OrganisationalUnit
from partners.selectors import units_with_descendants
from partners.services import (
    institution_create,
    institution_update,
    organisational_unit_create,
    organisational_unit_delete,
    organisational_unit_update,
)
from tests.factories import InstitutionFactory, UserFactory
from tests.factories.partners import OrganisationalUnitFactory

pytestmark = pytest.mark.django_db


def test_hei_id_is_stored_lowercase_and_unique():
    nu = institution_create(
        actor=None, name="Nazarbayev University", country="KZ", hei_id=" NU.edu.KZ "
    )
    assert nu.hei_id == "nu.edu.kz"
    with pytest.raises(ValidationError) as refused:
        institution_create(actor=None, name="Other", country="KZ", hei_id="nu.edu.kz")
    assert "hei_id" in refused.value.message_dict


@pytest.mark.parametrize("hei_id", ["nu", "nu edu kz", "-nu.edu.kz", "nu..kz", "nü.edu.kz"])
def test_a_hei_id_that_is_no_domain_name_is_refused(hei_id):
    with pytest.raises(ValidationError) as refused:
        institution_create(actor=None, name="NU", country="KZ", hei_id=hei_id)
    assert list(refused.value.message_dict) == ["hei_id"]


def test_blank_hei_ids_do_not_collide():
    first = institution_create(actor=None, name="A", country="KZ", hei_id="")
    second = institution_create(actor=None, name="B", country="KZ", erasmus_code="D  BERLIN01")
    assert first.hei_id is None and second.hei_id is None
    assert second.erasmus_code == "D  BERLIN01"


def test_units_form_a_tree_within_one_institution():
    nu, other = InstitutionFactory(), InstitutionFactory()
    seds = organisational_unit_create(actor=None, institution=nu, name="SEDS", kind="school")
    cs = organisational_unit_create(
        actor=None, institution=nu, parent=seds, name="Computer Science", kind="department"
    )
    with pytest.raises(ValidationError) as refused:
        organisational_unit_create(actor=None, institution=other, parent=seds, name="Elsewhere")
    assert list(refused.value.message_dict) == ["parent"]
    with pytest.raises(ValidationError) as refused:
        organisational_unit_update(organisational_unit=seds, actor=None, parent=cs)
    assert list(refused.value.message_dict) == ["parent"]
    assert units_with_descendants([seds.pk]) == sorted([seds.pk, cs.pk])


def test_unit_names_and_ounit_ids_are_unique_per_institution():
    nu = InstitutionFactory()
    organisational_unit_create(actor=None, institution=nu, name="SEDS", ounit_id="ou-1")
    with pytest.raises(ValidationError) as refused:
        organisational_unit_create(actor=None, institution=nu, name="seds")
    assert "name" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        organisational_unit_create(actor=None, institution=nu, name="GSE", ounit_id="ou-1")
    assert "ounit_id" in refused.value.message_dict
    # Another institution may use both.
    organisational_unit_create(
        actor=None, institution=InstitutionFactory(), name="SEDS", ounit_id="ou-1"
    )


def test_aliases_are_a_list_of_distinct_plain_names():
    unit = organisational_unit_create(
        actor=None,
        institution=InstitutionFactory(),
        name="School of Engineering",
        aliases=[" Инженерная школа ", "инженерная школа", ""],
    )
    assert unit.aliases == ["Инженерная школа"]
    with pytest.raises(ValidationError) as refused:
        organisational_unit_update(organisational_unit=unit, actor=None, aliases=["bell\x07"])
    assert list(refused.value.message_dict) == ["aliases"]


def test_a_unit_with_units_under_it_is_not_deleted():
    parent = OrganisationalUnitFactory()
    OrganisationalUnitFactory(institution=parent.institution, parent=parent)
    with pytest.raises(ProtectedError):
        organisational_unit_delete(organisational_unit=parent, actor=None)


def test_unit_changes_are_recorded_with_their_actor():
    actor = UserFactory()
    unit = organisational_unit_create(actor=actor, institution=InstitutionFactory(), name="GSE")
    organisational_unit_update(organisational_unit=unit, actor=actor, short_name="GSE")
    assert [(h.history_type, h.history_user) for h in unit.history.order_by("history_id")] == [
        ("+", actor),
        ("~", actor),
    ]


@pytest.mark.parametrize("key", ["ror", "short_name", "id"])
def test_the_home_institution_is_named_by_id_ror_id_or_short_name(settings, key):
    nu = InstitutionFactory(short_name="NU", ror_id="052bx8q98")
    settings.REGISTRY_HOME_INSTITUTION = {"ror": "052bx8q98", "short_name": "nu", "id": str(nu.pk)}[
        key
    ]
    assert home_institution() == nu


def test_no_home_institution_when_the_setting_is_unset_or_names_none(settings):
    InstitutionFactory(short_name="NU")
    settings.REGISTRY_HOME_INSTITUTION = ""
    assert home_institution() is None
    settings.REGISTRY_HOME_INSTITUTION = "XYZ"
    assert home_institution() is None


def test_institution_update_keeps_hei_id_checks():
    institution = InstitutionFactory()
    with pytest.raises(ValidationError):
        institution_update(institution=institution, actor=None, hei_id="not a domain")
    assert Institution.objects.get(pk=institution.pk).hei_id is None
    assert not OrganisationalUnit.objects.exists()
