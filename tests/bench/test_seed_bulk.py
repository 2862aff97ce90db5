"""`manage.py seed_bulk`: synthetic memoranda in bulk, for `make bench` and the load tests."""

import io

import pytest
from django.core.management import call_command

from agreements.models import Memorandum

pytestmark = pytest.mark.django_db


def seed(*arguments):
    out = io.StringIO()
    call_command("seed_bulk", *arguments, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_seeding_up_to_a_total_adds_to_the_synthetic_memoranda_already_there():
    """`MEMORANDA=... make bench` run a second time, with a larger number."""
    seed("--memoranda", "60")

    printed = seed("--memoranda", "120", "--up-to")

    assert "60 memoranda" in printed
    references = list(Memorandum.objects.values_list("reference", flat=True))
    assert len(references) == len(set(references)) == 120
    assert all(reference.startswith("SYN-") for reference in references)


def test_seeding_up_to_a_total_already_reached_adds_nothing():
    seed("--memoranda", "5")

    assert "already holds enough" in seed("--memoranda", "5", "--up-to")
    assert Memorandum.objects.count() == 5
