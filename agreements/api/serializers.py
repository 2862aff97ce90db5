from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agreements.models import (
    Commitment,
    CooperationArea,
    Document,
    Memorandum,
    Party,
    Signatory,
)
from agreements.querysets import Status
from agreements.selectors import can_read_internal_notes
from partners.models import Institution, Person
from partners.selectors import can_read_contact_details


class PartySerializer(serializers.ModelSerializer):
    """A party: written as `{"institution": id, "role": …}`, read with the institution's names."""

    institution = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.all())
    name = serializers.CharField(source="institution.name", read_only=True)
    short_name = serializers.CharField(source="institution.short_name", read_only=True)
    country = serializers.CharField(source="institution.country.code", read_only=True)
    order = serializers.IntegerField(required=False, min_value=0, max_value=32767)

    class Meta:
        model = Party
        fields = ["institution", "name", "short_name", "country", "role", "order"]


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

    def to_representation(self, tags):
        return sorted(tag.name for tag in tags.all())


class MemorandumSerializer(serializers.ModelSerializer):
    parties = PartySerializer(many=True, required=False)
    signatories = SignatorySerializer(many=True, required=False)
    cooperation_areas = serializers.SlugRelatedField(
        many=True, slug_field="code", queryset=CooperationArea.objects.all(), required=False
    )
    sdgs = SdgListField(required=False)
    tags = TagListField(required=False)
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The version you read; required on PUT and PATCH unless If-Match is sent.",
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
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Memorandum
        fields = [
            "id",
            "reference",
            "title",
            "kind",
            "stage",
            "status",
            "summary",
            "signed_on",
            "signed_at",
            "effective_from",
            "expires_on",
            "auto_renew",
            "renewal_notice_days",
            "supersedes",
            "visibility",
            "parties",
            "signatories",
            "cooperation_areas",
            "sdgs",
            "tags",
            "source_url",
            "owner_unit",
            "owner_email",
            "internal_notes",
            "created_at",
            "created_by",
            "updated_at",
            "updated_by",
            "version",
        ]
        extra_kwargs = {"reference": {"required": False, "validators": []}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = request.user if request else None
        if user is None or not can_read_internal_notes(user):
            data.pop("internal_notes")
        if user is None or not can_read_contact_details(user):
            data.pop("owner_email")
        if not getattr(instance, "supersedes_visible", True):
            data["supersedes"] = None
        return data

    def service_arguments(self) -> dict:
        """The validated data as the services take it: nested lists as dicts, SDGs as numbers."""
        data = dict(self.validated_data)
        data.pop("version", None)
        for nested in ("parties", "signatories"):
            if nested in data:
                data[nested] = [dict(item) for item in data[nested]]
        return data


class CommitmentSerializer(serializers.ModelSerializer):
    memorandum = serializers.PrimaryKeyRelatedField(queryset=Memorandum.objects.all())
    area = serializers.SlugRelatedField(
        slug_field="code",
        queryset=CooperationArea.objects.all(),
        required=False,
        allow_null=True,
    )

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
    parent = serializers.SlugRelatedField(
        slug_field="code",
        queryset=CooperationArea.objects.all(),
        required=False,
        allow_null=True,
    )

    class Meta:
        model = CooperationArea
        fields = ["id", "code", "name", "description", "parent"]


class DocumentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

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
        extra_kwargs = {"file": {"write_only": True}}

    @extend_schema_field(serializers.URLField)
    def get_download_url(self, document) -> str:
        request = self.context.get("request")
        path = reverse("document-download", args=[document.pk])
        return request.build_absolute_uri(path) if request else path


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True, help_text="Who made the change.")
    action = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    model = serializers.CharField(help_text="memorandum, party, signatory, commitment, document")
    object_id = serializers.IntegerField()
    memorandum_id = serializers.IntegerField(allow_null=True)
    changes = serializers.DictField(
        child=serializers.ListField(allow_null=True),
        help_text="Each changed field: [old value, new value].",
    )
