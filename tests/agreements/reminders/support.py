import datetime

from agreements.models import Reminder
from tests.factories import SignedMemorandumFactory

TODAY = datetime.date(2025, 3, 3)
OWNER = "intl-office@nu.edu.kz"


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def in_force(*, expires_in: int | None, **fields):
    """A signed memorandum in force on TODAY, expiring `expires_in` days later, owned by OWNER."""
    fields.setdefault("owner_email", OWNER)
    return SignedMemorandumFactory(
        expires_on=None if expires_in is None else TODAY + days(expires_in), **fields
    )


def recorded() -> list[tuple[str, datetime.date, str]]:
    """Every Reminder row as (kind, due_on, outcome), oldest first."""
    return list(Reminder.objects.order_by("id").values_list("kind", "due_on", "outcome"))
