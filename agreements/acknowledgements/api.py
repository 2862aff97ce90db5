"""The acknowledgement endpoint, `POST memoranda/{id}/acknowledge/`, and the shape of the
acknowledgement states every memorandum reads with."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from agreements.models import Acknowledgement
from agreements.selectors import partner_institution_id
from registry.api.exceptions import Conflict
from registry.api.schema import WRITE_ERROR_RESPONSES

from .services import StaleFingerprint, acknowledgement_create
from .states import acknowledgement_states

STATES = ["acknowledged", "stale", "pending"]


class AcknowledgementStateSerializer(serializers.Serializer):
    """Where one party stands with the memorandum's current terms."""

    institution = serializers.IntegerField(help_text="The party's institution id.")
    state = serializers.ChoiceField(
        choices=STATES,
        help_text="acknowledged: the party acknowledged the current fingerprint; stale: only "
        "earlier terms (they changed since); pending: never.",
    )
    fingerprint = serializers.CharField(
        allow_null=True, help_text="The fingerprint the party acknowledged (latest), if any."
    )
    acknowledged_at = serializers.DateTimeField(allow_null=True)


# One instance for every row of a list: making a serializer per row copies its fields each time.
ACKNOWLEDGEMENT_STATE = AcknowledgementStateSerializer()


def acknowledgement_states_data(memorandum) -> list[dict]:
    """The memorandum's `acknowledgements`, one per party, as the API writes them."""
    return [ACKNOWLEDGEMENT_STATE.to_representation(s) for s in acknowledgement_states(memorandum)]


# Named for what it asks (drf-spectacular adds "Request" to a request body's component).
@extend_schema_serializer(component_name="Acknowledge")
class AcknowledgementRequestSerializer(serializers.Serializer):
    """The memorandum's terms as you read them, by their fingerprint."""

    fingerprint = serializers.RegexField(
        r"^[0-9a-f]{64}$",
        help_text="The memorandum's `fingerprint` as you read it.",
        error_messages={"invalid": _("A fingerprint is 64 lower-case hexadecimal characters.")},
    )


class AcknowledgementSerializer(serializers.ModelSerializer):
    """A party's acknowledgement of a memorandum's terms, as recorded."""

    state = serializers.SerializerMethodField(
        help_text="acknowledged: what was just acknowledged is the current fingerprint."
    )

    class Meta:
        model = Acknowledgement
        fields = ["id", "memorandum", "institution", "fingerprint", "acknowledged_at", "state"]

    @extend_schema_field(serializers.ChoiceField(choices=STATES))
    def get_state(self, acknowledgement) -> str:
        return "acknowledged"


class AcknowledgeAction:
    """The `acknowledge` action of the memoranda viewset, which mixes it in."""

    @extend_schema(
        request=AcknowledgementRequestSerializer,
        responses={200: AcknowledgementSerializer, **WRITE_ERROR_RESPONSES},
        description="A partner client acknowledges, for its institution, the memorandum's terms "
        "as it read them: send its current `fingerprint`. Only partner clients of a party of a "
        "signed memorandum (others: 403); a fingerprint that is not the current one is a 409 on "
        "`fingerprint` (the terms changed: read the memorandum again). Acknowledging the same "
        "terms twice returns the first acknowledgement.",
    )
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[IsAuthenticated],
        filterset_class=None,
        serializer_class=AcknowledgementRequestSerializer,
    )
    def acknowledge(self, request, pk=None):
        memorandum = self.get_object()
        institution_id = partner_institution_id(request.user)
        party = next(
            (p for p in memorandum.parties.all() if p.institution_id == institution_id), None
        )
        if institution_id is None or party is None:
            raise PermissionDenied(
                _(
                    "Only the API client of an institution that is a party of this memorandum "
                    "acknowledges it."
                )
            )
        serializer = AcknowledgementRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            acknowledgement, _created = acknowledgement_create(
                memorandum=memorandum,
                institution=party.institution,
                fingerprint_seen=serializer.validated_data["fingerprint"],
                actor=request.user,
            )
        except StaleFingerprint as error:
            raise Conflict({"fingerprint": [str(error)]}) from None
        return Response(AcknowledgementSerializer(acknowledgement).data)
