import datetime

from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.utils import timezone


class Status(models.TextChoices):
    """A memorandum's derived status: never stored, computed from its stage and dates."""

    DRAFT = "draft", "Draft"
    NEGOTIATION = "negotiation", "Negotiation"
    PENDING = "pending", "Pending"
    ACTIVE = "active", "Active"
    EXPIRED = "expired", "Expired"
    SUPERSEDED = "superseded", "Superseded"
    TERMINATED = "terminated", "Terminated"


def signed_successors():
    """The signed memoranda that supersede the outer one. `supersedes` not null is implied by
    the join, and said so that the planner answers from the partial index of signed successors
    (`memorandum_successor_idx`) rather than reading every memorandum."""
    from .models import Memorandum

    return Memorandum.objects.order_by().filter(
        supersedes=OuterRef("pk"), supersedes__isnull=False, stage=Memorandum.Stage.SIGNED
    )


def status_expression(today: datetime.date | None = None) -> Case:
    """The SQL of `Memorandum.derive_status`: both must say the same for every row."""
    from .models import Memorandum

    today = today or timezone.localdate()
    signed = Memorandum.Stage.SIGNED
    superseded = Exists(signed_successors())
    return Case(
        When(~Q(stage=signed), then="stage"),
        When(superseded, then=Value(Status.SUPERSEDED)),
        When(effective_from__gt=today, then=Value(Status.PENDING)),
        When(expires_on__lt=today, auto_renew=False, then=Value(Status.EXPIRED)),
        default=Value(Status.ACTIVE),
        output_field=models.CharField(),
    )


def status_condition(status: str, today: datetime.date | None = None) -> Q:
    """The rows whose `status_expression` is `status`, as a plain condition.

    Filtering on the CASE expression makes the database compute it for every row; this
    condition says the same in terms the planner can use indexes and anti-joins for.
    """
    from .models import Memorandum

    today = today or timezone.localdate()
    signed = Q(stage=Memorandum.Stage.SIGNED)
    superseded = Exists(signed_successors())
    pending = Q(effective_from__gt=today)
    expired = Q(expires_on__lt=today, auto_renew=False)
    return {
        Status.SUPERSEDED: signed & superseded,
        Status.PENDING: signed & ~superseded & pending,
        Status.EXPIRED: signed & ~superseded & ~pending & expired,
        Status.ACTIVE: signed & ~superseded & ~pending & ~expired,
    }.get(status, Q(stage=status))


class MemorandumQuerySet(models.QuerySet):
    def with_status(self, today: datetime.date | None = None):
        return self.annotate(status=status_expression(today))

    def in_status(self, statuses, today: datetime.date | None = None):
        """Memoranda whose derived status is one of `statuses` (same answer as filtering
        the `with_status()` annotation, faster)."""
        condition = Q(pk__in=[])
        for status in statuses:
            condition |= status_condition(status, today)
        return self.filter(condition)
