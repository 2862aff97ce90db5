"""Small helpers the tests share: clients, dates, list responses and admin form data."""

import datetime

from django.utils import timezone
from rest_framework.test import APIClient

from partners.models import PartnerLink
from tests.factories import InstitutionFactory, UserFactory


def api_client(user=None) -> APIClient:
    """An API client signed in as `user`, or anonymous when there is none."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def partner_of(institution, username=None):
    """A user linked to `institution`: a partner client reading for it."""
    user = UserFactory(username=username or f"partner-{institution.short_name.lower()}")
    PartnerLink.objects.create(user=user, institution=institution)
    return user


def five_institutions() -> dict:
    """NU in Kazakhstan, SUSTech and ICHEI in China, TUM in Germany, the Sorbonne in France."""
    return {
        key: InstitutionFactory(name=name, short_name=short_name, country=country)
        for key, name, short_name, country in [
            ("nu", "Nazarbayev University", "NU", "KZ"),
            ("sustech", "SUSTech", "SUSTech", "CN"),
            ("ichei", "UNESCO-ICHEI", "ICHEI", "CN"),
            ("tum", "Technical University of Munich", "TUM", "DE"),
            ("sorbonne", "Sorbonne Université", "SU", "FR"),
        ]
    }


def days(n: int) -> datetime.date:
    """The date `n` days from today (before it when negative)."""
    return timezone.localdate() + datetime.timedelta(days=n)


def keys_listed(response, objects: dict, field: str = "id") -> set:
    """The keys of `objects` (key: model instance) whose rows a list response holds, each row
    found by its `field`, checked against the response's count."""
    assert response.status_code == 200, response.content
    body = response.json()
    key_of = {getattr(instance, field): key for key, instance in objects.items()}
    keys = [key_of[row[field]] for row in body["results"]]
    assert body["count"] == len(keys) == len(set(keys))
    return set(keys)


def formset_management(prefix: str, total: int, initial: int = 0) -> dict[str, str]:
    """The management form an admin page's inline posts with its rows."""
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
