"""How well intake reads announcements it was not written around: precision and recall of the
parties, the signatories and the signing date over the labelled corpora in `corpus/`, each read
against its own register (docs/features.md, "How well it reads", gives the figures)."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from agreements.intake.evaluation import evaluate, load_corpus, register_institutions
from partners.models import Institution

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).parent / "corpus"
# Written before the rules were settled, and read while settling them.
DEVELOPMENT = CORPUS / "announcements.json"
# Written and labelled after, as a check.
HELD_OUT = CORPUS / "held_out.json"


def scores_of(path: Path):
    corpus = load_corpus(path)
    register_institutions(corpus, actor=None)
    return corpus, evaluate(corpus)


def test_the_corpora_are_varied_enough_to_mean_something():
    development, held_out = load_corpus(DEVELOPMENT), load_corpus(HELD_OUT)

    assert len(development["announcements"]) >= 25
    assert len(held_out["announcements"]) >= 8
    countries = {i["country"] for c in (development, held_out) for i in c["institutions"]}
    assert len(countries) >= 20
    for corpus in (development, held_out):
        for announcement in corpus["announcements"]:
            assert announcement["parties"] and announcement["signatories"]
            assert announcement["signed_on"]


@pytest.mark.parametrize("path", [DEVELOPMENT, HELD_OUT], ids=["development", "held_out"])
def test_parties_signatories_and_dates_over_a_corpus(path):
    _, scores = scores_of(path)
    counts = scores.counts

    misses = {r.id: r.misses() for r in scores.readings if r.misses()}
    assert counts["parties"].precision >= 0.9, misses
    assert counts["parties"].recall == 1.0, misses
    assert counts["signatories"].recall >= 0.9, misses
    assert counts["signatories"].precision >= 0.8, misses
    assert counts["signed_on"].recall >= 0.9, misses
    assert scores.fragments == []


def test_every_institution_named_is_either_a_party_or_also_mentioned():
    corpus, scores = scores_of(DEVELOPMENT)

    by_id = {reading.id: reading for reading in scores.readings}
    # Context the corpus names on purpose: a funder, a ministry, a former employer, other
    # members of a network, a certificate's accreditor.
    expected_mentions = {
        "nairobi-siemens": "German Academic Exchange Service",
        "makerere-uct-arua": "University of Ghana",
        "unam-toronto": "University of Texas at Austin",
        "nu-monash": "University of Toronto",
        "uct-ug-certificate": "Council on Higher Education",
        "iitb-kaznu-network": "Nazarbayev University",
    }
    for announcement_id, name in expected_mentions.items():
        assert name in by_id[announcement_id].also_mentioned
        assert name.lower() not in by_id[announcement_id].found["parties"]


def test_the_command_prints_the_figures_and_leaves_nothing_behind():
    out = StringIO()

    call_command("intake_scores", str(HELD_OUT), "--misses", stdout=out)

    printed = out.getvalue()
    assert "parties" in printed and "signatories" in printed and "signed_on" in printed
    assert "announcements: 8; fragments: 0" in printed
    assert not Institution.objects.exists()
