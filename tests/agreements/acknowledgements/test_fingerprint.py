"""The fingerprint of a signed memorandum's terms: stable, and changed by terms only."""

import datetime
import hashlib
import json

import pytest
from django.core.files.base import ContentFile

from agreements.fingerprint import SCHEME, canonical_json, canonical_terms, fingerprint
from agreements.models import CooperationArea, Memorandum
from agreements.selectors import memorandum_list
from agreements.services import (
    commitment_create,
    commitment_update,
    document_create,
    memorandum_update,
)
from partners.services import institution_update
from tests.factories import InstitutionFactory, PersonFactory, UserFactory

from .conftest import signed_memorandum

pytestmark = pytest.mark.django_db


def current(memorandum) -> str | None:
    """The fingerprint as a reader gets it: freshly loaded through the list's selector."""
    superuser = UserFactory(username="reader", is_superuser=True)
    return fingerprint(memorandum_list(superuser).get(pk=memorandum.pk))


def area(code):
    return CooperationArea.objects.get(code=code)


def test_a_signed_memorandum_has_a_sha256_of_its_canonical_terms(memorandum, nu, sustech):
    loaded = memorandum_list(UserFactory(is_superuser=True)).get(pk=memorandum.pk)

    terms = canonical_terms(loaded)
    encoded = canonical_json(terms)

    assert terms == {
        "scheme": SCHEME,
        "parties": [
            {"institution": nu.pk, "ror_id": "052bx8q98", "name": nu.name, "role": "party"},
            {
                "institution": sustech.pk,
                "ror_id": "049tv2d57",
                "name": sustech.name,
                "role": "party",
            },
        ],
        "signed_on": "2023-05-29",
        "effective_from": "2023-05-29",
        "expires_on": None,
        "auto_renew": False,
        "areas": [],
        "sdgs": [4],
        "commitments": [],
        "documents": [],
    }
    # Sorted keys, no whitespace, UTF-8.
    assert encoded == json.dumps(terms, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert " " not in encoded.replace(nu.name, "").replace(sustech.name, "")
    assert fingerprint(loaded) == hashlib.sha256(encoded.encode("utf-8")).hexdigest()
    assert len(fingerprint(loaded)) == 64


def test_the_fingerprint_is_stable(memorandum):
    first = current(memorandum)

    assert current(memorandum) == first
    assert fingerprint(Memorandum.objects.get(pk=memorandum.pk)) == first


def test_a_draft_has_no_fingerprint(editor, nu, sustech):
    draft = signed_memorandum(editor, [nu, sustech], stage="draft")

    assert current(draft) is None


def test_ordering_within_the_terms_does_not_matter(editor, nu, sustech):
    first = signed_memorandum(
        editor,
        [nu, sustech],
        cooperation_areas=[area("research"), area("teaching")],
        sdgs=[17, 4],
        commitments=[
            {"title": "B", "due_on": datetime.date(2024, 1, 1)},
            {"title": "A", "due_on": datetime.date(2024, 1, 1)},
        ],
    )
    second = signed_memorandum(
        editor,
        [nu, sustech],
        cooperation_areas=[area("teaching"), area("research")],
        sdgs=[4, 17],
        commitments=[
            {"title": "A", "due_on": datetime.date(2024, 1, 1)},
            {"title": "B", "due_on": datetime.date(2024, 1, 1)},
        ],
    )

    assert current(first) == current(second)


CHANGES_OF_TERMS = {
    "a party added": lambda m, e: memorandum_update(
        memorandum=m,
        actor=e,
        parties=[{"institution": p.institution} for p in m.parties.all()]
        + [{"institution": InstitutionFactory()}],
    ),
    "a party's role": lambda m, e: memorandum_update(
        memorandum=m,
        actor=e,
        parties=[
            {"institution": p.institution, "role": "coordinator" if i == 0 else "party"}
            for i, p in enumerate(m.parties.order_by("order"))
        ],
    ),
    "the order of the parties": lambda m, e: memorandum_update(
        memorandum=m,
        actor=e,
        parties=[{"institution": p.institution} for p in m.parties.order_by("-order")],
    ),
    "the signing date": lambda m, e: memorandum_update(
        memorandum=m, actor=e, signed_on=datetime.date(2023, 5, 30), effective_from=None
    ),
    "the effective date": lambda m, e: memorandum_update(
        memorandum=m, actor=e, effective_from=datetime.date(2023, 6, 1)
    ),
    "the expiry date": lambda m, e: memorandum_update(
        memorandum=m, actor=e, expires_on=datetime.date(2028, 5, 28)
    ),
    "automatic renewal": lambda m, e: memorandum_update(memorandum=m, actor=e, auto_renew=True),
    "the areas": lambda m, e: memorandum_update(
        memorandum=m, actor=e, cooperation_areas=[area("research")]
    ),
    "the SDGs": lambda m, e: memorandum_update(memorandum=m, actor=e, sdgs=[4, 17]),
    "a commitment added": lambda m, e: commitment_create(
        memorandum=m, actor=e, title="Summit", due_on=datetime.date(2023, 12, 31)
    ),
    "a document added": lambda m, e: document_create(
        memorandum=m, actor=e, title="Signed copy", file=ContentFile(b"%PDF-1", name="a.pdf")
    ),
    "a party's name": lambda m, e: institution_update(
        institution=m.parties.first().institution, actor=e, name="Renamed University"
    ),
}


@pytest.mark.parametrize("change", CHANGES_OF_TERMS)
def test_a_change_of_terms_changes_the_fingerprint(change, memorandum, editor):
    before = current(memorandum)

    CHANGES_OF_TERMS[change](Memorandum.objects.get(pk=memorandum.pk), editor)

    assert current(memorandum) != before


def test_a_commitment_and_a_document_change_it_by_their_terms_only(memorandum, editor, nu):
    commitment = commitment_create(
        memorandum=memorandum, actor=editor, title="Summit", due_on=datetime.date(2023, 12, 31)
    )
    document_create(
        memorandum=memorandum,
        actor=editor,
        title="Signed copy",
        file=ContentFile(b"%PDF-1", name="a.pdf"),
    )
    before = current(memorandum)

    commitment_update(
        commitment=commitment,
        actor=editor,
        description="Held in Shenzhen",
        status="done",
        completed_on=datetime.date(2023, 12, 31),
    )
    assert current(memorandum) == before

    commitment_update(commitment=commitment, actor=editor, due_on=datetime.date(2024, 1, 31))
    assert current(memorandum) != before
    before = current(memorandum)

    commitment_update(commitment=commitment, actor=editor, responsible_institution=nu)
    assert current(memorandum) != before


NOT_TERMS = {
    "the title": {"title": "A new title"},
    "the summary": {"summary": "What it is about."},
    "the kind": {"kind": "framework"},
    "the visibility": {"visibility": "internal"},
    "the place of signing": {"signed_at": "Astana"},
    "the tags": {"tags": ["iioe"]},
    "the notes and owner": {"internal_notes": "Call back", "owner_email": "o@example.org"},
}


@pytest.mark.parametrize("change", NOT_TERMS)
def test_what_is_not_a_term_leaves_the_fingerprint_alone(change, memorandum, editor):
    before = current(memorandum)

    memorandum_update(
        memorandum=Memorandum.objects.get(pk=memorandum.pk), actor=editor, **NOT_TERMS[change]
    )

    assert current(memorandum) == before


def test_replacing_parts_with_equal_ones_and_adding_signatories_leave_it_alone(
    memorandum, editor, nu
):
    before = current(memorandum)
    parties = [{"institution": p.institution, "role": p.role} for p in memorandum.parties.all()]

    memorandum_update(
        memorandum=memorandum,
        actor=editor,
        parties=parties,
        signatories=[{"person": PersonFactory(institution=nu), "institution": nu}],
    )

    assert current(memorandum) == before
