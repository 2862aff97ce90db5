from pathlib import PurePath

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from agreements import services
from agreements.filters import CommitmentFilterSet, MemorandumFilterSet
from agreements.models import CooperationArea
from agreements.selectors import (
    commitment_visible_to,
    document_visible_to,
    memorandum_list,
)
from registry import roles
from registry.api.exceptions import PreconditionFailed
from registry.api.schema import ERROR_RESPONSES, WRITE_ERROR_RESPONSES

from .serializers import (
    CommitmentSerializer,
    CooperationAreaSerializer,
    DocumentSerializer,
    MemorandumSerializer,
)

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag you read; a stale one gets 412 and changes nothing.",
)


VERSION_REQUIRED = (
    "Send the version you read (or an If-Match header with its ETag), so that no one's change "
    "is overwritten."
)


def etag(memorandum) -> str:
    return f'"m{memorandum.pk}-v{memorandum.version}"'


@extend_schema(responses=ERROR_RESPONSES)
class MemorandumViewSet(viewsets.ModelViewSet):
    serializer_class = MemorandumSerializer
    filterset_class = MemorandumFilterSet

    def get_queryset(self):
        return memorandum_list(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag(self.get_object())
        return response

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
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        document = self.get_object()
        suffix = PurePath(document.file.name).suffix
        filename = f"{document.memorandum.reference}-{document.pk}{suffix}"
        return FileResponse(document.file.open("rb"), as_attachment=True, filename=filename)


class CommitmentViewSet(viewsets.ModelViewSet):
    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilterSet
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return commitment_visible_to(self.request.user).select_related("area")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.commitment_create(
            memorandum=data.pop("memorandum"), actor=self.request.user, **data
        )

    def perform_update(self, serializer):
        serializer.instance = services.commitment_update(
            commitment=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.commitment_delete(commitment=instance, actor=self.request.user)


class CooperationAreaViewSet(viewsets.ModelViewSet):
    queryset = CooperationArea.objects.select_related("parent").order_by("name", "id")
    serializer_class = CooperationAreaSerializer
    write_roles = (roles.ADMIN,)
