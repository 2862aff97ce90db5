"""Memoranda and institutions as schema.org JSON-LD, with ROR ids, and the JSON's visibility."""

import datetime
import json

import pytest

from agreements.models import CooperationArea
from partners.models import Institution, PartnerLink
from tests.agreements.support import signed_by
from tests.factories import InstitutionFactory, PersonFactory, UserFactory
from tests.support import api_client

pytestmark = pytest.mark.django_db

JSONLD = "application/ld+json"


@pytest.fixture
def world(editor):
    unesco = InstitutionFactory(name="UNESCO", short_name="UNESCO", country="FR", kind="un_body")
    nu = InstitutionFactory(
        name="Nazarbayev University",
        short_name="NU",
        kind=Institution.Kind.UNIVERSITY,
        country="KZ",
        city="Astana",
        ror_id="052bx8q98",
        website="https://nu.edu.kz",
    )
    ichei = InstitutionFactory(
        name="UNESCO-ICHEI", short_name="", country="CN", kind="un_body", parent=unesco
    )
    ichei.aliases.create(name="联合国教科文组织高等教育创新中心")
    sustech = InstitutionFactory(
        name="Southern University of Science and Technology",
        short_name="SUSTech",
        country="CN",
        ror_id="049tv2d57",
    )
    hidden = InstitutionFactory(name="Confidential Partner", short_name="CP", country="GB")
    katsu = PersonFactory(full_name="Shigeo Katsu", honorific="", institution=nu)
    public = signed_by(
        nu,
        ichei,
        sustech,
        actor=editor,
        title="Trilateral MoU",
        signed_at="Astana, Kazakhstan",
        visibility="public",
        source_url="https://nu.edu.kz/news/trilateral",
        signatories=[
            {
                "person": katsu,
                "institution": nu,
                "position_at_signing": "President",
                "mode": "in_person",
            }
        ],
        cooperation_areas=list(CooperationArea.objects.filter(code__in=["research", "teaching"])),
        sdgs=[4],
        tags=["trilateral"],
    )
    internal = signed_by(
        nu,
        sustech,
        actor=editor,
        title="Internal MoU",
        signed_on=datetime.date(2024, 1, 1),
        expires_on=datetime.date(2028, 12, 31),
        visibility="internal",
    )
    confidential = signed_by(
        sustech,
        hidden,
        actor=editor,
        title="Confidential MoU",
        visibility="confidential",
    )
    return {
        "nu": nu,
        "ichei": ichei,
        "sustech": sustech,
        "hidden": hidden,
        "unesco": unesco,
        "public": public,
        "internal": internal,
        "confidential": confidential,
    }


def jsonld(response) -> dict:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith(JSONLD)
    return json.loads(response.content)


def test_a_memorandum_as_a_schema_org_creative_work(world):
    memorandum = world["public"]
    fingerprint = api_client().get(f"/api/v1/memoranda/{memorandum.pk}/").json()["fingerprint"]

    document = jsonld(api_client().get(f"/api/v1/memoranda/{memorandum.pk}/?format=jsonld"))

    assert document["@context"] == "https://schema.org"
    assert document["@type"] == "CreativeWork"
    assert document["@id"] == f"http://testserver/api/v1/memoranda/{memorandum.pk}/"
    assert document["url"] == f"http://testserver/public/{memorandum.reference}/"
    assert document["name"] == "Trilateral MoU"
    assert document["genre"] == "Memorandum of understanding"
    assert document["identifier"] == [
        {"@type": "PropertyValue", "propertyID": "reference", "value": memorandum.reference},
        {"@type": "PropertyValue", "propertyID": "terms-sha256", "value": fingerprint},
    ]
    assert document["dateCreated"] == "2023-05-29"
    assert document["temporalCoverage"] == "2023-05-29/.."
    assert document["locationCreated"] == {"@type": "Place", "name": "Astana, Kazakhstan"}
    assert document["creativeWorkStatus"] == "active"
    nu, ichei, sustech = document["creator"]
    assert nu == {
        "@type": "Organization",
        "@id": "https://ror.org/052bx8q98",
        "identifier": "https://ror.org/052bx8q98",
        "sameAs": f"http://testserver/api/v1/institutions/{world['nu'].pk}/",
        "additionalType": "https://schema.org/CollegeOrUniversity",
        "name": "Nazarbayev University",
        "alternateName": "NU",
        "url": "https://nu.edu.kz",
        "address": {"@type": "PostalAddress", "addressCountry": "KZ", "addressLocality": "Astana"},
    }
    # Without a ROR id, an institution is identified by its URL in this API.
    assert ichei["@id"] == f"http://testserver/api/v1/institutions/{world['ichei'].pk}/"
    assert "identifier" not in ichei
    assert sustech["@id"] == "https://ror.org/049tv2d57"
    assert document["contributor"] == [
        {
            "@type": "Person",
            "name": "Shigeo Katsu",
            "jobTitle": "President",
            "affiliation": {"@id": "https://ror.org/052bx8q98"},
        }
    ]
    about = {(term["termCode"], term["inDefinedTermSet"]) for term in document["about"]}
    assert about == {
        ("research", "http://testserver/api/v1/cooperation-areas/"),
        ("teaching", "http://testserver/api/v1/cooperation-areas/"),
        ("SDG 4", "https://sdgs.un.org/goals"),
    }
    assert document["keywords"] == ["trilateral"]
    assert document["subjectOf"] == {
        "@type": "CreativeWork",
        "url": "https://nu.edu.kz/news/trilateral",
    }
    assert "internal_notes" not in json.dumps(document)


def test_the_accept_header_asks_for_it_too_and_json_stays_the_default(world):
    url = f"/api/v1/memoranda/{world['public'].pk}/"

    by_header = api_client().get(url, HTTP_ACCEPT=JSONLD)
    by_default = api_client().get(url)
    browsable = api_client().get(url, HTTP_ACCEPT="text/html")

    assert jsonld(by_header)["@type"] == "CreativeWork"
    assert by_default["Content-Type"] == "application/json"
    assert by_default.json()["title"] == "Trilateral MoU"
    assert browsable.status_code == 200
    assert browsable["Content-Type"].startswith("text/html")


def test_an_expiring_memorandum_has_a_closed_term(world, editor):
    document = jsonld(
        api_client(editor).get(f"/api/v1/memoranda/{world['internal'].pk}/?format=jsonld")
    )

    assert document["temporalCoverage"] == "2024-01-01/2028-12-31"
    assert document["expires"] == "2028-12-31"
    assert "url" not in document  # not in the public register


@pytest.mark.parametrize(
    ("key", "anonymous", "partner_nu"),
    [("public", 200, 200), ("internal", 404, 200), ("confidential", 404, 404)],
)
def test_the_same_visibility_as_the_json(world, key, anonymous, partner_nu):
    partner = UserFactory(username="partner-nu")
    PartnerLink.objects.create(user=partner, institution=world["nu"])
    url = f"/api/v1/memoranda/{world[key].pk}/?format=jsonld"

    assert api_client().get(url).status_code == anonymous
    assert api_client(partner).get(url).status_code == partner_nu


def test_the_memoranda_list_as_an_item_list(world, editor):
    anonymous = jsonld(api_client().get("/api/v1/memoranda/?format=jsonld"))
    everything = jsonld(api_client(editor).get("/api/v1/memoranda/?format=jsonld"))

    assert anonymous["@type"] == "ItemList"
    assert anonymous["numberOfItems"] == 1
    assert [item["name"] for item in anonymous["itemListElement"]] == ["Trilateral MoU"]
    assert everything["numberOfItems"] == 3


def test_institutions_as_organizations_with_ror_ids(world):
    document = jsonld(api_client().get("/api/v1/institutions/?format=jsonld"))

    assert document["@context"] == "https://schema.org"
    assert document["@type"] == "ItemList"
    organizations = {item["name"]: item for item in document["itemListElement"]}
    # Anonymous visitors see the institutions of public memoranda, as in the JSON list.
    json_names = {
        item["name"] for item in api_client().get("/api/v1/institutions/").json()["results"]
    }
    assert (
        set(organizations)
        == json_names
        == {
            "Nazarbayev University",
            "UNESCO-ICHEI",
            "Southern University of Science and Technology",
        }
    )
    assert document["numberOfItems"] == 3
    nu = organizations["Nazarbayev University"]
    assert nu["@type"] == "Organization"
    assert nu["@id"] == nu["identifier"] == "https://ror.org/052bx8q98"
    assert nu["alternateName"] == ["NU"]
    ichei = organizations["UNESCO-ICHEI"]
    assert ichei["alternateName"] == ["联合国教科文组织高等教育创新中心"]
    assert "additionalType" not in ichei  # a UN body: schema.org has no narrower type
    # UNESCO is party to nothing an anonymous visitor reads: its URL (with its id) is not shown.
    assert "parentOrganization" not in ichei


def test_an_institutions_parent_is_named_to_whoever_may_see_it(world, editor):
    ichei = jsonld(
        api_client(editor).get(f"/api/v1/institutions/{world['ichei'].pk}/?format=jsonld")
    )

    assert ichei["parentOrganization"] == {
        "@id": f"http://testserver/api/v1/institutions/{world['unesco'].pk}/"
    }


def test_the_institutions_list_pages_with_link_headers(world, editor):
    first = api_client(editor).get("/api/v1/institutions/?format=jsonld&page_size=2")
    document = jsonld(first)

    assert document["numberOfItems"] == 5
    assert len(document["itemListElement"]) == 2
    assert 'rel="next"' in first["Link"]
    assert "page=2" in first["Link"]


def test_an_institution_as_an_organization(world):
    response = api_client().get(f"/api/v1/institutions/{world['sustech'].pk}/?format=jsonld")

    document = jsonld(response)
    assert document["@context"] == "https://schema.org"
    assert document["@id"] == "https://ror.org/049tv2d57"
    hidden = api_client().get(f"/api/v1/institutions/{world['hidden'].pk}/?format=jsonld")
    assert hidden.status_code == 404


def test_other_endpoints_do_not_offer_it(world, editor):
    assert api_client(editor).get("/api/v1/people/?format=jsonld").status_code == 404
