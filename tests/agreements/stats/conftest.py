"""A small register whose statistics are known, for each role."""

from rest_framework.test import APIClient

from partners.models import PartnerLink
from tests.factories import (
    UserFactory,
)


def get_stats(user=None, **params) -> dict:
    """`stats/` as `user` (anonymous when None) with the list's filters `params`."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    response = client.get("/api/v1/stats/", params)
    assert response.status_code == 200, response.content
    return response.json()


def partner_of(institution):
    user = UserFactory(username=f"partner-{institution.short_name.lower()}")
    PartnerLink.objects.create(user=user, institution=institution)
    return user
