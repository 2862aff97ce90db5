"""`GET jobs/{id}/` (its owner; anyone else a 404) and `GET jobs/{id}/result/`."""

from django.http import FileResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import RetrieveAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.reverse import reverse

from registry.api.schema import ERROR_RESPONSES

from .models import Job
from .selectors import job_result_servable, job_visible_to


class JobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True, allow_null=True)
    result_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "label",
            "state",
            "done",
            "total",
            "percent",
            "messages",
            "result_url",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
        ]

    def get_result_url(self, job) -> str | None:
        if not job_result_servable(job):
            return None
        return reverse("job-result", args=[job.pk], request=self.context.get("request"))


class JobView(RetrieveAPIView):
    """A background job of yours: its state, progress (done of total), messages, and the URL
    of its result once it succeeded. Poll it until `state` is `succeeded` or `failed`."""

    serializer_class = JobSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return job_visible_to(self.request.user).select_related("owner")


class JobResultView(RetrieveAPIView):
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return job_visible_to(self.request.user).select_related("owner")

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **ERROR_RESPONSES},
        description="The job's result file, to its owner while their reading rights are those "
        "the job was made with; 404 before it succeeded and after it expired.",
    )
    def get(self, request, *args, **kwargs):
        job = self.get_object()
        if not job_result_servable(job):
            raise NotFound()
        response = FileResponse(job.result.open("rb"), as_attachment=True, filename=job.result_name)
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


urlpatterns = [
    path("jobs/<int:pk>/", JobView.as_view(), name="job-detail"),
    path("jobs/<int:pk>/result/", JobResultView.as_view(), name="job-result"),
]


def accepted(job: Job, request) -> Response:
    """202 Accepted: the work goes on in the background as `job`, which Location names."""
    location = reverse("job-detail", args=[job.pk])
    data = JobSerializer(job, context={"request": request}).data
    return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})
