from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from agreements import uploads
from agreements.acknowledgements.api import (
    AcknowledgementStateSerializer,
    acknowledgement_states_data,
)
from agreements.api.rows import MEMORANDUM_FIELDS, redact
from agreements.fingerprint import fingerprint
from agreements.intake import proposal as intake
from agreements.models import (
    Commitment,
    CooperationArea,
    Document,
    Memorandum,
    Party,
    Signatory,
)
from agreements.querysets import Status
from agreements.selectors import can_read_staff_names
from partners.models import Institution, OrganisationalUnit, Person


class AreaCodeField(serializers.SlugRelatedField):
    """A cooperation area, written and read by its code."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=CooperationArea.objects.all(), **kwargs)


class PartySerializer(serializers.ModelSerializer):
    """A party: written as `{"institution": id, "role": …}`, read with the institution's names."""

    institution = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.all())
    name = serializers.CharField(source="institution.name", read_only=True)
    short_name = serializers.CharField(source="institution.short_name", read_only=True)
    country = serializers.CharField(source="institution.country.code", read_only=True)
    unit = serializers.PrimaryKeyRelatedField(
        queryset=OrganisationalUnit.objects.all(),
        required=False,
        allow_null=True,
        help_text="The id of the institution's unit that is the party, when it is one unit.",
    )
    unit_name = serializers.CharField(source="unit.name", read_only=True, allow_null=True)
    order = serializers.IntegerField(required=False, min_value=0, max_value=32767)

    class Meta:
        model = Party
        fields = [
            "institution",
            "name",
            "short_name",
            "country",
            "unit",
            "unit_name",
            "role",
            "order",
        ]


class SignatorySerializer(serializers.ModelSerializer):
    """A signatory: written with person and institution ids; read without contact details."""

    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    honorific = serializers.CharField(source="person.honorific", read_only=True)
    full_name = serializers.CharField(source="person.full_name", read_only=True)
    institution = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.all())

    class Meta:
        model = Signatory
        fields = [
            "person",
            "honorific",
            "full_name",
            "institution",
            "position_at_signing",
            "signed_on",
            "mode",
        ]


class SdgListField(serializers.ListField):
    child = serializers.IntegerField(min_value=1, max_value=17)

    def to_representation(self, sdgs):
        return [sdg.number for sdg in sdgs.all()]


class TagListField(serializers.ListField):
    child = serializers.CharField(max_length=100)

    def get_attribute(self, memorandum):
        return memorandum.tag_names()

    def to_representation(self, names):
        return names


class MemorandumSerializer(serializers.ModelSerializer):
    """A memorandum of understanding or agreement: its terms, parties, signatories, scope,
    status and where each party stands with its current terms."""

    parties = PartySerializer(many=True, required=False)
    signatories = SignatorySerializer(many=True, required=False)
    cooperation_areas = AreaCodeField(many=True, required=False)
    sdgs = SdgListField(required=False)
    tags = TagListField(required=False)
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The version you read; required on PUT and PATCH unless If-Match is sent.",
    )
    owner_unit = serializers.PrimaryKeyRelatedField(
        queryset=OrganisationalUnit.objects.all(),
        required=False,
        allow_null=True,
        help_text="The id of our unit that owns the agreement.",
    )
    owner_unit_name = serializers.CharField(
        source="owner_unit.name", read_only=True, allow_null=True
    )
    owner_email = serializers.EmailField(
        required=False,
        allow_blank=True,
        help_text="Absent for anonymous visitors, who never see contact details.",
    )
    internal_notes = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Present only for the institution's own staff (never for partner clients "
        "or anonymous visitors).",
    )
    created_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Who created it: the user name, for the registry's staff only (null for "
        "anyone else).",
    )
    updated_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Who changed it last: the user name, for the registry's staff only (null for "
        "anyone else).",
    )
    fingerprint = serializers.SerializerMethodField(
        help_text="sha256 of the canonical terms of a signed memorandum (its kind, parties, "
        "signatories, dates and scope); null unless signed. Send it to `acknowledge` to "
        "acknowledge these terms."
    )
    acknowledgements = serializers.SerializerMethodField(
        help_text="Where each party stands with the current terms (partner clients' "
        "acknowledgements)."
    )

    class Meta:
        model = Memorandum
        fields = MEMORANDUM_FIELDS
        extra_kwargs = {"reference": {"required": False, "validators": []}}

    def get_fingerprint(self, memorandum) -> str | None:
        return fingerprint(memorandum)

    @extend_schema_field(AcknowledgementStateSerializer(many=True))
    def get_acknowledgements(self, memorandum):
        return acknowledgement_states_data(memorandum)

    def to_representation(self, instance):
        request = self.context.get("request")
        return redact(
            super().to_representation(instance),
            request.user if request else None,
            supersedes_visible=getattr(instance, "supersedes_visible", True),
        )

    def service_arguments(self) -> dict:
        """The validated data as the services take it: nested lists as dicts, SDGs as numbers."""
        data = dict(self.validated_data)
        data.pop("version", None)
        for nested in ("parties", "signatories"):
            if nested in data:
                data[nested] = [dict(item) for item in data[nested]]
        return data


class CommitmentSerializer(serializers.ModelSerializer):
    """Something the parties of a memorandum promised, with its cooperation area, the
    institution responsible, its due date and its progress."""

    memorandum = serializers.PrimaryKeyRelatedField(queryset=Memorandum.objects.all())
    area = AreaCodeField(required=False, allow_null=True)

    class Meta:
        model = Commitment
        fields = [
            "id",
            "memorandum",
            "area",
            "title",
            "description",
            "responsible_institution",
            "due_on",
            "status",
            "completed_on",
        ]


class CooperationAreaSerializer(serializers.ModelSerializer):
    """An area of cooperation (student mobility, joint research, ...), named by its code;
    areas may nest under a parent."""

    parent = AreaCodeField(required=False, allow_null=True)

    class Meta:
        model = CooperationArea
        fields = ["id", "code", "name", "description", "parent"]


class DocumentSerializer(serializers.ModelSerializer):
    """A file of a memorandum (signed copy, annex, ...), with its checksum and size as
    recorded at upload and the address to download it from."""

    download_url = serializers.SerializerMethodField()
    uploaded_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Who uploaded it: the user name, for the registry's staff only (null for "
        "anyone else).",
    )

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "kind",
            "file",
            "language",
            "sha256",
            "size",
            "uploaded_at",
            "uploaded_by",
            "download_url",
        ]
        extra_kwargs = {
            "file": {
                "write_only": True,
                "help_text": f"At most {uploads.max_upload_size() // (1024 * 1024)} MB; one of "
                f"{uploads.accepted_labels()}, recognised by its content.",
            }
        }

    def validate_file(self, upload):
        """Size and type (by content) of the upload: agreements/uploads.py."""
        try:
            uploads.check_upload(upload)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict["file"]) from None
        return upload

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not can_read_staff_names(request.user):
            data["uploaded_by"] = None
        return data

    @extend_schema_field(serializers.URLField)
    def get_download_url(self, document) -> str:
        request = self.context.get("request")
        path = reverse("document-download", args=[document.pk])
        return request.build_absolute_uri(path) if request else path


# The records whose changes a memorandum's history shows (agreements.selectors.memorandum_history).
HISTORY_MODELS = ["memorandum", "party", "signatory", "commitment", "document", "acknowledgement"]


class HistoryEntrySerializer(serializers.Serializer):
    """One change to a memorandum or one of its parts: who, when, and each field before and
    after."""

    at = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True, help_text="Who made the change.")
    action = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    model = serializers.ChoiceField(
        choices=HISTORY_MODELS,
        help_text="The kind of record that changed.",
    )
    object_id = serializers.IntegerField()
    memorandum_id = serializers.IntegerField(allow_null=True)
    changes = serializers.DictField(
        child=serializers.ListField(allow_null=True),
        help_text="Each changed field: [old value, new value].",
    )


# Named for what it asks (drf-spectacular adds "Request" to a request body's component).
@extend_schema_serializer(component_name="Intake")
class IntakeRequestSerializer(serializers.Serializer):
    """The text of an announcement to propose a draft memorandum from."""

    text = serializers.CharField(
        trim_whitespace=True,
        help_text="The text of a press release or news item about a signing, of at most "
        "INTAKE_MAX_CHARS characters (50,000 unless the registry sets another limit).",
    )

    def validate_text(self, text: str) -> str:
        if problem := intake.length_problem(text):
            raise serializers.ValidationError(problem)
        return text


class IntakePartySerializer(serializers.Serializer):
    """A party the announcement names: the registered institution if one matches."""

    institution = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    short_name = serializers.CharField(allow_blank=True)
    country = serializers.CharField(allow_null=True)


class IntakeSignatorySerializer(serializers.Serializer):
    """A person the announcement names as signing, with position and institution."""

    full_name = serializers.CharField()
    honorific = serializers.CharField(allow_blank=True)
    position = serializers.CharField(allow_blank=True)
    institution_name = serializers.CharField(allow_null=True)
    mode = serializers.ChoiceField(choices=Signatory.Mode.choices)


class IntakeCommitmentSerializer(serializers.Serializer):
    """A follow-up event the announcement names, with its date if given."""

    title = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)


class IntakeMemorandumSerializer(serializers.Serializer):
    """The proposed draft: what the announcement says about the memorandum."""

    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=Memorandum.Kind.choices)
    signed_on = serializers.DateField(allow_null=True)
    parties = IntakePartySerializer(many=True)
    signatories = IntakeSignatorySerializer(many=True)
    cooperation_areas = serializers.ListField(child=serializers.CharField())
    commitments = IntakeCommitmentSerializer(many=True)


class PossibleDuplicateSerializer(serializers.Serializer):
    """A registered institution whose name is close to one the announcement names."""

    name = serializers.CharField(help_text="The name as the announcement writes it.")
    institution = serializers.IntegerField(help_text="The registered institution it resembles.")
    institution_name = serializers.CharField()
    country = serializers.CharField()
    similarity = serializers.FloatField()


class IntakeResponseSerializer(serializers.Serializer):
    """A proposed draft memorandum, with the institutions not found in the registry and
    near matches that may be the same."""

    memorandum = IntakeMemorandumSerializer()
    also_mentioned = IntakePartySerializer(
        many=True,
        help_text="Institutions the announcement names that do not sign it (hosts, funders, "
        "other members of a consortium, a person's former employer …): never parties.",
    )
    unknown_institutions = serializers.ListField(child=serializers.CharField())
    possible_duplicates = PossibleDuplicateSerializer(many=True)
