import factory

from partners.models import Institution, OrganisationalUnit, Person

from .base import RegistryFactory


class InstitutionFactory(RegistryFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"University of Testing {n}")
    short_name = factory.Sequence(lambda n: f"UT{n}")
    kind = Institution.Kind.UNIVERSITY
    country = "KZ"
    city = "Astana"


class PersonFactory(RegistryFactory):
    class Meta:
        model = Person

    honorific = "Prof."
    full_name = factory.Sequence(lambda n: f"Person Number {n}")
    position = "Rector"
    institution = factory.SubFactory(InstitutionFactory)
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    phone = "+7 7172 000000"


class OrganisationalUnitFactory(RegistryFactory):
    class Meta:
        model = OrganisationalUnit

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"School of Testing {n}")
    short_name = factory.Sequence(lambda n: f"ST{n}")
    kind = OrganisationalUnit.Kind.SCHOOL
