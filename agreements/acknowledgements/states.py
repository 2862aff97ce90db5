from typing import Any

from agreements.fingerprint import fingerprint


def acknowledgement_states(memorandum, current: str | None = None) -> list[dict[str, Any]]:
    """One entry per party, in party order: `acknowledged` when the party has acknowledged the
    current fingerprint, `stale` when it acknowledged only earlier terms (its latest such
    acknowledgement is shown), `pending` when it never acknowledged this memorandum.

    Reads `memorandum.acknowledgements.all()` and `parties.all()` (prefetched by
    `memorandum_list`).
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
