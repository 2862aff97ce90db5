"""The fingerprint of a signed memorandum: the sha256 of its canonical terms (SPEC section 6).

A partner acknowledges exactly this: if any term changes, the fingerprint changes and every
earlier acknowledgement becomes stale. It is computed, never stored, so it cannot go stale
itself; `memorandum_list` prefetches what it needs, so a page of memoranda computes its
fingerprints without a query per row.

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

Only a memorandum at the `signed` stage has a fingerprint; any other has none (None).

`fingerprint_sql` says the same in SQL, for PostgreSQL's CSV export of many memoranda at once;
`fingerprint` stays the reference, and tests/audit/test_export_postgresql.py holds the two
equal on awkward and generated terms.
"""

import hashlib
import json
from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg, StringAgg
from django.contrib.postgres.fields import ArrayField
from django.db.models import Case, F, Func, QuerySet, Subquery, TextField, Value, When
from django.db.models.functions import Cast, Coalesce, NullIf

from registry.sql import aggregated, code_point_order, concatenated

from .models import Commitment, Document

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


def fingerprint(memorandum) -> str | None:
    """The fingerprint of a signed memorandum, None for any other; remembered on the object
    (a serializer and an export row ask more than once)."""
    if memorandum.stage != "signed" or memorandum.pk is None:
        return None
    cached = memorandum.__dict__.get("_fingerprint")
    if cached is None:
        cached = memorandum.__dict__["_fingerprint"] = terms_fingerprint(memorandum)
    return cached


def acknowledgement_states(memorandum, current: str | None = None) -> list[dict[str, Any]]:
    """One entry per party, in party order: `acknowledged` when the party has acknowledged the
    current fingerprint, `stale` when it acknowledged only earlier terms (its latest such
    acknowledgement is shown), `pending` when it never acknowledged this memorandum.

    Reads `memorandum.acknowledgements.all()` (prefetched by `memorandum_list`).
    """
    current = fingerprint(memorandum) if current is None else current
    by_institution: dict[int, list] = {}
    for acknowledgement in sorted(
        memorandum.acknowledgements.all(), key=lambda a: (a.acknowledged_at, a.pk or 0)
    ):
        by_institution.setdefault(acknowledgement.institution_id, []).append(acknowledgement)
    states = []
    parties = sorted(memorandum.parties.all(), key=lambda party: (party.order, party.pk or 0))
    for party in parties:
        acknowledgements = by_institution.get(party.institution_id, [])
        matching = [a for a in acknowledgements if current and a.fingerprint == current]
        shown = matching[-1] if matching else (acknowledgements[-1] if acknowledgements else None)
        if matching:
            state = "acknowledged"
        elif acknowledgements:
            state = "stale"
        else:
            state = "pending"
        states.append(
            {
                "institution": party.institution_id,
                "state": state,
                "fingerprint": shown.fingerprint if shown else None,
                "acknowledged_at": shown.acknowledged_at if shown else None,
            }
        )
    return states


# The same in SQL (PostgreSQL), for an export of many memoranda at once. A caller that reads a
# memorandum's parties, areas and SDGs for columns of its own aggregates them once for both,
# with `party_terms`, `area_codes` and `sdg_numbers`, and hands them to `fingerprint_sql`.


def _json(value) -> Coalesce:
    """`value` as `canonical_json` writes it, NULL as `null`. PostgreSQL's to_json escapes text
    as json.dumps(ensure_ascii=False) does: a quote, a backslash and the control characters
    (short forms, else `\\u00xx`), every other character as itself."""
    return Coalesce(
        Cast(Func(value, function="TO_JSON"), TextField()), Value("null"), output_field=TextField()
    )


def _json_object(**members) -> Func:
    """A JSON object of members that are JSON already, with sorted keys and no whitespace."""
    parts = []
    for index, key in enumerate(sorted(members)):
        parts += [Value(("," if index else "{") + canonical_json(key) + ":"), members[key]]
    return concatenated(*parts, Value("}"))


def _json_objects(value, order_by) -> Func:
    """Aggregated: the JSON array of the rows' `value` (a `_json_object`) in `order_by`."""
    aggregate = StringAgg(value, ",", order_by=order_by, output_field=TextField())
    return concatenated(Value("["), aggregate, Value("]"))


def _json_array(value) -> Coalesce:
    """A JSON array (or NULL, for none) written as `canonical_json` writes it: array_to_json
    leaves out whitespace and escapes as to_json does."""
    json_text = Cast(Func(value, function="ARRAY_TO_JSON"), TextField())
    return Coalesce(json_text, Value("[]"), output_field=TextField())


def party_terms() -> Func:
    """Aggregated over a memorandum's parties: its terms' "parties", in party order."""
    party = _json_object(
        institution=_json(F("institution_id")),
        ror_id=_json(NullIf(F("institution__ror_id"), Value(""))),
        name=_json(F("institution__name")),
        role=_json(F("role")),
    )
    return _json_objects(party, ("order", "id"))


def area_codes() -> ArrayAgg:
    """Aggregated over a memorandum's links to cooperation areas: the codes, sorted."""
    code = F("cooperationarea__code")
    return ArrayAgg(code, order_by=code_point_order(code))


def sdg_numbers() -> ArrayAgg:
    """Aggregated over a memorandum's links to SDGs: the numbers, sorted."""
    return ArrayAgg("sustainabledevelopmentgoal_id", order_by="sustainabledevelopmentgoal_id")


def _of_memorandum(queryset: QuerySet, aggregate, output_field) -> Subquery:
    """`aggregate` over the rows of `queryset` that belong to the outer memorandum (NULL when
    there are none)."""
    return Subquery(aggregated(queryset, "memorandum", value=aggregate), output_field=output_field)


def fingerprint_sql(*, parties, areas, sdgs) -> Case:
    """`fingerprint(memorandum) or ""` of the outer memorandum: the sha256 (hex) of the UTF-8
    of its canonical terms for a signed memorandum, '' for any other.

    `parties`, `areas` and `sdgs` are `party_terms()`, `area_codes()` and `sdg_numbers()` of
    the memorandum's rows (NULL when it has none); its commitments and documents are read
    here, for a signed memorandum only.
    """
    commitment = _json_object(
        title=_json(F("title")),
        due_on=_json(F("due_on")),
        responsible_institution=_json(F("responsible_institution_id")),
        area=_json(F("area__code")),
    )
    # Sorted by their canonical JSON, as `sorted(commitments, key=canonical_json)`.
    commitments = _json_objects(commitment, code_point_order(commitment))
    documents = ArrayAgg("sha256", order_by=code_point_order(F("sha256")))
    terms = _json_object(
        scheme=Value(canonical_json(SCHEME)),
        parties=Coalesce(parties, Value("[]"), output_field=TextField()),
        signed_on=_json(F("signed_on")),
        effective_from=_json(Coalesce(F("effective_from"), F("signed_on"))),
        expires_on=_json(F("expires_on")),
        auto_renew=_json(F("auto_renew")),
        areas=_json_array(areas),
        sdgs=_json_array(sdgs),
        commitments=Coalesce(
            _of_memorandum(Commitment.objects.all(), commitments, TextField()),
            Value("[]"),
            output_field=TextField(),
        ),
        documents=_json_array(
            _of_memorandum(Document.objects.all(), documents, ArrayField(TextField()))
        ),
    )
    encoded = Func(terms, Value("UTF8"), function="CONVERT_TO")
    digest = Func(Func(encoded, function="SHA256"), Value("hex"), function="ENCODE")
    return Case(When(stage="signed", then=digest), default=Value(""), output_field=TextField())
