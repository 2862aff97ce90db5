"""The API's error shapes, for the OpenAPI schema."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

DETAIL = inline_serializer("ErrorDetail", fields={"detail": serializers.CharField()})
# `{"field": ["message", ...]}`; a nested list's errors (parties, signatories) nest the same
# way, and an error that concerns no one field is `{"detail": "message"}`.
FIELD_ERRORS = {
    "type": "object",
    "description": "Each invalid field (or non_field_errors) maps to its messages.",
    "additionalProperties": True,
    "example": {"expires_on": ["The expiry date must be on or after the effective date."]},
}

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
        FIELD_ERRORS, description="Your version is stale, or the object is still in use."
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
JSONLD = "application/ld+json"
JSONLD_DOCUMENT = {
    "type": "object",
    "description": "A schema.org JSON-LD document (`?format=jsonld`): one node, or an ItemList "
    "of them for a list.",
    "properties": {"@context": {}, "@type": {"type": "string"}, "@id": {"type": "string"}},
    "required": ["@context", "@type"],
}


class RegistrySchema(AutoSchema):
    """Every operation also declares the errors any request can meet: 400,
    401 and 403 (for authenticated views), 404, 429 (throttling) and 503 (the database does not
    answer), 409 for writes (a stale version, or a record still in use) and 415 for a body
    of a type the operation does not read. An operation's
    own `@extend_schema(responses=...)` keeps its descriptions."""

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
            # the serializer's JSON that drf-spectacular assumes for every renderer.
            if JSONLD in content and content[JSONLD] == content.get("application/json"):
                content[JSONLD] = {"schema": JSONLD_DOCUMENT}
        return responses


class ReadableRelatedFieldExtension(OpenApiSerializerFieldExtension):
    """A `ReadableRelatedField` is written as an id and read as an id or null."""

    target_class = "registry.api.fields.ReadableRelatedField"

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        return {**schema, "nullable": True} if direction == "response" else schema
