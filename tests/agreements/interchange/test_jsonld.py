"""Memoranda and institutions as schema.org JSON-LD, with ROR ids, and the JSON's visibility."""

import datetime
import json

import pytest
from rest_framework.test import APIClient

from agreements.models import CooperationArea
from agreements.services import memorandum_create
from partners.models import PartnerLink
from tests.factories import InstitutionFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

JSONLD = "application/ld+json"


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def world(editor):
    unesco = InstitutionFactory(name="UNESCO", short_name="UNESCO", country="FR", kind="un_body")
    nu = InstitutionFactory(
        name="Nazarbayev University",
        short_name="NU",
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
    public = memorandum_create(
        actor=editor,
        title="Trilateral MoU",
        stage="signed",
        signed_on=datetime.date(2023, 5, 29),
        signed_at="Astana, Kazakhstan",
        visibility="public",
        source_url="https://nu.edu.kz/news/trilateral",
        parties=[
            {"institution": nu},
            {"institution": ichei},
            {"institution": sustech},
        ],
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
    internal = memorandum_create(
        actor=editor,
        title="Internal MoU",
        stage="signed",
        signed_on=datetime.date(2024, 1, 1),
        expires_on=datetime.date(2028, 12, 31),
        visibility="internal",
        parties=[{"institution": nu}, {"institution": sustech}],
    )
    confidential = memorandum_create(
        actor=editor,
        title="Confidential MoU",
        stage="signed",
        signed_on=datetime.date(2024, 2, 1),
        visibility="confidential",
        parties=[{"institution": sustech}, {"institution": hidden}],
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
    fingerprint = client_for().get(f"/api/v1/memoranda/{memorandum.pk}/").json()["fingerprint"]

    document = jsonld(client_for().get(f"/api/v1/memoranda/{memorandum.pk}/?format=jsonld"))

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

    by_header = client_for().get(url, HTTP_ACCEPT=JSONLD)
    by_default = client_for().get(url)
    browsable = client_for().get(url, HTTP_ACCEPT="text/html")

    assert jsonld(by_header)["@type"] == "CreativeWork"
    assert by_default["Content-Type"] == "application/json"
    assert by_default.json()["title"] == "Trilateral MoU"
    assert browsable.status_code == 200
    assert browsable["Content-Type"].startswith("text/html")


def test_an_expiring_memorandum_has_a_closed_term(world, editor):
    document = jsonld(
        client_for(editor).get(f"/api/v1/memoranda/{world['internal'].pk}/?format=jsonld")
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

    assert client_for().get(url).status_code == anonymous
    assert client_for(partner).get(url).status_code == partner_nu


def test_the_memoranda_list_as_an_item_list(world, editor):
    anonymous = jsonld(client_for().get("/api/v1/memoranda/?format=jsonld"))
    everything = jsonld(client_for(editor).get("/api/v1/memoranda/?format=jsonld"))

    assert anonymous["@type"] == "ItemList"
    assert anonymous["numberOfItems"] == 1
    assert [item["name"] for item in anonymous["itemListElement"]] == ["Trilateral MoU"]
    assert everything["numberOfItems"] == 3


def test_institutions_as_organizations_with_ror_ids(world):
    document = jsonld(client_for().get("/api/v1/institutions/?format=jsonld"))

    assert document["@context"] == "https://schema.org"
    assert document["@type"] == "ItemList"
    organizations = {item["name"]: item for item in document["itemListElement"]}
    # Anonymous visitors see the institutions of public memoranda, as in the JSON list.
    json_names = {
        item["name"] for item in client_for().get("/api/v1/institutions/").json()["results"]
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
        client_for(editor).get(f"/api/v1/institutions/{world['ichei'].pk}/?format=jsonld")
    )

    assert ichei["parentOrganization"] == {
        "@id": f"http://testserver/api/v1/institutions/{world['unesco'].pk}/"
    }


def test_the_institutions_list_pages_with_link_headers(world, editor):
    first = client_for(editor).get("/api/v1/institutions/?format=jsonld&page_size=2")
    document = jsonld(first)

    assert document["numberOfItems"] == 5
    assert len(document["itemListElement"]) == 2
    assert 'rel="next"' in first["Link"]
    assert "page=2" in first["Link"]


def test_an_institution_as_an_organization(world):
    response = client_for().get(f"/api/v1/institutions/{world['sustech'].pk}/?format=jsonld")

    document = jsonld(response)
    assert document["@context"] == "https://schema.org"
    assert document["@id"] == "https://ror.org/049tv2d57"
    hidden = client_for().get(f"/api/v1/institutions/{world['hidden'].pk}/?format=jsonld")
    assert hidden.status_code == 404


def test_other_endpoints_do_not_offer_it(world, editor):
    assert client_for(editor).get("/api/v1/people/?format=jsonld").status_code == 404
