"""The fingerprint of a signed memorandum's terms: stable, changed by terms only, and stored by
the services that change them (`memorandum_derived_data_refresh`): every read only reads it."""

import datetime
import hashlib
import json

import pytest
from django.core.files.base import ContentFile
from rest_framework.test import APIClient

from agreements.fingerprint import (
    SCHEME,
    canonical_json,
    canonical_terms,
    fingerprint,
    terms_fingerprint,
    terms_prefetches,
)
from agreements.models import CooperationArea, Memorandum
from agreements.selectors import memorandum_list
from agreements.services import (
    commitment_create,
    commitment_delete,
    commitment_update,
    cooperation_area_update,
    document_create,
    document_delete,
    institution_merge,
    memorandum_update,
)
from partners.services import institution_update
from tests.factories import InstitutionFactory, PersonFactory, UserFactory

from .conftest import signed_memorandum

pytestmark = pytest.mark.django_db


def current(memorandum) -> str | None:
    """The fingerprint as a reader gets it: freshly loaded through the list's selector. It is
    the stored one, and the stored one is always that of the terms as they now are."""
    superuser = UserFactory(username="reader", is_superuser=True)
    stored = fingerprint(memorandum_list(superuser).get(pk=memorandum.pk))
    terms = Memorandum.objects.prefetch_related(*terms_prefetches()).get(pk=memorandum.pk)
    assert stored == (terms_fingerprint(terms) if terms.stage == "signed" else None)
    return stored


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
    "a party's ROR id": lambda m, e: institution_update(
        institution=m.parties.first().institution, actor=e, ror_id="03vek6s52"
    ),
    "a party merged into another institution": lambda m, e: institution_merge(
        keep=InstitutionFactory(name="Kept University"),
        duplicates=[m.parties.first().institution],
        actor=e,
    ),
    "the stage (terminated: no fingerprint)": lambda m, e: memorandum_update(
        memorandum=m, actor=e, stage="terminated"
    ),
}


@pytest.mark.parametrize("change", CHANGES_OF_TERMS)
def test_a_change_of_terms_changes_the_fingerprint(change, memorandum, editor):
    before = current(memorandum)

    CHANGES_OF_TERMS[change](Memorandum.objects.get(pk=memorandum.pk), editor)

    assert current(memorandum) != before


@pytest.mark.parametrize("used_by", ["the memorandum", "a commitment"])
def test_a_new_code_of_an_area_in_the_terms_changes_the_stored_fingerprint(
    used_by, memorandum, editor, admin_user
):
    research = area("research")
    if used_by == "the memorandum":
        memorandum_update(memorandum=memorandum, actor=editor, cooperation_areas=[research])
    else:
        commitment_create(memorandum=memorandum, actor=editor, title="Joint lab", area=research)
    before = current(memorandum)

    cooperation_area_update(area=research, actor=admin_user, code="joint-research")

    assert current(memorandum) != before
    fresh = memorandum_list(admin_user).get(pk=memorandum.pk)
    assert current(memorandum) == terms_fingerprint(fresh)


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
    before = current(memorandum)

    commitment_delete(commitment=commitment, actor=editor)
    assert current(memorandum) != before
    before = current(memorandum)

    document_delete(document=memorandum.documents.get(), actor=editor)
    assert current(memorandum) != before


def test_a_draft_signed_gets_its_fingerprint_stored(editor, nu, sustech):
    draft = signed_memorandum(editor, [nu, sustech], stage="draft")
    assert Memorandum.objects.get(pk=draft.pk).fingerprint == ""

    signed = memorandum_update(memorandum=draft, actor=editor, stage="signed")

    assert len(signed.fingerprint) == 64
    assert current(draft) == signed.fingerprint


def test_renaming_an_institution_that_is_no_party_leaves_the_fingerprint_alone(memorandum, editor):
    before = current(memorandum)

    institution_update(institution=InstitutionFactory(), actor=editor, name="Elsewhere")
    institution_update(
        institution=memorandum.parties.first().institution, actor=editor, city="Astana"
    )

    assert current(memorandum) == before


NOT_TERMS = {
    "the title": {"title": "A new title"},
    "the summary": {"summary": "What it is about."},
    "the kind": {"kind": "framework"},
    "the visibility": {"visibility": "internal"},
    "the place of signing": {"signed_at": "Astana"},
    "the tags": {"tags": ["iioe"]},
    "the notes and owner": {"internal_notes": "Call back", "owner_email": "o@example.org"},
    "the reference": {"reference": "MOU-2023-0999"},
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


def test_reads_show_the_stored_fingerprint_and_compute_none(memorandum, editor, nu):
    """Whatever the column holds is what every reader is shown: nothing recomputes it."""
    stored = "f" * 64
    Memorandum.objects.filter(pk=memorandum.pk).update(fingerprint=stored)
    client = APIClient()
    client.force_authenticate(editor)
    url = f"/api/v1/memoranda/{memorandum.pk}/"

    listed = client.get("/api/v1/memoranda/").json()["results"][0]
    detail = client.get(url).json()
    linked = client.get(url, HTTP_ACCEPT="application/ld+json").json()
    exported = b"".join(client.get("/api/v1/memoranda/export/").streaming_content).decode()

    assert listed["fingerprint"] == detail["fingerprint"] == stored
    assert stored in json.dumps(linked)
    assert exported.splitlines()[1].endswith(stored)
    assert [state["state"] for state in detail["acknowledgements"]] == ["pending", "pending"]
