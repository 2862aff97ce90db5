"""A draft confirmed on the intake page is written through the services the API calls: the
same draft leaves the same rows and the same single history entry."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from agreements.demo import load_demo_directory
from agreements.intake.services import intake_draft_create
from agreements.models import Memorandum
from partners.models import Institution
from tests.agreements.support import assert_created_alike
from tests.factories import InstitutionFactory, UserFactory

from .announcements import ANNOUNCEMENTS

pytestmark = pytest.mark.django_db

INTAKE_PAGE = "/admin/agreements/memorandum/intake/"


def test_a_draft_from_the_intake_page_leaves_what_the_api_leaves(client):
    load_demo_directory()
    office = UserFactory(username="office", is_staff=True, groups=["registry-editor"])
    client.force_login(office)
    text = ANNOUNCEMENTS["numeric_date_and_unknown_party"]["text"]
    kaznu = Institution.objects.get(short_name="KazNU")
    draft = {
        "title": "Memorandum on student mobility",
        "kind": "moa",
        "signed_on": "2024-03-12",
        "visibility": "internal",
        "source_url": "https://example.org/news/kbtu-kaznu",
    }

    confirmed = client.post(
        INTAKE_PAGE,
        {
            "text": text,
            "create": "1",
            **draft,
            "parties": [str(kaznu.pk)],
            "cooperation_areas": ["student-mobility", "joint-programmes"],
            "new_0_create": "on",
            "new_0_name": "Kazakh-British Technical University",
            "new_0_short_name": "KBTU",
            "new_0_country": "KZ",
            "new_0_kind": "university",
        },
    )

    assert confirmed.status_code == 302, confirmed.context["form"].errors
    through_intake = Memorandum.objects.get()
    kbtu = Institution.objects.get(short_name="KBTU")
    assert kbtu.history.get().history_user == office
    api = APIClient()
    api.force_authenticate(office)
    created = api.post(
        "/api/v1/memoranda/",
        {
            **draft,
            "stage": "draft",
            "cooperation_areas": ["student-mobility", "joint-programmes"],
            "parties": [
                {"institution": kbtu.pk, "role": "party"},
                {"institution": kaznu.pk, "role": "party"},
            ],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    through_api = Memorandum.objects.get(pk=created.json()["id"])

    assert_created_alike(through_intake, through_api, user="office")


def test_a_refused_draft_leaves_no_new_institution_behind():
    office = UserFactory(username="office", is_staff=True, groups=["registry-editor"])
    known = InstitutionFactory(short_name="KazNU", country="KZ")

    with pytest.raises(ValidationError) as refusal:
        intake_draft_create(
            actor=office,
            parties=[known, {"name": "Kazakh-British Technical University", "country": "KZ"}],
            title="Memorandum on student mobility",
            signed_on=datetime.date(2024, 3, 12),
            expires_on=datetime.date(2024, 1, 1),
        )

    assert "expires_on" in refusal.value.message_dict
    assert not Institution.objects.filter(name="Kazakh-British Technical University").exists()
    assert Memorandum.objects.count() == 0
