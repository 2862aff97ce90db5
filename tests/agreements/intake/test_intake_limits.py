"""Intake reads a text of at most INTAKE_MAX_CHARS characters, in time linear in its length:
texts made to make a regular expression backtrack, or a rule compare everything with
everything, finish like any other."""

import time

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from agreements.demo import load_demo_directory
from agreements.intake.proposal import Directory, propose
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INTAKE = "/api/v1/memoranda/intake/"
LIMIT = 50_000
# Generous for a shared machine: each of these took from 20 seconds to many minutes before.
BUDGET_SECONDS = 10


def just_under_the_limit(piece: str) -> str:
    return (piece * (LIMIT // len(piece) + 1))[: LIMIT - 1]


ADVERSARIAL = {
    "no spaces": "a" * (LIMIT - 1),
    "full stops": "." * (LIMIT - 1),
    "abbreviations": just_under_the_limit("Dr. "),
    "digits and full stops": just_under_the_limit("1."),
    "capitalised words": just_under_the_limit("University "),
    "title modifiers": just_under_the_limit("Vice "),
    "runs of and": just_under_the_limit("and "),
    "institutions joined by and": just_under_the_limit("University of X and "),
    "acronyms in parentheses": just_under_the_limit("Alpha Beta (AB) "),
    "dates in one sentence": just_under_the_limit("signed on 29 May 2023, will meet "),
    "people": just_under_the_limit("Prof. Alpha Beta, Rector of NU, "),
    "spaces before and": "x" + " " * (LIMIT - 12) + "and to meet",
    "honorifics in a row": just_under_the_limit("Prof Dr "),
    "names between": just_under_the_limit("between NU and "),
    "names with": just_under_the_limit("signed an MoU with NU "),
    "a list of subjects": just_under_the_limit("NU, SUSTech and "),
    "subjects and verbs": just_under_the_limit("NU and SUSTech signed "),
    "signed by lists": just_under_the_limit("signed by Alpha Beta, Gamma Delta and "),
    "on behalf of": just_under_the_limit("on behalf of NU, "),
    "apposed titles": just_under_the_limit("Alpha Beta Gamma, President "),
    "titles of institutions": just_under_the_limit("Rector of NU "),
    "thousands of unknown institutions": " ".join(
        f"{a}{b}{c}{d}ville University,"
        for a in "BCDFGHKLMN"
        for b in "aeiou"
        for c in "bcdfghklmnprst"
        for d in "aeiou"
    )[: LIMIT - 1],
}


@pytest.fixture
def directory(db):
    load_demo_directory()
    return Directory()


@pytest.mark.parametrize("key", ADVERSARIAL)
def test_an_adversarial_text_just_under_the_limit_is_read_in_time(key, directory, settings):
    settings.INTAKE_MAX_CHARS = LIMIT
    started = time.monotonic()

    proposal = propose(ADVERSARIAL[key], directory=directory)

    assert time.monotonic() - started < BUDGET_SECONDS
    assert proposal.title


def test_institutions_joined_by_and_are_each_a_party(directory):
    proposal = propose(
        "Signed by the University of Tartu and Riga Technical University and Tallinn University."
    )

    assert [party.name for party in proposal.parties] == [
        "University of Tartu",
        "Riga Technical University",
        "Tallinn University",
    ]


def test_a_text_over_the_limit_is_a_400_naming_text(editor, settings):
    settings.INTAKE_MAX_CHARS = 100
    client = APIClient()
    client.force_authenticate(editor)

    response = client.post(INTAKE, {"text": "x" * 101}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "text": [
            "The announcement has 101 characters; at most 100 are read (INTAKE_MAX_CHARS). "
            "Paste the announcement alone."
        ]
    }


def test_the_admin_page_says_so_on_the_form(client, settings):
    settings.INTAKE_MAX_CHARS = 100
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.post("/admin/agreements/memorandum/intake/", {"text": "x" * 101})

    assert response.status_code == 200
    assert response.context["text_form"].errors == {
        "text": [
            "The announcement has 101 characters; at most 100 are read (INTAKE_MAX_CHARS). "
            "Paste the announcement alone."
        ]
    }


def test_propose_itself_refuses_a_text_over_the_limit(settings):
    settings.INTAKE_MAX_CHARS = 100

    with pytest.raises(ValidationError) as caught:
        propose("x" * 101)

    assert list(caught.value.message_dict) == ["text"]
