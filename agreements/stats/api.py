"""`GET /api/v1/stats/`: figures of the memoranda the caller may read, filtered like the list."""

import datetime
from functools import cached_property

from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from agreements.filters import MemorandumFilterSet
from agreements.querysets import Status
from agreements.stats.selectors import memoranda_for_statistics, memorandum_statistics
from registry.api.schema import ERROR_RESPONSES, RegistrySchema


class StatusCountsSerializer(serializers.Serializer):
    """Every status, each with its number of memoranda (zero included)."""

    def get_fields(self):
        return {
            status: serializers.IntegerField(help_text=label) for status, label in Status.choices
        }


class CountryCountSerializer(serializers.Serializer):
    """How many memoranda have a party in this country."""

    country = serializers.CharField(help_text="ISO 3166-1 alpha-2 code of a party's country.")
    name = serializers.CharField(help_text="The country's name.")
    count = serializers.IntegerField(help_text="Memoranda with a party from this country.")


class AreaCountSerializer(serializers.Serializer):
    """How many memoranda name this cooperation area."""

    code = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()


class YearCountSerializer(serializers.Serializer):
    """How many memoranda were signed in this year."""

    year = serializers.IntegerField(help_text="Year of signing.")
    count = serializers.IntegerField()


class UnitCountSerializer(serializers.Serializer):
    unit = serializers.IntegerField(help_text="The owning unit's id.")
    name = serializers.CharField()
    count = serializers.IntegerField(help_text="Memoranda this unit owns.")


class StatsSerializer(serializers.Serializer):
    """Figures over the memoranda you may read that match the filters."""

    total = serializers.IntegerField()
    by_status = StatusCountsSerializer()
    by_country = CountryCountSerializer(
        many=True, help_text="By party country, the most memoranda first."
    )
    by_area = AreaCountSerializer(many=True, help_text="By cooperation area, the most first.")
    by_year = YearCountSerializer(many=True, help_text="By year of signing, earliest first.")
    by_unit = UnitCountSerializer(
        many=True, help_text="By owning unit (memoranda with an owner), the most first."
    )
    expiring_within_90 = serializers.IntegerField(
        help_text="Active memoranda whose expiry date is within the next 90 days."
    )
    expiring_within_180 = serializers.IntegerField(
        help_text="Active memoranda whose expiry date is within the next 180 days."
    )


class StatsSchema(RegistrySchema):
    """The list's filters apply to `stats/` too, though it answers one object, not a list."""

    def get_filter_backends(self):
        return getattr(self.view, "filter_backends", [])


class StatsView(GenericAPIView):
    """Statistics of the memoranda you may read (for a partner client: the agreements its
    institution is a party to), narrowed by the same filters as `memoranda/`."""

    filterset_class = MemorandumFilterSet
    filter_backends = [DjangoFilterBackend]
    pagination_class = None
    serializer_class = StatsSerializer
    schema = StatsSchema()

    @cached_property
    def today(self) -> datetime.date:
        return timezone.localdate()

    def get_queryset(self):
        return memoranda_for_statistics(self.request.user, today=self.today)

    @extend_schema(responses={200: StatsSerializer, **ERROR_RESPONSES})
    def get(self, request, *args, **kwargs):
        memoranda = self.filter_queryset(self.get_queryset())
        return Response(memorandum_statistics(memoranda, today=self.today))
