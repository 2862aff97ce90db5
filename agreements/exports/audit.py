"""The audit trail export: every change to every registry record in a window (auditors, admins)."""

import csv
import datetime
import json

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.views import APIView

from registry import roles
from registry.api.negotiation import DownloadNegotiation
from registry.api.schema import ERROR_RESPONSES, FORMAT_VARIANTS
from registry.history import audit_entries

AUDITED_MODELS = [
    "partners.Institution",
    "partners.InstitutionAlias",
    "partners.Person",
    "partners.PartnerLink",
    "agreements.CooperationArea",
    "agreements.Memorandum",
    "agreements.Party",
    "agreements.Signatory",
    "agreements.Commitment",
    "agreements.Document",
    "agreements.Acknowledgement",
    "agreements.ApprovalRoute",
    "agreements.ApprovalStep",
    "agreements.Approval",
    "agreements.ApprovalDecision",
]
COLUMNS = ["at", "user", "action", "model", "object_id", "memorandum_id", "changes"]


class WindowSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=["csv", "json"], default="csv")
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)

    def to_internal_value(self, data):
        # A bare date means the start of that day in the registry's time zone.
        data = data.copy()
        for name in ("since", "until"):
            value = data.get(name)
            if value and len(value) == 10:
                try:
                    day = datetime.date.fromisoformat(value)
                except ValueError:
                    continue
                data[name] = timezone.make_aware(
                    datetime.datetime.combine(day, datetime.time.min)
                ).isoformat()
        return super().to_internal_value(data)

    def validate(self, attrs):
        if attrs.get("since") and attrs.get("until") and attrs["since"] >= attrs["until"]:
            raise ValidationError({"until": [_("The window must end after it starts.")]})
        return attrs


def _csv_rows(entries):
    class Line:
        def write(self, value):
            return value

    writer = csv.writer(Line())
    yield writer.writerow(COLUMNS)
    for entry in entries:
        yield writer.writerow(
            [
                entry["at"].isoformat(),
                entry["user"] or "",
                entry["action"],
                entry["model"],
                entry["object_id"],
                entry["memorandum_id"] or "",
                json.dumps(entry["changes"], ensure_ascii=False, cls=DjangoJSONEncoder),
            ]
        )


def _json_rows(entries):
    yield "["
    for index, entry in enumerate(entries):
        row = {column: entry[column] for column in COLUMNS}
        yield (
            ("," if index else "")
            + "\n"
            + json.dumps(row, ensure_ascii=False, cls=DjangoJSONEncoder)
        )
    yield "\n]\n"


class AuditExportView(APIView):
    content_negotiation_class = DownloadNegotiation

    @extend_schema(
        parameters=[
            OpenApiParameter("format", OpenApiTypes.STR, enum=["csv", "json"]),
            OpenApiParameter("since", OpenApiTypes.DATETIME, description="Inclusive."),
            OpenApiParameter("until", OpenApiTypes.DATETIME, description="Exclusive."),
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/json"): {"type": "array", "items": {"type": "object"}},
            **ERROR_RESPONSES,
        },
        description="Every change to every registry record in the window, oldest first "
        "(auditors and admins).",
        extensions={FORMAT_VARIANTS: {"csv": "text/csv", "json": "application/json"}},
    )
    def get(self, request, format=None):
        if not roles.reads_audit_trail(request.user):
            raise PermissionDenied(_("The audit trail is for auditors and administrators."))
        window = WindowSerializer(data=request.query_params)
        window.is_valid(raise_exception=True)
        # `export.json` (the format suffix) or `export/?format=json`.
        export_format = format or window.validated_data["format"]
        entries = audit_entries(
            [apps.get_model(label) for label in AUDITED_MODELS],
            since=window.validated_data.get("since"),
            until=window.validated_data.get("until"),
        )
        rows = _csv_rows(entries) if export_format == "csv" else _json_rows(entries)
        content_type = "text/csv; charset=utf-8" if export_format == "csv" else "application/json"
        response = StreamingHttpResponse(rows, content_type=content_type)
        filename = f"audit-{timezone.localdate().isoformat()}.{export_format}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
