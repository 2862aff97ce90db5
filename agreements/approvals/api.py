"""`memoranda/{id}/approval/` and its `submit/`, `approve/`, `return/` and `override/`: actions
of the memoranda viewset, which mixes them in. Every one reads the memorandum through the
viewset's visibility gate (a memorandum the user may not read is a 404), and is for the
institution's own staff: partner clients and anonymous visitors get 403."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from agreements.selectors import is_registry_staff
from registry.api.exceptions import Conflict
from registry.api.schema import ERROR_RESPONSES, WRITE_ERROR_RESPONSES

from . import services
from .selectors import STATES, approval_status

STEP_STATES = ["pending", "waiting", "approved", "returned", "overridden"]


class StepSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    name = serializers.CharField()
    group = serializers.CharField(help_text="The group whose members decide this step.")


class DecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.ChoiceField(choices=services.Action.values)
    step = serializers.IntegerField(allow_null=True, help_text="The step's id.")
    comment = serializers.CharField(allow_blank=True)
    fingerprint = serializers.CharField(help_text="The terms decided on (approval fingerprint).")
    stale = serializers.BooleanField(help_text="An approval of terms that have changed since.")
    decided_at = serializers.DateTimeField()
    decided_by = serializers.CharField(allow_null=True, help_text="Username; null once deleted.")


class StepStateSerializer(StepSerializer):
    state = serializers.ChoiceField(choices=STEP_STATES)
    decisions = DecisionSerializer(many=True)


class RouteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


class ApprovalStatusSerializer(serializers.Serializer):
    route = RouteSerializer(allow_null=True)
    state = serializers.ChoiceField(
        choices=STATES,
        help_text="not_required: no route for the memorandum's kind; not_submitted: a route "
        "applies but it was never submitted; in_approval: waiting at `current_step`; approved: "
        "every step approved its current terms; overridden: a superuser let it be signed; "
        "returned: sent back to negotiation.",
    )
    fingerprint = serializers.CharField(
        allow_null=True, help_text="The fingerprint of the terms under approval."
    )
    current_step = StepSerializer(allow_null=True)
    waiting_since = serializers.DateTimeField(allow_null=True)
    steps = StepStateSerializer(many=True)
    decisions = DecisionSerializer(many=True)
    stale_approvals = DecisionSerializer(many=True)
    may_be_signed = serializers.BooleanField()


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class RequiredCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=4000)


class ApproveSerializer(CommentSerializer):
    fingerprint = serializers.RegexField(
        r"^[0-9a-f]{64}$",
        required=False,
        help_text="The approval's `fingerprint` as you read it: changed terms are a 400.",
        error_messages={"invalid": "A fingerprint is 64 lower-case hexadecimal characters."},
    )


DECISION = {
    "permission_classes": [IsAuthenticated],
    "filterset_class": None,
    "pagination_class": None,
}


class ApprovalActions:
    """The approval actions of the memoranda viewset."""

    def _approval_memorandum(self):
        if not is_registry_staff(self.request.user):
            raise PermissionDenied("Approvals are for the institution's own staff.")
        return self.get_object()

    def _decided(self, service, serializer_class, **arguments):
        memorandum = self._approval_memorandum()
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        if "fingerprint" in values:
            values["fingerprint_seen"] = values.pop("fingerprint")
        try:
            service(memorandum=memorandum, actor=self.request.user, **values, **arguments)
        except services.ApprovalConflict as error:
            raise Conflict({"approval": [str(error)]}) from None
        return Response(approval_status(memorandum))

    @extend_schema(
        responses={200: ApprovalStatusSerializer, **ERROR_RESPONSES},
        description="The memorandum's approval route, each step with its state and "
        "decisions, the current step, and the approvals the terms have outgrown (stale).",
    )
    @action(detail=True, methods=["get"], **DECISION)
    def approval(self, request, pk=None):
        memorandum = self._approval_memorandum()
        return Response(approval_status(memorandum))

    @extend_schema(
        request=CommentSerializer,
        responses={200: ApprovalStatusSerializer, **WRITE_ERROR_RESPONSES},
        description="Submit a memorandum in negotiation to its kind's route (editors, admins): "
        "it waits at the first step, whose group gets a mail. 409 when it is not in "
        "negotiation, has no route or is already submitted.",
    )
    @action(detail=True, methods=["post"], url_path="approval/submit", **DECISION)
    def approval_submit(self, request, pk=None):
        return self._decided(services.approval_submit, CommentSerializer)

    @extend_schema(
        request=ApproveSerializer,
        responses={200: ApprovalStatusSerializer, **WRITE_ERROR_RESPONSES},
        description="Approve the current step (members of its group; others 403): the next "
        "step decides, or after the last the memorandum may be signed. 409 when it is not "
        "waiting for an approval.",
    )
    @action(detail=True, methods=["post"], url_path="approval/approve", **DECISION)
    def approval_approve(self, request, pk=None):
        return self._decided(services.approval_approve, ApproveSerializer)

    @extend_schema(
        request=RequiredCommentSerializer,
        responses={200: ApprovalStatusSerializer, **WRITE_ERROR_RESPONSES},
        description="Return the memorandum to negotiation with a `comment` saying why "
        "(members of the current step's group).",
    )
    @action(detail=True, methods=["post"], url_path="approval/return", **DECISION)
    def approval_return(self, request, pk=None):
        return self._decided(services.approval_return, RequiredCommentSerializer)

    @extend_schema(
        request=RequiredCommentSerializer,
        responses={200: ApprovalStatusSerializer, **WRITE_ERROR_RESPONSES},
        description="Let a memorandum not yet signed be signed without the approvals it "
        "lacks, for its current terms, with the reason as `comment` (superusers).",
    )
    @action(detail=True, methods=["post"], url_path="approval/override", **DECISION)
    def approval_override(self, request, pk=None):
        return self._decided(services.approval_override, RequiredCommentSerializer)
