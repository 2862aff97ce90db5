import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from partners.models import PartnerLink
from tests.factories import InstitutionFactory, SignedMemorandumFactory

pytestmark = pytest.mark.django_db


def test_schema_is_valid_openapi_and_names_every_endpoint():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    validate_schema(schema)
    assert {
        "/api/v1/institutions/",
        "/api/v1/institutions/{id}/",
        "/api/v1/people/",
        "/api/v1/cooperation-areas/",
        "/api/v1/memoranda/",
        "/api/v1/memoranda/{id}/",
        "/api/v1/memoranda/{id}/documents/",
        "/api/v1/documents/{id}/download/",
        "/api/v1/commitments/",
        "/api/v1/commitments/{id}/",
    } <= set(schema["paths"])


def test_schema_documents_filters_and_error_shapes():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    list_operation = schema["paths"]["/api/v1/memoranda/"]["get"]
    parameters = {parameter["name"] for parameter in list_operation["parameters"]}
    update = schema["paths"]["/api/v1/memoranda/{id}/"]["patch"]

    assert {
        "q", "status", "stage", "kind", "visibility", "party", "country", "area",
        "signed_after", "signed_before", "expires_after", "expires_before",
        "expiring_within", "tag", "sdg", "updated_since", "ordering", "page", "page_size",
    } <= parameters  # fmt: skip
    assert {"400", "404", "409", "412"} <= set(update["responses"])


def test_a_body_of_a_type_no_operation_reads_is_a_documented_415(editor):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    client = APIClient()
    client.force_authenticate(editor)

    response = client.generic(
        "POST", "/api/v1/memoranda/intake/", "some text", content_type="text/plain"
    )

    assert response.status_code == 415
    assert "415" in schema["paths"]["/api/v1/memoranda/intake/"]["post"]["responses"]
    assert "415" in schema["paths"]["/api/v1/memoranda/{id}/"]["patch"]["responses"]
    assert "415" not in schema["paths"]["/api/v1/memoranda/"]["get"]["responses"]


def test_schema_endpoint_serves_the_document(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "MoU Registry API"


def test_docs_page_loads_everything_from_the_application(client):
    response = client.get("/api/v1/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    external = [
        url
        for url in re.findall(r"""(?:src|href)=["']([^"']+)""", html)
        if url.startswith(("http:", "https:", "//"))
    ]
    assert external == []
    assert "swagger-ui" in html


def test_api_root_lists_the_endpoints(client):
    body = client.get("/api/v1/").json()

    assert {"institutions", "people", "cooperation-areas", "memoranda", "commitments"} <= set(body)


def test_create_api_client_links_a_partner_and_its_token_reads_its_agreements(capsys):
    nu = InstitutionFactory(short_name="NU", ror_id="052bx8q98")
    ours = SignedMemorandumFactory(parties=[nu, InstitutionFactory()], visibility="confidential")
    SignedMemorandumFactory(visibility="confidential")

    call_command("create_api_client", "nu-dashboard", "--institution", "052bx8q98")
    key = capsys.readouterr().out.strip()
    call_command("create_api_client", "nu-dashboard", "--institution", "nu")
    assert capsys.readouterr().out.strip() == key

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/v1/memoranda/")
    assert [m["id"] for m in response.json()["results"]] == [ours.pk]
    assert PartnerLink.objects.get(user__username="nu-dashboard").institution == nu


def test_create_api_client_puts_staff_clients_in_a_group(capsys):
    call_command("create_api_client", "audit-robot", "--group", "registry-auditor")

    token = Token.objects.get(key=capsys.readouterr().out.strip())
    assert list(token.user.groups.values_list("name", flat=True)) == ["registry-auditor"]
    assert not token.user.has_usable_password()


def test_create_api_client_names_an_unknown_institution():
    with pytest.raises(CommandError, match="No institution has the id, ROR id or acronym “XYZ”"):
        call_command("create_api_client", "nobody", "--institution", "XYZ")


def test_a_wrong_token_is_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")

    assert client.get("/api/v1/memoranda/").status_code == 401


def test_anonymous_clients_are_throttled(monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    cache.clear()
    client = APIClient()

    statuses = [client.get("/api/v1/cooperation-areas/").status_code for _ in range(3)]

    cache.clear()
    assert statuses == [200, 200, 429]
