"""A register whose every column has awkward cases, the same on every database: fixed ids
for what the fingerprint hashes (institutions) and fixed timestamps."""

import datetime

import pytest
from django.core.files.base import ContentFile

from agreements.models import CooperationArea, Memorandum, Party
from tests.factories.agreements import (
    CommitmentFactory,
    DocumentFactory,
    MemorandumFactory,
    SignatoryFactory,
    SignedMemorandumFactory,
)
from tests.factories.partners import InstitutionFactory, PersonFactory

# Every character JSON escapes, and some it must leave alone.
AWKWARD = 'a "quote", a \\ backslash, \t\n\r\b\f\x01\x1f\x7f, é 中文 😀 \u2028; end'
UPDATED_AT = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC)


@pytest.fixture
def institutions(db):
    return {
        "awkward": InstitutionFactory(
            pk=9001, name=f"Université {AWKWARD}", short_name="", country="FR", ror_id=None
        ),
        "formula": InstitutionFactory(
            pk=9002,
            name='=cmd|" /C calc"!A0',
            short_name='-SUS"Tech',
            country="CN",
            ror_id="049tv2d57",
        ),
        "plain": InstitutionFactory(
            pk=9003, name="Zürich Institute", short_name="ZI", country="CH"
        ),
        "hidden": InstitutionFactory(
            pk=9004, name="Hidden Institute", short_name="HI", country="JP"
        ),
    }


@pytest.fixture
def register(institutions):
    """Memoranda covering every column's awkward cases: quotes, backslashes, control
    characters, non-ASCII text and emoji, codes and tags whose code-point order differs from
    a collation's, parties whose order differs from their ids, missing ROR ids, dates and
    areas, several documents, no parties, timestamps with and without microseconds."""
    awkward, formula, plain, hidden = (
        institutions[key] for key in ("awkward", "formula", "plain", "hidden")
    )
    areas = [
        CooperationArea.objects.create(code=code, name=code)
        for code in ("zeta", "Alpha", "émigré", "alpha-2", "Zeta😀")
    ]
    full = SignedMemorandumFactory(
        reference="MOU-2024-0001",
        title=f"={AWKWARD}",
        parties=[],
        signed_on=datetime.date(2024, 3, 1),
        auto_renew=True,
        source_url='https://example.org/a,b?"c"',
    )
    # Party order differs from id order, with a tie that the id breaks.
    for institution, order in ((formula, 1), (awkward, 0), (plain, 0)):
        Party.objects.create(memorandum=full, institution=institution, order=order, role="party")
    parties = {party.institution_id: party for party in full.parties.all()}
    for institution, name in ((plain, f"Ana {AWKWARD}"), (awkward, "@Bob"), (formula, "Ωmega")):
        SignatoryFactory(
            party=parties[institution.pk],
            person=PersonFactory(full_name=name, institution=institution),
        )
    full.cooperation_areas.set(areas)
    full.sdgs.set([17, 4, 9])
    full.tags.add("zeta", "Éclair", "alpha", "Alpha", "😀", f"+{AWKWARD}")
    CommitmentFactory(
        memorandum=full, title=AWKWARD, area=None, due_on=None, responsible_institution=None
    )
    CommitmentFactory(
        memorandum=full,
        title="Ärger",
        area=areas[2],
        due_on=datetime.date(2025, 1, 31),
        responsible_institution=awkward,
    )
    CommitmentFactory(memorandum=full, title="A", area=areas[1], responsible_institution=None)
    for content in (b"one", b"two", b"three"):
        DocumentFactory(memorandum=full, file=ContentFile(content, name="copy.pdf"))

    lonely = SignedMemorandumFactory(
        reference="MOU-2024-0002",
        title="No parties, no effective date",
        parties=[],
        visibility="internal",
        signed_on=datetime.date(2023, 1, 2),
        expires_on=datetime.date(2099, 1, 1),
    )
    Memorandum.objects.filter(pk=lonely.pk).update(effective_from=None)
    draft = MemorandumFactory(reference="MOU-2024-0003", title="-draft", visibility="public")
    Party.objects.create(memorandum=draft, institution=plain)
    original = SignedMemorandumFactory(
        reference="MOU-2020-0009",
        title="Confidential original",
        visibility="confidential",
        parties=[hidden, plain],
        signed_on=datetime.date(2020, 1, 1),
    )
    SignedMemorandumFactory(
        reference="MOU-2024-0004",
        title="Public amendment",
        kind="amendment",
        visibility="public",
        parties=[awkward, hidden],
        supersedes=original,
        signed_on=datetime.date(2024, 2, 1),
    )
    SignedMemorandumFactory(
        reference="MOU-2021-0005", title="Ended", stage="terminated", parties=[awkward]
    )
    Memorandum.objects.update(updated_at=UPDATED_AT)
    # isoformat() leaves out microseconds that are 0, and writes those that are not.
    Memorandum.objects.filter(pk=lonely.pk).update(
        updated_at=UPDATED_AT.replace(microsecond=120000)
    )
    refresh = _refresh()
    if refresh is not None:
        refresh(memoranda=Memorandum.objects.values_list("pk", flat=True))


def _refresh():
    """The parts above were written directly, as a bulk import writes them; the derived data
    is then computed as such an import has it computed."""
    from agreements import services

    return getattr(services, "memorandum_derived_data_refresh", None)
