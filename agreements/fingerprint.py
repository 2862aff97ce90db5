"""The fingerprint of a signed memorandum: the sha256 of its canonical terms .

A partner acknowledges exactly this: if any term changes, the fingerprint changes and every
earlier acknowledgement becomes stale.

The canonical terms are one JSON object, serialised with sorted keys, no whitespace
(`separators=(",", ":")`), non-ASCII characters as themselves, and encoded as UTF-8:

    {
      "scheme": "mou-registry/terms/1",
      "parties": [                       # in party order (order, then id)
        {"institution": 1, "ror_id": "052bx8q98", "name": "Nazarbayev University",
         "role": "party"},
        ...
      ],
      "signed_on": "2023-05-29",         # ISO 8601 dates, null when absent
      "effective_from": "2023-05-29",
      "expires_on": null,
      "auto_renew": false,
      "areas": ["capacity-building", "joint-bidding", ...],     # codes, sorted
      "sdgs": [4],                                              # sorted
      "commitments": [                   # sorted by their own canonical JSON
        {"title": "...", "due_on": "2023-07-31", "responsible_institution": 2,
         "area": "professional-development"},
        ...
      ],
      "documents": ["<sha256 of each document>", ...]           # sorted
    }

What is *not* a term, so changing it leaves the fingerprint (and acknowledgements) alone: the
title, summary, reference, kind, visibility, tags, place of signing, ownership, notes, the
signatories (who signed is a record of the signing, not a term), a commitment's description
and progress (status, completion date), a document's title, kind and language, and the ids of
party and commitment rows (an update that replaces them with equal ones changes nothing).
Institution ids, ROR ids and names are part of it: the terms bind those institutions, so a
renamed or merged party changes the terms.

Only a memorandum at the `signed` stage has a fingerprint; any other has none.

It is stored on the memorandum (`Memorandum.fingerprint`, blank when there is none) and kept
by the services: each one that changes a term calls `memorandum_derived_data_refresh`, which
computes it here with `terms_fingerprint`. Everything that shows it (the API, acknowledgements,
JSON-LD, exports, the admin) reads the stored value through `fingerprint`; only the register as
of a past day, whose terms come from the history, computes the fingerprint of those terms.
"""

import hashlib
import json
from typing import Any

from django.db.models import Prefetch

from .models import Commitment, Document, Party

SCHEME = "mou-registry/terms/1"


def _date(value) -> str | None:
    return value.isoformat() if value else None


def canonical_terms(memorandum) -> dict[str, Any]:
    """The memorandum's terms as the plain object that is hashed (see the module docstring).

    Reads the memorandum's parties (with their institutions), areas, SDGs, commitments (with
    their areas) and documents through `.all()`, so prefetched ones cost no query.
    """
    parties = sorted(memorandum.parties.all(), key=lambda party: (party.order, party.pk or 0))
    commitments = [
        {
            "title": commitment.title,
            "due_on": _date(commitment.due_on),
            "responsible_institution": commitment.responsible_institution_id,
            "area": commitment.area.code if commitment.area_id else None,
        }
        for commitment in memorandum.commitments.all()
    ]
    return {
        "scheme": SCHEME,
        "parties": [
            {
                "institution": party.institution_id,
                "ror_id": party.institution.ror_id or None,
                "name": party.institution.name,
                "role": party.role,
            }
            for party in parties
        ],
        "signed_on": _date(memorandum.signed_on),
        "effective_from": _date(memorandum.effective_from or memorandum.signed_on),
        "expires_on": _date(memorandum.expires_on),
        "auto_renew": bool(memorandum.auto_renew),
        "areas": sorted(area.code for area in memorandum.cooperation_areas.all()),
        "sdgs": sorted(sdg.number for sdg in memorandum.sdgs.all()),
        "commitments": sorted(commitments, key=canonical_json),
        "documents": sorted(document.sha256 for document in memorandum.documents.all()),
    }


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def terms_fingerprint(memorandum) -> str:
    """sha256 (hex) of the canonical terms, whatever the memorandum's stage."""
    encoded = canonical_json(canonical_terms(memorandum)).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def stored_fingerprint(memorandum) -> str:
    """What `Memorandum.fingerprint` holds: the fingerprint of a signed memorandum's terms, ""
    for any other."""
    return terms_fingerprint(memorandum) if memorandum.stage == "signed" else ""


def terms_prefetches() -> list[Prefetch]:
    """What `canonical_terms` reads, each in one query for many memoranda."""
    return [
        Prefetch("parties", queryset=Party.objects.select_related("institution")),
        "cooperation_areas",
        "sdgs",
        Prefetch("commitments", queryset=Commitment.objects.select_related("area")),
        Prefetch("documents", queryset=Document.objects.only("memorandum_id", "sha256")),
    ]


def fingerprint(memorandum) -> str | None:
    """The memorandum's fingerprint as it is stored, None when it has none (not signed)."""
    return memorandum.fingerprint or None
