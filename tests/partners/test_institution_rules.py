import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from partners.models import Institution
from partners.validators import validate_ror_id
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def errors_of(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


@pytest.mark.parametrize("ror_id", ["052bx8q98", "049tv2d57", "013meh722"])
def test_real_ror_ids_are_accepted(ror_id):
    validate_ror_id(ror_id)


def test_ror_id_with_wrong_check_digits_is_rejected_on_its_field():
    institution = Institution(name="Nazarbayev University", country="KZ", ror_id="052bx8q97")

    assert "check digits" in errors_of(institution)["ror_id"][0]


@pytest.mark.parametrize("ror_id", ["152bx8q98", "052bx8q9", "052bl8q98", "052BX8Q98X"])
def test_malformed_ror_id_is_rejected(ror_id):
    institution = Institution(name="Nazarbayev University", country="KZ", ror_id=ror_id)

    assert "ror_id" in errors_of(institution)


def test_ror_url_is_stored_as_the_bare_identifier():
    institution = Institution(
        name="Nazarbayev University", country="KZ", ror_id="https://ror.org/052BX8Q98"
    )
    institution.full_clean()

    assert institution.ror_id == "052bx8q98"


def test_duplicate_ror_id_is_rejected():
    InstitutionFactory(ror_id="052bx8q98")
    duplicate = Institution(name="NU again", country="KZ", ror_id="052bx8q98")

    assert "ror_id" in errors_of(duplicate)


def test_same_name_in_same_country_is_rejected_on_the_name_field_whatever_the_case():
    InstitutionFactory(name="Nazarbayev University", country="KZ")
    duplicate = Institution(name="NAZARBAYEV university", country="KZ")

    assert errors_of(duplicate)["name"] == [
        "An institution with this name already exists in this country."
    ]


def test_same_name_in_another_country_is_allowed():
    InstitutionFactory(name="National University", country="KZ")
    Institution(name="National University", country="SG").full_clean()


def test_database_refuses_duplicate_name_even_without_validation():
    InstitutionFactory(name="Nazarbayev University", country="KZ")

    with pytest.raises(IntegrityError):
        Institution.objects.create(name="nazarbayev university", country="KZ")


def test_blank_ror_ids_do_not_collide():
    first = Institution(name="First", country="KZ", ror_id="")
    first.full_clean()
    first.save()
    second = Institution(name="Second", country="KZ", ror_id="")
    second.full_clean()
    second.save()

    assert Institution.objects.filter(ror_id__isnull=True).count() == 2


def test_unknown_country_code_is_rejected():
    assert "country" in errors_of(Institution(name="Atlantis University", country="XX"))


def test_parent_cycle_is_rejected_on_the_parent_field():
    unesco = InstitutionFactory(name="UNESCO")
    ichei = InstitutionFactory(name="UNESCO-ICHEI", parent=unesco)
    unesco.parent = ichei

    assert "cycle" in errors_of(unesco)["parent"][0]
