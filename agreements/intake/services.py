"""The write of intake: a draft memorandum confirmed from an announcement."""

from typing import Any

from agreements.models import Memorandum
from agreements.services import memorandum_create
from partners.models import Institution
from partners.services import institution_create
from registry.history import attributed


@attributed
def intake_draft_create(
    *, parties: list[Institution | dict[str, Any]], actor, **fields: Any
) -> tuple[Memorandum, list[Institution]]:
    """A draft memorandum with `fields` and `parties` in their order, each a registered
    institution or the fields of one to create first (an institution the announcement named
    that the register did not know), all in one transaction: (the draft, the institutions
    created)."""
    created = []
    institutions = []
    for party in parties:
        if isinstance(party, dict):
            party = institution_create(actor=actor, **party)
            created.append(party)
        institutions.append(party)
    memorandum = memorandum_create(
        actor=actor,
        stage=Memorandum.Stage.DRAFT,
        parties=[{"institution": institution, "role": "party"} for institution in institutions],
        **fields,
    )
    return memorandum, created
