"""The data model's rules and the derived status, as properties over generated data.

Each example runs in a savepoint that is rolled back, so examples do not see each other.
`RULE_EXAMPLES` (default 40) sets the number of examples per property.
"""

import datetime
import itertools
import os
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from agreements import services
from agreements.models import Memorandum
from tests.factories import InstitutionFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("RULE_EXAMPLES", "40"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
BASE = datetime.date(2024, 1, 1)

dates = st.integers(min_value=-400, max_value=400).map(lambda d: BASE + datetime.timedelta(d))
optional_dates = st.none() | dates
stages = st.sampled_from(Memorandum.Stage.values)


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def errors_of(call) -> dict[str, list[str]]:
    try:
        call()
    except ValidationError as error:
        return error.message_dict
    return {}


@pytest.fixture
def institutions():
    return InstitutionFactory.create_batch(4)


# --- Status: the SQL annotation and the status filter follow the rule -----------------------

signed_terms = st.fixed_dictionaries(
    {
        "signed_on": dates,
        "effective_delay": st.none() | st.integers(min_value=-30, max_value=400),
        "duration": st.none() | st.integers(min_value=0, max_value=800),
        "auto_renew": st.booleans(),
        "superseded_by": st.sampled_from([None, "draft", "negotiation", "signed", "terminated"]),
    }
)
memoranda_terms = st.lists(
    st.one_of(stages.filter(lambda stage: stage != "signed"), signed_terms),
    min_size=1,
    max_size=5,
)


REFERENCES = itertools.count()


def make_memorandum(terms) -> Memorandum:
    if isinstance(terms, str):
        return Memorandum.objects.create(
            reference=f"P-{next(REFERENCES)}", title="Unsigned", stage=terms
        )
    effective_from = (
        None
        if terms["effective_delay"] is None
        else terms["signed_on"] + datetime.timedelta(terms["effective_delay"])
    )
    effective = effective_from or terms["signed_on"]
    expires_on = (
        None if terms["duration"] is None else effective + datetime.timedelta(terms["duration"])
    )
    memorandum = Memorandum.objects.create(
        reference=f"P-{next(REFERENCES)}",
        title="Signed",
        stage="signed",
        signed_on=terms["signed_on"],
        effective_from=effective_from,
        expires_on=expires_on,
        auto_renew=terms["auto_renew"],
    )
    if terms["superseded_by"]:
        later_signed = terms["superseded_by"] == "signed"
        Memorandum.objects.create(
            reference=f"P-{next(REFERENCES)}",
            title="Later",
            stage=terms["superseded_by"],
            signed_on=terms["signed_on"] if later_signed else None,
            supersedes=memorandum,
        )
    return memorandum


def status_by_the_rule(terms, today: datetime.date) -> str:
    """The status rule of docs/data-model.md, read off the generated terms."""
    if isinstance(terms, str):
        return terms
    if terms["superseded_by"] == "signed":
        return "superseded"
    effective_from = terms["signed_on"] + datetime.timedelta(terms["effective_delay"] or 0)
    if today < effective_from:
        return "pending"
    expires_on = (
        None
        if terms["duration"] is None
        else effective_from + datetime.timedelta(terms["duration"])
    )
    if expires_on is not None and today > expires_on and not terms["auto_renew"]:
        return "expired"
    return "active"


@PROPERTY
@given(memoranda=memoranda_terms, today=dates)
def test_the_status_annotation_and_filter_follow_the_rule(memoranda, today):
    with rolled_back():
        made = [make_memorandum(terms) for terms in memoranda]
        ids = [m.pk for m in made]
        expected = {
            m.pk: status_by_the_rule(t, today) for m, t in zip(made, memoranda, strict=True)
        }
        annotated = dict(
            Memorandum.objects.with_status(today).filter(pk__in=ids).values_list("pk", "status")
        )
        assert annotated == expected
        for status in Memorandum.Status.values:
            filtered = set(
                Memorandum.objects.filter(pk__in=ids)
                .in_status([status], today)
                .values_list("pk", flat=True)
            )
            assert filtered == {pk for pk, given in expected.items() if given == status}, status


# --- Dates, through the API: a clear 400 naming the field --------------------------------------


@PROPERTY
@given(
    stage=stages,
    signed_on=optional_dates,
    effective_from=optional_dates,
    expires_on=optional_dates,
)
def test_dates_are_accepted_exactly_when_the_rules_hold(
    institutions, stage, signed_on, effective_from, expires_on
):
    client = APIClient()
    client.force_authenticate(UserFactory(username="officer", groups=["registry-editor"]))
    body = {
        "title": "Generated memorandum",
        "stage": stage,
        "signed_on": signed_on and signed_on.isoformat(),
        "effective_from": effective_from and effective_from.isoformat(),
        "expires_on": expires_on and expires_on.isoformat(),
        "parties": [{"institution": i.pk, "role": "party"} for i in institutions[:2]],
    }
    expected = set()
    if stage == "signed" and signed_on is None:
        expected.add("signed_on")
    effective = effective_from or signed_on
    if expires_on and effective and expires_on < effective:
        expected.add("expires_on")

    with rolled_back():
        response = client.post("/api/v1/memoranda/", body, format="json")

    if expected:
        assert response.status_code == 400, response.content
        assert expected <= set(response.json()), response.json()
    else:
        assert response.status_code == 201, response.content
        assert response.json()["effective_from"] == (effective and effective.isoformat())


# --- Parties and signatories ---------------------------------------------------------------------


@PROPERTY
@given(
    stage=stages,
    party_indexes=st.lists(st.integers(0, 3), max_size=5),
    signer_indexes=st.lists(st.integers(0, 3), max_size=3, unique=True),
)
def test_parties_and_signatories_are_accepted_exactly_when_the_rules_hold(
    institutions, stage, party_indexes, signer_indexes
):
    parties = [{"institution": institutions[i], "role": "party"} for i in party_indexes]
    signatories = [
        {
            "person": PersonFactory.build(institution=institutions[i]),
            "institution": institutions[i],
        }
        for i in signer_indexes
    ]
    distinct = set(party_indexes)
    expected = set()
    if len(distinct) < len(party_indexes) or (stage == "signed" and len(distinct) < 2):
        expected.add("parties")
    if any(i not in distinct for i in signer_indexes):
        expected.add("signatories")

    with rolled_back():
        for signatory in signatories:
            signatory["person"].institution.save()
            signatory["person"].save()
        errors = errors_of(
            lambda: services.memorandum_create(
                actor=None,
                title="Generated memorandum",
                stage=stage,
                signed_on=BASE,
                parties=parties,
                signatories=signatories,
            )
        )
        created = Memorandum.objects.filter(title="Generated memorandum").exists()

    assert set(errors) == expected, errors
    assert created is not bool(expected)


# --- Supersedes chains ---------------------------------------------------------------------------


def reaches(links: dict[int, int | None], start: int | None, target: int) -> bool:
    """Whether following `supersedes` from `start` arrives at `target`."""
    seen = set()
    while start is not None and start not in seen:
        if start == target:
            return True
        seen.add(start)
        start = links.get(start)
    return False


@PROPERTY
@given(
    size=st.integers(2, 5),
    moves=st.lists(st.tuples(st.integers(0, 4), st.none() | st.integers(0, 4)), max_size=8),
)
def test_supersedes_never_forms_a_cycle(size, moves):
    with rolled_back():
        memoranda = [
            services.memorandum_create(actor=None, title=f"Link {i}", parties=[])
            for i in range(size)
        ]
        links: dict[int, int | None] = dict.fromkeys(range(size))
        for source, target in moves:
            source %= size
            target = None if target is None else target % size
            memorandum = Memorandum.objects.get(pk=memoranda[source].pk)
            errors = errors_of(
                lambda memorandum=memorandum, target=target: services.memorandum_update(
                    memorandum=memorandum,
                    actor=None,
                    supersedes=None if target is None else memoranda[target],
                )
            )
            cycle = target is not None and reaches(links, target, source)
            if cycle:
                assert set(errors) == {"supersedes"}, errors
            else:
                assert errors == {}
                links[source] = target
            stored = {
                m.pk: m.supersedes_id for m in Memorandum.objects.filter(title__startswith="Link")
            }
            assert stored == {
                memoranda[i].pk: None if links[i] is None else memoranda[links[i]].pk
                for i in range(size)
            }
