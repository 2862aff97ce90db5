import contextlib
import datetime
import logging
from pathlib import PurePath

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from agreements import services, uploads
from agreements.acknowledgements.api import AcknowledgeAction
from agreements.approvals.api import ApprovalActions
from agreements.columns import COLUMNS
from agreements.exports import jobs as export_jobs
from agreements.exports import memoranda as exports
from agreements.filters import CommitmentFilterSet, MemorandumFilterSet
from agreements.fingerprint import fingerprint
from agreements.intake import proposal as intake
from agreements.interchange import jsonld as interchange
from agreements.models import CooperationArea
from agreements.selectors import (
    commitment_visible_to,
    document_visible_to,
    memorandum_history,
    memorandum_list,
    memorandum_register_as_of,
    memorandum_visible_to,
)
from jobs.api import JobSerializer, accepted
from registry import roles
from registry.api.exceptions import Conflict, PreconditionFailed
from registry.api.jsonld import JSONLDMixin, jsonld_page, wants_jsonld
from registry.api.negotiation import DownloadNegotiation
from registry.api.parsers import FormParser, JSONParser, MultiPartParser
from registry.api.schema import (
    CONFLICT_ERRORS,
    ERROR_RESPONSES,
    FORMAT_VARIANTS,
    WRITE_ERROR_RESPONSES,
)
from registry.api.writes import ServiceWrites, ServiceWritesMixin
from registry.validation import item_fields

from .rows import memorandum_rows, memorandum_values
from .serializers import (
    CommitmentSerializer,
    CooperationAreaSerializer,
    DocumentSerializer,
    HistoryEntrySerializer,
    IntakeRequestSerializer,
    IntakeResponseSerializer,
    MemorandumSerializer,
)

logger = logging.getLogger(__name__)

DOCUMENT_MISMATCH = _(
    "The stored file of this document does not match the checksum (sha256) recorded when it "
    "was uploaded, so it is not served. Ask the international office to upload it again."
)
# Room for the multipart envelope and the other fields around the file.
UPLOAD_OVERHEAD = 64 * 1024

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag you read; a stale one gets 412 and changes nothing.",
)


AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description="The register as it stood at the end of this day, rebuilt from the history "
    "(editors, auditors, admins); combines with ordering and paging only.",
)
AS_OF_COMPANIONS = {"as_of", "ordering", "page", "page_size", "format"}
ORDERING_FIELDS = ["signed_on", "expires_on", "title", "reference", "updated_at"]
EXPORT_FORMAT = OpenApiParameter(
    "format", OpenApiTypes.STR, enum=list(exports.FORMATS), description="Default csv."
)
VERSION_REQUIRED = _(
    "Send the version you read (or an If-Match header with its ETag), so that no one's change "
    "is overwritten."
)


def etag(memorandum) -> str:
    return memorandum_etag(memorandum.pk, memorandum.version)


def memorandum_etag(pk: int, version: int) -> str:
    return f'"m{pk}-v{version}"'


class MemorandumViewSet(ApprovalActions, AcknowledgeAction, JSONLDMixin, viewsets.ModelViewSet):
    """Memoranda the reader may see, with their parties, signatories, cooperation areas,
    status, fingerprint and acknowledgements; written in one transaction, with `version` or
    `If-Match` against lost updates. Only drafts can be deleted."""

    serializer_class = MemorandumSerializer
    filterset_class = MemorandumFilterSet
    # Unit editors too: the services limit them to the memoranda their units own.
    write_roles = (roles.EDITOR, roles.ADMIN, roles.UNIT_EDITOR)

    def get_queryset(self):
        if self.action in ("history", "documents") or (self.action or "").startswith("approval"):
            # These show the memorandum's parts, not the memorandum: only whether it is visible.
            return memorandum_visible_to(self.request.user)
        # An export has no use for acknowledgements: one query fewer.
        return memorandum_list(self.request.user, acknowledgements=self.action != "export")

    @extend_schema(parameters=[AS_OF])
    def list(self, request, *args, **kwargs):
        day = self.as_of_day()
        if day is None and not wants_jsonld(request):
            page = self.paginate_queryset(
                memorandum_values(self.filter_queryset(self.get_queryset()))
            )
            return self.get_paginated_response(memorandum_rows(page, request.user))
        rows = self.register_as_of(day) if day else self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(rows)
        if wants_jsonld(request):
            nodes = [
                interchange.memorandum_node(m, request, fingerprint=fingerprint(m)) for m in page
            ]
            return jsonld_page(self, nodes)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def as_of_day(self):
        """The `as_of` date asked for, checked: the history is for editors, auditors, admins."""
        raw = self.request.query_params.get("as_of")
        if raw is None:
            return None
        if not roles.reads_history(self.request.user):
            raise PermissionDenied(
                _("The register as of a past date is for editors, auditors and admins.")
            )
        try:
            day = datetime.date.fromisoformat(raw)
        except ValueError:
            raise ValidationError({"as_of": [_("Enter a date as YYYY-MM-DD.")]}) from None
        others = sorted(set(self.request.query_params) - AS_OF_COMPANIONS)
        if others:
            raise ValidationError(
                {
                    "as_of": [
                        _("as_of combines only with ordering and paging, not with %(others)s.")
                        % {"others": ", ".join(others)}
                    ]
                }
            )
        return day

    def register_as_of(self, day) -> list:
        ordering = [key.strip() for key in self.request.query_params.get("ordering", "").split(",")]
        ordering = [key for key in ordering if key] or ["-signed_on"]
        unknown = [key for key in ordering if key.lstrip("-") not in ORDERING_FIELDS]
        if unknown:
            raise ValidationError(
                {
                    "ordering": [
                        _("Order by %(fields)s (prefix - to reverse).")
                        % {"fields": ", ".join(ORDERING_FIELDS)}
                    ]
                }
            )
        return memorandum_register_as_of(day, ordering=ordering)

    def retrieve(self, request, *args, **kwargs):
        if wants_jsonld(request):
            memorandum = self.get_object()
            document = interchange.memorandum_document(
                memorandum, request, fingerprint=fingerprint(memorandum)
            )
            return Response(document, headers={"ETag": etag(memorandum)})
        pk = str(self.kwargs["pk"])
        found = memorandum_values(self.filter_queryset(self.get_queryset())).filter(
            pk=int(pk) if pk.isdigit() else None
        )
        rows = memorandum_rows(list(found), request.user)
        if not rows:
            raise NotFound()
        row = rows[0]
        return Response(row, headers={"ETag": memorandum_etag(row["id"], row["version"])})

    @extend_schema(responses={201: MemorandumSerializer, **WRITE_ERROR_RESPONSES})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(
        parameters=[IF_MATCH], responses={200: MemorandumSerializer, **WRITE_ERROR_RESPONSES}
    )
    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        response["ETag"] = etag(self.saved)
        return response

    @extend_schema(
        parameters=[IF_MATCH], responses={200: MemorandumSerializer, **WRITE_ERROR_RESPONSES}
    )
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    def perform_create(self, serializer):
        memorandum = services.memorandum_create(
            actor=self.request.user, **serializer.service_arguments()
        )
        serializer.instance = self.get_queryset().get(pk=memorandum.pk)

    def perform_update(self, serializer):
        memorandum = serializer.instance
        if_match = self.request.headers.get("If-Match")
        version = serializer.validated_data.get("version")
        if if_match is not None and not self._matches(if_match, memorandum):
            raise PreconditionFailed()
        if if_match is None and version is None:
            raise ValidationError({"version": [VERSION_REQUIRED]})
        expected = version if version is not None else memorandum.version
        try:
            services.memorandum_update(
                memorandum=memorandum,
                actor=self.request.user,
                expected_version=expected,
                **serializer.service_arguments(),
            )
        except services.StaleVersion:
            if version is None:
                raise PreconditionFailed() from None
            raise
        serializer.instance = self.saved = self.get_queryset().get(pk=memorandum.pk)

    def perform_destroy(self, instance):
        services.memorandum_delete(memorandum=instance, actor=self.request.user)

    @extend_schema(
        parameters=[EXPORT_FORMAT, AS_OF],
        # The list's filters, which the export applies: drf-spectacular lists them for list
        # actions only.
        filters=True,
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, exports.CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY,
            (200, "application/json"): {"type": "array", "items": {"type": "object"}},
            202: JobSerializer,
            **ERROR_RESPONSES,
        },
        description="The filtered list as a file, one row per memorandum, in these columns: "
        f"{', '.join(COLUMNS)}. Every filter of the list applies. An XLSX file of more rows "
        "than the registry writes during a request (EXPORT_BACKGROUND_ROWS) is written by a "
        "background job: the answer is then 202 Accepted with the job, its URL in Location; "
        "the job's `result_url` serves the file once it succeeded.",
        extensions={
            FORMAT_VARIANTS: {
                "csv": "text/csv",
                "xlsx": exports.CONTENT_TYPES["xlsx"],
                "json": "application/json",
            }
        },
    )
    @action(
        detail=False,
        methods=["get"],
        pagination_class=None,
        content_negotiation_class=DownloadNegotiation,
    )
    def export(self, request, format=None):
        # `export.xlsx` (the format suffix) or `export/?format=xlsx`.
        export_format = format or request.query_params.get("format", "csv")
        if export_format not in exports.FORMATS:
            raise ValidationError({"format": [_("Choose csv, xlsx or json.")]})
        day = self.as_of_day()
        if day is not None:
            rows = exports.register_as_of_rows(day, self.register_as_of(day), export_format)
            return exports.export_response(rows, export_format)
        rows = self.filter_queryset(self.get_queryset())
        count = export_jobs.exports_in_background(export_format, rows, request.user)
        if count is not None:
            job = export_jobs.export_job_create(
                query=request.query_params.urlencode(), rows=count, actor=request.user
            )
            return accepted(job, request)
        return exports.memoranda_response(rows, export_format)

    @extend_schema(
        responses={200: HistoryEntrySerializer(many=True), **ERROR_RESPONSES},
        description="Changes to the memorandum and its parties, signatories, commitments and "
        "documents, newest first (editors, auditors, admins).",
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def history(self, request, pk=None):
        memorandum = self.get_object()
        if not roles.reads_history(request.user):
            raise PermissionDenied(_("The change history is for editors, auditors and admins."))
        page = self.paginate_queryset(memorandum_history(memorandum))
        return self.get_paginated_response(HistoryEntrySerializer(page, many=True).data)

    @extend_schema(
        request=IntakeRequestSerializer,
        responses={200: IntakeResponseSerializer, **ERROR_RESPONSES},
        description="Propose a draft memorandum from the text of an announcement (editors and "
        "admins): the institutions that sign it (the others named are `also_mentioned`), known "
        "ones by name, acronym or alias, the signing date, the signatories with their "
        "positions, cooperation areas, the kind and follow-up events. Deterministic rules, "
        "the same answer for the same text; nothing is saved.",
    )
    @action(
        detail=False,
        methods=["post"],
        filterset_class=None,
        pagination_class=None,
        serializer_class=IntakeRequestSerializer,
    )
    def intake(self, request):
        serializer = IntakeRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(intake.propose(serializer.validated_data["text"]).as_dict())

    @staticmethod
    def _matches(if_match: str, memorandum) -> bool:
        tags = {tag.strip() for tag in if_match.split(",")}
        return "*" in tags or etag(memorandum) in tags

    @extend_schema(
        methods=["GET"],
        responses={200: DocumentSerializer(many=True), **ERROR_RESPONSES},
        description="The memorandum's documents (none for anonymous visitors).",
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": DocumentSerializer},
        responses={201: DocumentSerializer, **WRITE_ERROR_RESPONSES},
        description="Upload a document (multipart): file, title, kind, language.",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        serializer_class=DocumentSerializer,
        parser_classes=[MultiPartParser, FormParser, JSONParser],
        filterset_class=None,
        pagination_class=None,
    )
    def documents(self, request, pk=None):
        memorandum = self.get_object()
        if request.method == "GET":
            documents = document_visible_to(request.user).filter(memorandum=memorandum)
            serializer = DocumentSerializer(
                documents.select_related("uploaded_by"), many=True, context={"request": request}
            )
            return Response(serializer.data)
        # A body larger than any accepted document is refused before it is read.
        length = request.META.get("CONTENT_LENGTH") or ""
        if length.isdigit() and int(length) > uploads.max_upload_size() + UPLOAD_OVERHEAD:
            raise ValidationError({"file": [uploads.size_message(uploads.max_upload_size())]})
        serializer = DocumentSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        document = services.document_create(
            memorandum=memorandum, actor=request.user, **serializer.validated_data
        )
        return Response(
            DocumentSerializer(document, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class DocumentViewSet(viewsets.GenericViewSet):
    def get_queryset(self):
        return document_visible_to(self.request.user).select_related("memorandum")

    @extend_schema(
        responses={
            # Bytes in every case; octet-stream first, as a client that reads one media type
            # of a response takes the first it knows and reads it as such.
            **{
                (200, content_type): OpenApiTypes.BINARY
                for content_type in ["application/octet-stream"]
                + [kind.content_type for kind in uploads.ACCEPTED]
            },
            **ERROR_RESPONSES,
            409: OpenApiResponse(
                CONFLICT_ERRORS,
                description="The stored file does not match the sha256 recorded at upload; "
                "it is not served.",
            ),
        },
        description="The document's file, as an attachment, after its sha256 has been checked "
        "against the one recorded at upload.",
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        document = self.get_object()
        try:
            uploads.verify_stored_file(document)
        except uploads.StoredFileMismatch as error:
            logger.error(
                "document %s of %s not served: %s", document.pk, document.memorandum, error
            )
            raise Conflict({"detail": DOCUMENT_MISMATCH}) from None
        suffix = PurePath(document.file.name).suffix.lower()
        kind = uploads.BY_EXTENSION.get(suffix.lstrip("."))
        filename = f"{document.memorandum.reference}-{document.pk}{suffix}"
        response = FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=filename,
            content_type=kind.content_type if kind else "application/octet-stream",
        )
        # Never rendered in the registry's origin, whatever a browser guesses.
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = "private, no-store"
        return response


@contextlib.contextmanager
def refusal_on_commitment_fields():
    """The services name a refused commitment as an item of its memorandum's `commitments`;
    this endpoint writes one commitment, so the refusal names the commitment's own field."""
    try:
        yield
    except DjangoValidationError as error:
        raise item_fields(error, "commitments") from None


class CommitmentViewSet(ServiceWritesMixin, viewsets.ModelViewSet):
    """What the parties promised, of the memoranda the reader may see."""

    serializer_class = CommitmentSerializer
    writes = ServiceWrites(services, "commitment")
    filterset_class = CommitmentFilterSet
    # Unit editors too: the services limit them to the memoranda their units own.
    write_roles = (roles.EDITOR, roles.ADMIN, roles.UNIT_EDITOR)
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return commitment_visible_to(self.request.user).select_related("area")

    def perform_create(self, serializer):
        with refusal_on_commitment_fields():
            super().perform_create(serializer)

    def perform_update(self, serializer):
        with refusal_on_commitment_fields():
            super().perform_update(serializer)


class CooperationAreaViewSet(ServiceWritesMixin, viewsets.ModelViewSet):
    """The areas of cooperation memoranda and commitments name by code (written by admins)."""

    writes = ServiceWrites(services, "cooperation_area", entity="area")
    queryset = CooperationArea.objects.select_related("parent").order_by("name", "id")
    serializer_class = CooperationAreaSerializer
    write_roles = (roles.ADMIN,)

    def perform_destroy(self, instance):
        try:
            super().perform_destroy(instance)
        except ProtectedError as refusal:
            raise Conflict({"detail": refusal.args[0]}) from None
