"""The fingerprint of the terms an approval decides on.

It is the terms' fingerprint (agreements/fingerprint.py) without the dates the signing itself
sets: `signed_on`, and `effective_from`, which follows it unless given. Approvers decide on the
parties, areas, SDGs, commitments, documents, expiry and renewal; recording the day of
signature is not a change of what they approved. Unlike the stored fingerprint, which only a
signed memorandum has, this one exists at every stage.
"""

import hashlib

from agreements.fingerprint import canonical_json, canonical_terms

SCHEME = "mou-registry/approval-terms/1"


def approval_fingerprint(memorandum) -> str:
    """sha256 (hex) of the terms approvers decide on. Reads the parts through `.all()`, so
    prefetched ones (`terms_prefetches`) cost no query."""
    terms = canonical_terms(memorandum)
    del terms["signed_on"], terms["effective_from"]
    terms["scheme"] = SCHEME
    return hashlib.sha256(canonical_json(terms).encode("utf-8")).hexdigest()
