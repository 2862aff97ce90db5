"""The error shapes of SPEC section 3, for the OpenAPI schema."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

DETAIL = inline_serializer("ErrorDetail", fields={"detail": serializers.CharField()})
FIELD_ERRORS = inline_serializer(
    "FieldErrors",
    fields={
        "field_name": serializers.ListField(
            child=serializers.CharField(),
            help_text="Each invalid field (or non_field_errors) maps to its messages.",
        )
    },
)

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
