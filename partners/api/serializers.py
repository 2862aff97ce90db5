from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from partners.models import Institution, OrganisationalUnit, Person
from partners.selectors import can_read_contact_details
from registry.api.fields import ReadableRelatedField


class AliasListField(serializers.ListField):
    """Aliases read and written as a plain list of names, each once (a name may be the
    institution's name in two languages); a name written keeps the languages it has."""

    child = serializers.CharField(max_length=255)

    def to_representation(self, aliases):
        return list(dict.fromkeys(alias.name for alias in aliases.all()))


class InstitutionBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Institution
        fields = ["id", "name", "short_name", "country"]


class InstitutionSerializer(serializers.ModelSerializer):
    """A university or organisation that may be a party of agreements, with its aliases,
    country, ROR id and parent."""

    country = CountryField()
    aliases = AliasListField(
        required=False,
        help_text="Other names, spellings and names in other languages or scripts.",
    )
    ror_id = serializers.CharField(
        max_length=40, required=False, allow_blank=True, allow_null=True, validators=[]
    )
    hei_id = serializers.CharField(
        max_length=253,
        required=False,
        allow_blank=True,
        allow_null=True,
        validators=[],
        help_text="The EWP hei_id (SCHAC code), e.g. nu.edu.kz; stored in lowercase.",
    )
    parent = ReadableRelatedField(
        readable="parent_visible",
        queryset=Institution.objects.all(),
        required=False,
        allow_null=True,
        help_text="The parent institution's id; null when there is none or you may not see it.",
    )

    class Meta:
        model = Institution
        fields = [
            "id",
            "name",
            "short_name",
            "aliases",
            "kind",
            "country",
            "city",
            "website",
            "ror_id",
            "hei_id",
            "erasmus_code",
            "parent",
            "established_on",
            "description",
            "created_at",
            "updated_at",
        ]
        # Uniqueness is checked (and reported on its field) by the model's constraints.
        validators: list = []


class OrganisationalUnitSerializer(serializers.ModelSerializer):
    institution = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.all())
    parent = ReadableRelatedField(
        readable="parent_visible",
        queryset=OrganisationalUnit.objects.all(),
        required=False,
        allow_null=True,
        help_text="The id of the unit this one belongs to; null when there is none or you may "
        "not see it.",
    )
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=255), required=False, help_text="Other names."
    )

    class Meta:
        model = OrganisationalUnit
        fields = [
            "id",
            "institution",
            "parent",
            "name",
            "short_name",
            "kind",
            "ounit_id",
            "ounit_code",
            "aliases",
            "created_at",
            "updated_at",
        ]
        # Uniqueness is checked (and reported on its field) by the model's constraints.
        validators: list = []


class PersonSerializer(serializers.ModelSerializer):
    """A person who signs or is a contact for agreements, with their institution and position."""

    institution = ReadableRelatedField(
        readable="institution_visible",
        queryset=Institution.objects.all(),
        help_text="The id of the institution the person belongs to; null in answers when you "
        "may not see it.",
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "honorific",
            "full_name",
            "position",
            "institution",
            "email",
            "phone",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"email": {"required": False}, "phone": {"required": False}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not can_read_contact_details(request.user):
            data.pop("email")
            data.pop("phone")
        return data
