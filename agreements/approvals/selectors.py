"""Where a memorandum stands in its route, as the API and the admin show it, and what waits
for a user."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from agreements.filters import NEVER_SUBMITTED
from agreements.models import (
    Approval,
    ApprovalDecision,
    ApprovalRoute,
    ApprovalStep,
    Memorandum,
)
from agreements.selectors import memorandum_visible_to
from partners.selectors import units_with_ancestors

State = Approval.State
Action = ApprovalDecision.Action
# A memorandum of a kind without a route, and one not submitted yet.
NOT_REQUIRED = "not_required"
NOT_SUBMITTED = NEVER_SUBMITTED
STATES = [NOT_REQUIRED, NOT_SUBMITTED, *State.values]

# A route's steps with the groups that decide them.
ROUTE_STEPS = Prefetch("steps", queryset=ApprovalStep.objects.select_related("group"))


def _step_state(approval: Approval | None, step, last_return_step_id: int | None) -> str:
    if approval is None:
        return "pending"
    if approval.state == State.APPROVED:
        return "approved"
    if approval.state == State.OVERRIDDEN:
        return "overridden"
    if approval.state == State.RETURNED:
        return "returned" if step.pk == last_return_step_id else "pending"
    current = approval.current_step
    if step.position < current.position:
        return "approved"
    return "waiting" if step.pk == current.pk else "pending"


def approval_status(memorandum: Memorandum) -> dict[str, Any]:
    """The memorandum's route, each step with its state and decisions, every decision (stale:
    made on terms that have changed since), the current step and whether it may be signed. For
    the institution's staff only (it names who decided).
    Three queries: the approval (with its route and current step), the steps, the decisions;
    the route instead of the approval when none was ever submitted."""
    approval = (
        Approval.objects.filter(memorandum=memorandum)
        .select_related("route", "current_step__group")
        .first()
    )
    route = approval.route if approval else route_for(memorandum)
    if route is not None:
        prefetch_related_objects([route], ROUTE_STEPS)
    steps = list(route.steps.all()) if route else []
    decisions = list(
        ApprovalDecision.objects.filter(memorandum=memorandum)
        .select_related("decided_by")
        .order_by("decided_at", "pk")
    )
    current_fingerprint = approval.fingerprint if approval else None
    rows = [
        {
            "id": decision.pk,
            "action": decision.action,
            "step": decision.step_id,
            "comment": decision.comment,
            "fingerprint": decision.fingerprint,
            "stale": decision.action == Action.APPROVED
            and decision.fingerprint != current_fingerprint,
            "decided_at": decision.decided_at,
            "decided_by": decision.decided_by.get_username() if decision.decided_by else None,
        }
        for decision in decisions
    ]
    returns = [d.step_id for d in decisions if d.action == Action.RETURNED]
    if not route or not steps:
        state = NOT_REQUIRED
    else:
        state = approval.state if approval else NOT_SUBMITTED
    current = approval.current_step if approval else None
    return {
        "route": {"id": route.pk, "name": route.name, "kind": route.kind} if route else None,
        "state": state,
        "fingerprint": current_fingerprint,
        "current_step": _step(current) if current else None,
        "waiting_since": approval.step_since if current else None,
        "steps": [
            {
                **_step(step),
                "state": _step_state(approval, step, returns[-1] if returns else None),
                "decisions": [row for row in rows if row["step"] == step.pk],
            }
            for step in steps
        ],
        "decisions": rows,
        "stale_approvals": [row for row in rows if row["stale"]],
        "may_be_signed": state in (NOT_REQUIRED, State.APPROVED, State.OVERRIDDEN),
    }


def _step(step) -> dict[str, Any]:
    return {"id": step.pk, "position": step.position, "name": step.name, "group": step.group.name}


def memoranda_waiting_for(user) -> QuerySet:
    """The memoranda the user may read that wait at a step one of the user's groups decides,
    longest waiting first."""
    if not user.is_authenticated:
        return Memorandum.objects.none()
    return (
        memorandum_visible_to(user)
        .filter(
            stage=Memorandum.Stage.NEGOTIATION,
            approval__state=State.IN_APPROVAL,
            approval__current_step__group__in=user.groups.all(),
        )
        .select_related("approval__current_step")
        .order_by("approval__step_since", "pk")
    )


def routes_for(memoranda: Iterable[Memorandum]) -> dict[int, ApprovalRoute | None]:
    """The route each memorandum follows, by id, with its steps, or None: the route of its
    kind for the nearest of its owning unit and the units above it that has one, else the
    route of its kind for every unit. Two queries (and one for the unit tree) for them all."""
    memoranda = list(memoranda)
    routes = ApprovalRoute.objects.filter(kind__in={m.kind for m in memoranda}).prefetch_related(
        ROUTE_STEPS
    )
    by_kind_and_unit = {(route.kind, route.owner_unit_id): route for route in routes}
    owned = {m.owner_unit_id for m in memoranda if m.owner_unit_id is not None}
    chains = units_with_ancestors(owned) if any(unit for _, unit in by_kind_and_unit) else {}
    chosen = {}
    for memorandum in memoranda:
        candidates = [*chains.get(memorandum.owner_unit_id, []), None]
        chosen[memorandum.pk] = next(
            (
                by_kind_and_unit[(memorandum.kind, unit)]
                for unit in candidates
                if (memorandum.kind, unit) in by_kind_and_unit
            ),
            None,
        )
    return chosen


def route_for(memorandum: Memorandum) -> ApprovalRoute | None:
    """The route `memorandum` follows (`routes_for`), or None."""
    return routes_for([memorandum])[memorandum.pk]
