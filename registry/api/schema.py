"""The API's OpenAPI schema as a contract generated clients can trust: shared error components,
JSON bodies offered as JSON only, one operation per response format, and no alternatives that
match the same value twice."""

import copy

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

COMPONENTS = "#/components/schemas/"
ERROR = {
    "type": "object",
    "description": "An error that concerns the request as a whole.",
    "properties": {"detail": {"type": "string", "description": "What went wrong, in words."}},
    "required": ["detail"],
}
# `{"field": ["message", ...]}`; a nested list's errors (parties, signatories) nest the same
# way, and an error that concerns no one field is `{"detail": "message"}` or non_field_errors.
VALIDATION_ERROR = {
    "type": "object",
    "description": "The request is invalid: each invalid field maps to its messages (a list of "
    "strings, or for a list of items one object per item, shaped the same way); messages about "
    "no one field are under `non_field_errors`, and a body that cannot be read at all is "
    "answered with `detail`.",
    "properties": {
        "detail": {"type": "string", "description": "Why the body could not be read."},
        "non_field_errors": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Messages about the request as a whole.",
        },
    },
    "additionalProperties": True,
    "example": {"expires_on": ["The expiry date must be on or after the effective date."]},
}
CONFLICT = {
    "type": "object",
    "description": "The request conflicts with the record as it is now: `version` (or another "
    "field, such as `fingerprint`) names what is stale, or `detail` says why the record cannot "
    "be changed (still referred to, a stored file that does not match its checksum).",
    "properties": {
        "detail": {"type": "string", "description": "Why, in words."},
        "version": {
            "type": "array",
            "items": {"type": "string"},
            "description": "The version sent is not the current one: read again, then retry.",
        },
    },
    "additionalProperties": True,
    "example": {"version": ["Someone else changed this memorandum; reload it and try again."]},
}
SHARED_COMPONENTS = {"Error": ERROR, "ValidationError": VALIDATION_ERROR, "Conflict": CONFLICT}
DETAIL = {"$ref": COMPONENTS + "Error"}
FIELD_ERRORS = {"$ref": COMPONENTS + "ValidationError"}
CONFLICT_ERRORS = {"$ref": COMPONENTS + "Conflict"}

ERROR_RESPONSES = {
    400: OpenApiResponse(
        FIELD_ERRORS, description="A parameter is invalid; named with its messages."
    ),
    401: OpenApiResponse(DETAIL, description="Authentication is required."),
    403: OpenApiResponse(DETAIL, description="Your role may not do this."),
    404: OpenApiResponse(DETAIL, description="No such object, or not one you may see."),
}
WRITE_ERROR_RESPONSES = {
    **ERROR_RESPONSES,
    409: OpenApiResponse(
        CONFLICT_ERRORS, description="Your version is stale, or the object is still in use."
    ),
    412: OpenApiResponse(DETAIL, description="The If-Match header does not match the ETag."),
}

UNAVAILABLE = OpenApiResponse(
    DETAIL, description="The database is unavailable; retry after the Retry-After seconds."
)
THROTTLED = OpenApiResponse(DETAIL, description="Too many requests; retry later.")
UNSUPPORTED_MEDIA_TYPE = OpenApiResponse(
    DETAIL, description="The body's Content-Type is not one this operation reads."
)
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
METHODS_WITH_A_BODY = {"POST", "PUT", "PATCH"}
JSON = "application/json"
JSONLD = "application/ld+json"
JSONLD_DOCUMENT = {
    "type": "object",
    "description": "A schema.org JSON-LD document: one node, or an ItemList of them for a list.",
    "properties": {"@context": {}, "@type": {"type": "string"}, "@id": {"type": "string"}},
    "required": ["@context", "@type"],
}
# An operation answering several formats names them here ({suffix: media type}, the default
# first); `format_variants` makes each its own operation at the path's format suffix.
FORMAT_VARIANTS = "x-format-variants"
# What a CRUD operation does, before what the viewset's docstring says its records are.
ACTION_DESCRIPTIONS = {
    "list": "A page of the records below, filtered and ordered by the query parameters.",
    "retrieve": "One of the records below, by id.",
    "create": "Creates one of the records below and answers it as saved (201).",
    "update": "Replaces one of the records below: every writable field is sent.",
    "partial_update": "Changes the fields sent of one of the records below.",
    "destroy": "Deletes one of the records below (204).",
}


class RegistrySchema(AutoSchema):
    """Every operation also declares the errors any request can meet: 400,
    401 and 403 (for authenticated views), 404, 429 (throttling) and 503 (the database does not
    answer), 409 for writes (a stale version, or a record still in use) and 415 for a body
    of a type the operation does not read. An operation's
    own `@extend_schema(responses=...)` keeps its descriptions."""

    def get_description(self):
        description = super().get_description()
        action = getattr(self.view, "action", None)
        if action in ACTION_DESCRIPTIONS and not self._action_has_own_description(action):
            return f"{ACTION_DESCRIPTIONS[action]}\n\n{description}".strip()
        return description

    def _action_has_own_description(self, action) -> bool:
        return bool(getattr(getattr(self.view, action, None), "__doc__", None))

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        common = {400: ERROR_RESPONSES[400], 404: ERROR_RESPONSES[404], 429: THROTTLED}
        if getattr(self.view, "authentication_classes", None):
            common.update({401: ERROR_RESPONSES[401], 403: ERROR_RESPONSES[403]})
        if self.method in UNSAFE_METHODS:
            common[409] = WRITE_ERROR_RESPONSES[409]
        if self.method in METHODS_WITH_A_BODY:
            common[415] = UNSUPPORTED_MEDIA_TYPE
        common[503] = UNAVAILABLE
        for code, response in common.items():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    response, str(code), direction=direction
                )
        for code, response in responses.items():
            content = response.get("content", {})
            if not code.startswith("2"):
                continue
            # The JSON-LD renderer (registry/api/jsonld.py) answers a schema.org document, not
            # the serializer's JSON that drf-spectacular assumes for every renderer; it is an
            # operation of its own (`format_variants`).
            if JSONLD in content and content[JSONLD] == content.get(JSON):
                content[JSONLD] = {"schema": JSONLD_DOCUMENT}
        return responses

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        ok = operation["responses"].get("200", {}).get("content", {})
        if JSONLD in ok and FORMAT_VARIANTS not in operation:
            operation[FORMAT_VARIANTS] = {"json": JSON, "jsonld": JSONLD}
        return operation


def format_variants(result, generator, request, public):
    """Each format of an operation that answers several becomes an operation of its own at the
    path's format suffix (`/memoranda/export.xlsx`, `/memoranda/{id}.jsonld`: DRF's format
    suffix routes), answering that format alone, with its own operationId; the operation at
    the plain path keeps the default format. A generated client then decodes each answer as
    what it is (an XLSX as bytes, JSON-LD as a document) instead of guessing."""
    paths = result["paths"]
    for path, operations in list(paths.items()):
        for method, operation in operations.items():
            variants = operation.pop(FORMAT_VARIANTS, None)
            if not variants:
                continue
            offered = operation["responses"]["200"]["content"]
            (default_suffix, default_type), *others = variants.items()
            base = path.rstrip("/")
            operation["parameters"] = [
                p for p in operation.get("parameters", []) if p["name"] != "format"
            ]
            for suffix, media_type in others:
                variant = copy.deepcopy(operation)
                variant["operationId"] = f"{operation['operationId']}_{suffix}"
                variant["responses"]["200"]["content"] = {media_type: offered[media_type]}
                variant["description"] = (
                    f"{operation.get('description', '')}\n\nAnswers {media_type} "
                    f"(the same as `{path}` with `?format={suffix}`)."
                ).strip()
                paths.setdefault(f"{base}.{suffix}", {})[method] = variant
            operation["responses"]["200"]["content"] = {default_type: offered[default_type]}
            operation["description"] = (
                f"{operation.get('description', '')}\n\nAnswers {default_type}; the other "
                f"formats: {', '.join(f'`{base}.{suffix}`' for suffix, _ in others)}."
            ).strip()
    return result


BLANK = {"type": "string", "maxLength": 0}
# The schemes Django's URLValidator admits, in any case (JSON Schema patterns have no flags).
URL_OR_BLANK = r"^$|^([hH][tT][tT][pP][sS]?|[fF][tT][pP][sS]?)://\S+$"


def single_schemas(result, generator, request, public):
    """A field that may be blank is one schema, not a `oneOf` of the value and the empty string
    (an empty string would match both, which `oneOf` forbids, so a strict validator refuses
    it): a URL or blank is a string with a pattern that admits both."""

    def visit(node):
        if isinstance(node, dict):
            alternatives = node.get("oneOf")
            if alternatives and len(alternatives) == 2 and BLANK in alternatives:
                (value,) = [a for a in alternatives if a != BLANK]
                node.pop("oneOf")
                node.update({k: v for k, v in value.items() if k != "format"})
                if value.get("format") == "uri":
                    node["pattern"] = URL_OR_BLANK
                node.setdefault("description", "Blank (an empty string) when there is none.")
            for child in node.values():
                visit(child)
        elif isinstance(node, list):
            for child in node:
                visit(child)

    visit(result)
    return result


def shared_components(result, generator, request, public):
    """The error components every error response refers to."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(SHARED_COMPONENTS)
    return result


class ReadableRelatedFieldExtension(OpenApiSerializerFieldExtension):
    """A `ReadableRelatedField` is written as an id and read as an id or null."""

    target_class = "registry.api.fields.ReadableRelatedField"

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        return {**schema, "nullable": True} if direction == "response" else schema
