import datetime

from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """A memorandum's derived status: never stored, computed from its stage and dates."""

    DRAFT = "draft", _("Draft")
    NEGOTIATION = "negotiation", _("Negotiation")
    PENDING = "pending", _("Pending")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    SUPERSEDED = "superseded", _("Superseded")
    TERMINATED = "terminated", _("Terminated")


def signed_successors():
    """The signed memoranda that supersede the outer one. `supersedes` not null is implied by
    the join, and said so that the planner answers from the partial index of signed successors
    (`memorandum_successor_idx`) rather than reading every memorandum."""
    from .models import Memorandum

    return Memorandum.objects.order_by().filter(
        supersedes=OuterRef("pk"), supersedes__isnull=False, stage=Memorandum.Stage.SIGNED
    )


def signed_status_rule(today: datetime.date | None = None, superseded=None) -> list:
    """The status of a signed memorandum, as (condition, status) pairs in the order they are
    tried: the first condition that holds gives the status; the last is None, "otherwise".
    (A memorandum at any other stage has that stage as its status.) With `status_expression`
    and `status_condition`, the one definition of the status rule (docs/data-model.md).

    `superseded` is the condition that a signed memorandum supersedes the row: by default,
    one among the memoranda; the register as of a past day passes one among its history.
    """
    today = today or timezone.localdate()
    return [
        (Exists(signed_successors()) if superseded is None else superseded, Status.SUPERSEDED),
        (Q(effective_from__gt=today), Status.PENDING),
        (Q(expires_on__lt=today, auto_renew=False), Status.EXPIRED),
        (None, Status.ACTIVE),
    ]


def status_expression(today: datetime.date | None = None, superseded=None) -> Case:
    """The status of each row, as a CASE."""
    from .models import Memorandum

    *tried, (_, otherwise) = signed_status_rule(today, superseded)
    return Case(
        When(~Q(stage=Memorandum.Stage.SIGNED), then=F("stage")),
        *(When(condition, then=Value(status)) for condition, status in tried),
        default=Value(otherwise),
        output_field=models.CharField(),
    )


def status_condition(status: str, today: datetime.date | None = None) -> Q:
    """The rows whose `status_expression` is `status`, as a plain condition: signed, the
    condition that gives it, and those tried before it failing.

    Filtering on the CASE makes the database compute it for every row; this says the same in
    terms the planner can use indexes and anti-joins for (`stage = 'signed' AND NOT EXISTS
    (...) AND ...`).
    """
    from .models import Memorandum

    signed = Memorandum.Stage.SIGNED
    if status != signed and status in Memorandum.Stage.values:
        return Q(stage=status)
    earlier_failed = Q(stage=signed)
    for condition, gives in signed_status_rule(today):
        if gives == status:
            return earlier_failed if condition is None else earlier_failed & condition
        earlier_failed &= ~condition
    return Q(pk__in=[])


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
