from collections.abc import Iterable
from typing import Any

from agreements.fingerprint import fingerprint


def party_states(
    party_institutions: Iterable[int],
    acknowledgements: Iterable[tuple[int, str, Any]],
    current: str | None,
) -> list[dict[str, Any]]:
    """One entry per party institution, in the order given: `acknowledged` when the party has
    acknowledged the `current` fingerprint, `stale` when it acknowledged only earlier terms
    (its latest such acknowledgement is shown), `pending` when it never acknowledged.
    `acknowledgements` are (institution id, fingerprint, acknowledged at), oldest first."""
    by_institution: dict[int, list[tuple[int, str, Any]]] = {}
    for acknowledgement in acknowledgements:
        by_institution.setdefault(acknowledgement[0], []).append(acknowledgement)
    states = []
    for institution_id in party_institutions:
        given = by_institution.get(institution_id, [])
        matching = [a for a in given if current and a[1] == current]
        shown = matching[-1] if matching else (given[-1] if given else None)
        if matching:
            state = "acknowledged"
        elif given:
            state = "stale"
        else:
            state = "pending"
        states.append(
            {
                "institution": institution_id,
                "state": state,
                "fingerprint": shown[1] if shown else None,
                "acknowledged_at": shown[2] if shown else None,
            }
        )
    return states


def acknowledgement_states(memorandum, current: str | None = None) -> list[dict[str, Any]]:
    """`party_states` of a memorandum, read from `memorandum.acknowledgements.all()` and
    `parties.all()` (prefetched by `memorandum_list`)."""
    acknowledgements = sorted(
        memorandum.acknowledgements.all(), key=lambda a: (a.acknowledged_at, a.pk or 0)
    )
    parties = sorted(memorandum.parties.all(), key=lambda party: (party.order, party.pk or 0))
    return party_states(
        [party.institution_id for party in parties],
        [(a.institution_id, a.fingerprint, a.acknowledged_at) for a in acknowledgements],
        fingerprint(memorandum) if current is None else current,
    )
