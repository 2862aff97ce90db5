"""People as the register lets each reader see them: a partner's account, if it signs in, sees
only the people (and their institutions) of the agreements it may read."""

from django.contrib import admin

from agreements.admin.readable import ReadableRelationsMixin
from agreements.selectors import person_visible_to, reads_all_of
from partners.admin import PersonAdmin
from partners.models import Person


@admin.register(Person)
class ReadablePersonAdmin(ReadableRelationsMixin, PersonAdmin):
    def get_queryset(self, request):
        people = super().get_queryset(request)
        if reads_all_of(request.user, Person):
            return people
        # Also what the autocomplete of every person field offers.
        return people.filter(pk__in=person_visible_to(request.user).values("pk"))
