"""The OpenAPI schema as a contract that generated clients can trust: JSON bodies offered as
JSON alone, one operation per response format (each served where the schema says), the
export's filters, shared error components, single schemas for blank values, and descriptions
written for the partner developer."""

import datetime
import io
import re

import jsonschema
import openpyxl
import pytest
from drf_spectacular.generators import SchemaGenerator

from agreements.services import memorandum_create
from tests.factories import InstitutionFactory, SignedMemorandumFactory
from tests.support import api_client, partner_of

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERROR = "#/components/schemas/Error"
VALIDATION_ERROR = "#/components/schemas/ValidationError"
CONFLICT = "#/components/schemas/Conflict"


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def test_json_bodies_are_offered_as_json_alone_and_uploads_as_multipart_alone(schema):
    bodies = {
        (method, path): list(operation["requestBody"]["content"])
        for path, method, operation in operations(schema)
        if "requestBody" in operation
    }

    uploads = {key: types for key, types in bodies.items() if "multipart/form-data" in types}
    assert uploads == {("post", "/api/v1/memoranda/{id}/documents/"): ["multipart/form-data"]}
    assert {tuple(types) for key, types in bodies.items() if key not in uploads} == {
        ("application/json",)
    }


def test_a_form_encoded_body_to_a_json_endpoint_is_a_415(editor):
    response = api_client(editor).post(
        "/api/v1/memoranda/intake/", {"text": "NU and SUSTech signed an MoU."}, format="multipart"
    )

    assert response.status_code == 415


def test_the_export_lists_every_filter_of_the_list(schema):
    def names(path):
        return {p["name"] for p in schema["paths"][path]["get"]["parameters"]}

    list_filters = names("/api/v1/memoranda/") - {"page", "page_size"}

    for path in (
        "/api/v1/memoranda/export/",
        "/api/v1/memoranda/export.xlsx",
        "/api/v1/memoranda/export.json",
    ):
        assert list_filters <= names(path), path
        assert "format" not in names(path)


def test_each_operation_answers_one_format_under_an_id_of_its_own(schema):
    ids = [operation["operationId"] for _, _, operation in operations(schema)]
    several = {}
    for path, method, operation in operations(schema):
        for code, response in operation["responses"].items():
            content = response.get("content", {})
            binary = all(
                resolve(schema, c["schema"]).get("format") == "binary" for c in content.values()
            )
            if code.startswith("2") and len(content) > 1 and not binary:
                several[(method, path)] = list(content)

    assert len(ids) == len(set(ids))
    assert several == {}
    answers = {
        path: list(methods["get"]["responses"]["200"]["content"])
        for path, methods in schema["paths"].items()
        if "export" in path or "jsonld" in path
    }
    assert answers == {
        "/api/v1/audit/export/": ["text/csv"],
        "/api/v1/audit/export.json": ["application/json"],
        "/api/v1/memoranda/export/": ["text/csv"],
        "/api/v1/memoranda/export.xlsx": [XLSX],
        "/api/v1/memoranda/export.json": ["application/json"],
        "/api/v1/memoranda.jsonld": ["application/ld+json"],
        "/api/v1/memoranda/{id}.jsonld": ["application/ld+json"],
        "/api/v1/institutions.jsonld": ["application/ld+json"],
        "/api/v1/institutions/{id}.jsonld": ["application/ld+json"],
    }
    xlsx = schema["paths"]["/api/v1/memoranda/export.xlsx"]["get"]["responses"]["200"]
    assert xlsx["content"][XLSX]["schema"] == {"type": "string", "format": "binary"}


def test_every_format_operation_is_served_where_the_schema_says(schema):
    nu = InstitutionFactory(short_name="NU")
    ours = SignedMemorandumFactory(parties=[nu, InstitutionFactory()], title="Exchange of staff")
    SignedMemorandumFactory(parties=[nu, InstitutionFactory()], title="Joint research")
    client = api_client(partner_of(nu))

    served = {
        path: client.get(
            # A memorandum's or an institution's id, as the path names.
            path.replace(
                "{id}", str(nu.pk if path.startswith("/api/v1/institutions") else ours.pk)
            ),
            {"q": "exchange"} if "export" in path else {},
        )
        for path, methods in schema["paths"].items()
        if ("export" in path or "jsonld" in path) and "audit" not in path
    }

    for path, response in served.items():
        documented = next(iter(schema["paths"][path]["get"]["responses"]["200"]["content"]))
        assert response.status_code == 200, path
        assert response["Content-Type"].split(";")[0] == documented, path
    workbook = openpyxl.load_workbook(
        io.BytesIO(b"".join(served["/api/v1/memoranda/export.xlsx"].streaming_content))
    )
    rows = workbook.active.iter_rows(min_row=2, values_only=True)
    assert [row[1] for row in rows] == ["Exchange of staff"]
    assert served["/api/v1/memoranda/{id}.jsonld"].json()["@type"]


def test_the_audit_export_is_served_as_json_at_its_suffix(auditor):
    SignedMemorandumFactory()

    response = api_client(auditor).get("/api/v1/audit/export.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert b'"model"' in b"".join(response.streaming_content)


def test_no_one_of_has_two_alternatives_an_empty_string_matches(schema):
    def one_ofs(node):
        if isinstance(node, dict):
            if "oneOf" in node:
                yield node["oneOf"]
            for child in node.values():
                yield from one_ofs(child)
        elif isinstance(node, list):
            for child in node:
                yield from one_ofs(child)

    def matches_blank(alternative):
        alternative = resolve(schema, alternative)
        return jsonschema.Draft4Validator(
            {k: v for k, v in alternative.items() if k != "nullable"}
        ).is_valid("")

    assert [a for a in one_ofs(schema) if sum(map(matches_blank, a)) > 1] == []
    source_url = schema["components"]["schemas"]["Memorandum"]["properties"]["source_url"]
    validator = jsonschema.Draft4Validator(source_url)
    assert validator.is_valid("")
    assert validator.is_valid("https://nu.edu.kz/news/mou")
    assert not validator.is_valid("nu.edu.kz")


def test_errors_refer_to_the_shared_components(schema):
    expected = {"400": VALIDATION_ERROR, "409": CONFLICT}
    wrong = []
    for path, method, operation in operations(schema):
        for code, response in operation["responses"].items():
            if code.startswith("2"):
                continue
            refs = {c["schema"].get("$ref") for c in response.get("content", {}).values()}
            if refs != {expected.get(code, ERROR)}:
                wrong.append((method, path, code, refs))

    assert wrong == []
    assert {"Error", "ValidationError", "Conflict"} <= set(schema["components"]["schemas"])


def test_a_409_and_a_400_are_shaped_as_the_schema_says(schema, editor):
    memorandum = SignedMemorandumFactory()
    client = api_client(editor)
    url = f"/api/v1/memoranda/{memorandum.pk}/"

    read = memorandum.version
    client.patch(url, {"title": "First", "version": read})

    stale = client.patch(url, {"title": "Second", "version": read})
    invalid = client.patch(url, {"expires_on": "not a date", "version": read + 1})

    components = schema["components"]["schemas"]
    assert stale.status_code == 409
    jsonschema.validate(stale.json(), components["Conflict"])
    assert invalid.status_code == 400
    jsonschema.validate(invalid.json(), components["ValidationError"])


def test_descriptions_are_written_for_partner_developers(schema):
    texts = [operation.get("description", "") for _, _, operation in operations(schema)]
    texts += [
        field.get("description", "")
        for component in schema["components"]["schemas"].values()
        for field in component.get("properties", {}).values()
    ]

    assert all(operation.get("description") for _, _, operation in operations(schema))
    assert [t for t in texts if re.search(r"\w+/\w+\.py|Required\. 150|\bmixin\b", t)] == []
    created_by = schema["components"]["schemas"]["Memorandum"]["properties"]["created_by"]
    assert created_by["description"].startswith("Who created it")


def test_list_pages_give_their_neighbours_page_numbers(schema, editor):
    SignedMemorandumFactory.create_batch(3)

    first = api_client(editor).get("/api/v1/memoranda/", {"page_size": 2}).json()
    last = api_client(editor).get("/api/v1/memoranda/", {"page_size": 2, "page": 2}).json()

    assert (first["next_page"], first["previous_page"]) == (2, None)
    assert (last["next_page"], last["previous_page"]) == (None, 1)
    page = schema["components"]["schemas"]["PaginatedMemorandumList"]
    assert {"next_page", "previous_page"} <= set(page["required"])


def test_enumerations_name_every_value_the_api_answers(schema):
    components = schema["components"]["schemas"]
    acknowledgement_state = components["Acknowledgement"]["properties"]["state"]

    assert "acknowledgement" in components["HistoryModelEnum"]["enum"]
    assert resolve(schema, acknowledgement_state["allOf"][0])["enum"] == [
        "acknowledged",
        "stale",
        "pending",
    ]


def test_timestamps_are_utc_with_a_z_everywhere_the_history_too(editor):
    nu = InstitutionFactory(short_name="NU")
    memorandum = memorandum_create(
        actor=editor,
        title="Staff exchange",
        stage="signed",
        signed_on=datetime.date(2023, 5, 29),
        parties=[{"institution": nu}, {"institution": InstitutionFactory()}],
    )
    partner = api_client(partner_of(nu))
    read = partner.get(f"/api/v1/memoranda/{memorandum.pk}/").json()
    partner.post(
        f"/api/v1/memoranda/{memorandum.pk}/acknowledge/", {"fingerprint": read["fingerprint"]}
    )

    detail = api_client(editor).get(f"/api/v1/memoranda/{memorandum.pk}/").json()
    history = api_client(editor).get(f"/api/v1/memoranda/{memorandum.pk}/history/").json()

    timestamps = [detail["created_at"], detail["updated_at"]]
    timestamps += [state["acknowledged_at"] for state in detail["acknowledgements"]]
    timestamps += [entry["at"] for entry in history["results"]]
    timestamps += [
        value
        for entry in history["results"]
        for values in entry["changes"].values()
        for value in values
        if isinstance(value, str) and re.match(r"\d{4}-\d\d-\d\dT", value)
    ]
    assert "acknowledged_at" in history["results"][0]["changes"]
    assert [t for t in timestamps if t is not None and not t.endswith("Z")] == []
