"""The approval state machine: routes, and submitting, approving, returning and overriding a
memorandum's approval. Every transition is here; the API and the admin call these.

States of a memorandum's `Approval` (none before its first submission):

    (none) | returned --submit--> in_approval (at the first step)
    in_approval --approve--> in_approval (next step) | approved (after the last step)
    in_approval --return--> returned
    any, not signed --override (superuser, with a reason)--> overridden
    in_approval | approved | overridden --terms change--> in_approval (at the first step)

Signing a memorandum of a kind with a route needs `approved` or `overridden` for its current
terms (`approval_fingerprint`); `signing_check` refuses it otherwise.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from agreements.fingerprint import terms_prefetches
from agreements.models import (
    Approval,
    ApprovalDecision,
    ApprovalRoute,
    ApprovalStep,
    Memorandum,
)
from agreements.services import SigningRefused
from partners.models import OrganisationalUnit
from registry import roles
from registry.history import attributed, history_user

from .selectors import route_for, routes_for
from .terms import approval_fingerprint

State = Approval.State
Action = ApprovalDecision.Action
# States in which a memorandum is on its way through its route, or through it.
UNDER_WAY = (State.IN_APPROVAL, State.APPROVED, State.OVERRIDDEN)
# States that let a memorandum be signed, for the terms they were reached on.
CLEARED = (State.APPROVED, State.OVERRIDDEN)


class ApprovalConflict(Exception):
    """The memorandum is not in a state that allows this transition (the API's 409)."""


def is_member(user, group_id: int) -> bool:
    return user.is_authenticated and user.groups.filter(pk=group_id).exists()


def _locked(memorandum: Memorandum) -> tuple[Memorandum, Approval | None]:
    """The memorandum loaded again with its terms, its row locked against concurrent writes
    (which lock it too), and its approval, locked as well."""
    memorandum = (
        Memorandum.objects.select_for_update()
        .prefetch_related(*terms_prefetches())
        .get(pk=memorandum.pk)
    )
    approval = (
        # Only the approval's row: its current step may be none (an outer join).
        Approval.objects.select_for_update(of=("self",))
        .filter(memorandum=memorandum)
        .select_related("current_step__group", "route")
        .first()
    )
    return memorandum, approval


def _decide(
    memorandum: Memorandum,
    action: str,
    *,
    step: ApprovalStep | None,
    fingerprint: str,
    actor,
    comment: str = "",
) -> ApprovalDecision:
    decision = ApprovalDecision(
        memorandum=memorandum,
        step=step,
        action=action,
        comment=comment,
        fingerprint=fingerprint,
        decided_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    decision.full_clean()
    decision.save()
    return decision


def _arrive(approval: Approval, step: ApprovalStep) -> None:
    """The approval waits at `step` from now; its group hears of it once the write commits."""
    approval.state = State.IN_APPROVAL
    approval.current_step = step
    approval.step_since = timezone.now()
    approval.save()
    memorandum_id, step_id = approval.memorandum_id, step.pk
    transaction.on_commit(lambda: step_arrival_notify(memorandum_id=memorandum_id, step_id=step_id))


def _comment(comment: str, *, required: str | None = None) -> str:
    comment = (comment or "").strip()
    if required and not comment:
        raise ValidationError({"comment": required})
    return comment


@attributed
def approval_submit(*, memorandum: Memorandum, actor, comment: str = "") -> Approval:
    """An editor submits a memorandum in negotiation to its route (`route_for`): it waits at the
    first step. Refused (ApprovalConflict) when it is not in negotiation, has no route, or is
    already under way."""
    # No actor: the registry itself (the demo, a command).
    if actor is not None and not (
        roles.is_admin(actor) or roles.EDITOR in roles.group_names(actor)
    ):
        raise PermissionDenied("Editors and admins submit memoranda for approval.")
    memorandum, approval = _locked(memorandum)
    if memorandum.stage != Memorandum.Stage.NEGOTIATION:
        raise ApprovalConflict(
            "Only a memorandum in negotiation is submitted for approval; this one is "
            f"{memorandum.get_stage_display().lower()}."
        )
    if approval is not None and approval.state in UNDER_WAY:
        raise ApprovalConflict("This memorandum is already submitted for approval.")
    route = route_for(memorandum)
    steps = list(route.steps.all()) if route else []
    if not steps:
        raise ApprovalConflict(
            f"No approval route is defined for {memorandum.get_kind_display().lower()}s: "
            "it is signed without approvals."
        )
    fingerprint = approval_fingerprint(memorandum)
    if approval is None:
        approval = Approval(memorandum=memorandum)
    approval.route = route
    approval.fingerprint = fingerprint
    _decide(
        memorandum,
        Action.SUBMITTED,
        step=steps[0],
        fingerprint=fingerprint,
        actor=actor,
        comment=_comment(comment),
    )
    _arrive(approval, steps[0])
    return approval


def _waiting(memorandum: Memorandum, approval: Approval | None) -> Approval:
    # A memorandum taken back to draft while under way waits until it is in negotiation again.
    if (
        approval is None
        or approval.state != State.IN_APPROVAL
        or memorandum.stage != Memorandum.Stage.NEGOTIATION
    ):
        raise ApprovalConflict("This memorandum is not waiting for an approval.")
    return approval


def _check_decider(approval: Approval, actor) -> ApprovalStep:
    step = approval.current_step
    if not is_member(actor, step.group_id):
        raise PermissionDenied(
            f"Only members of the group “{step.group.name}” decide the step “{step.name}”."
        )
    return step


@attributed
def approval_approve(
    *, memorandum: Memorandum, actor, comment: str = "", fingerprint_seen: str | None = None
) -> Approval:
    """A member of the current step's group approves the memorandum's current terms: the
    next step decides, or, after the last one, the memorandum may be signed. With
    `fingerprint_seen` (the terms as the approver read them), terms changed since are a
    ValidationError on `fingerprint`."""
    memorandum, approval = _locked(memorandum)
    approval = _waiting(memorandum, approval)
    step = _check_decider(approval, actor)
    if fingerprint_seen is not None and fingerprint_seen != approval.fingerprint:
        raise ValidationError(
            {
                "fingerprint": "The terms have changed since you read them: read the "
                "memorandum's approval again."
            }
        )
    _decide(
        memorandum,
        Action.APPROVED,
        step=step,
        fingerprint=approval.fingerprint,
        actor=actor,
        comment=_comment(comment),
    )
    following = next((s for s in approval.route.steps.all() if s.position > step.position), None)
    if following is not None:
        _arrive(approval, following)
    else:
        approval.state = State.APPROVED
        approval.current_step = None
        approval.step_since = timezone.now()
        approval.save()
    return approval


@attributed
def approval_return(*, memorandum: Memorandum, actor, comment: str) -> Approval:
    """A member of the current step's group returns the memorandum to negotiation, saying why
    (`comment`, required). It is submitted again from the first step."""
    memorandum, approval = _locked(memorandum)
    approval = _waiting(memorandum, approval)
    step = _check_decider(approval, actor)
    comment = _comment(comment, required="Say why the memorandum is returned.")
    _decide(
        memorandum,
        Action.RETURNED,
        step=step,
        fingerprint=approval.fingerprint,
        actor=actor,
        comment=comment,
    )
    approval.state = State.RETURNED
    approval.current_step = None
    approval.step_since = timezone.now()
    approval.save()
    return approval


@attributed
def approval_override(*, memorandum: Memorandum, actor, comment: str) -> Approval:
    """A superuser lets a memorandum of a kind with a route be signed without the approvals
    it lacks, for its current terms, giving the reason (`comment`, required)."""
    if not getattr(actor, "is_superuser", False):
        raise PermissionDenied("Only a superuser overrides an approval route.")
    comment = _comment(comment, required="Give the reason for overriding the approvals.")
    memorandum, approval = _locked(memorandum)
    if memorandum.stage not in (Memorandum.Stage.DRAFT, Memorandum.Stage.NEGOTIATION):
        raise ApprovalConflict(
            "Only a memorandum not yet signed needs its approvals overridden; this one is "
            f"{memorandum.get_stage_display().lower()}."
        )
    route = approval.route if approval else route_for(memorandum)
    if route is None:
        raise ApprovalConflict(
            f"No approval route is defined for {memorandum.get_kind_display().lower()}s: "
            "there is nothing to override."
        )
    fingerprint = approval_fingerprint(memorandum)
    _decide(
        memorandum,
        Action.OVERRIDDEN,
        step=approval.current_step if approval else None,
        fingerprint=fingerprint,
        actor=actor,
        comment=comment,
    )
    if approval is None:
        approval = Approval(memorandum=memorandum, route=route)
    approval.state = State.OVERRIDDEN
    approval.current_step = None
    approval.fingerprint = fingerprint
    approval.step_since = timezone.now()
    approval.save()
    return approval


def _signing_refusal(memorandum: Memorandum, approval: Approval | None, fingerprint: str) -> str:
    if approval is None or approval.state == State.RETURNED:
        return (
            "This memorandum needs the approvals of its route before it is signed: submit it "
            "for approval first."
        )
    if approval.state == State.IN_APPROVAL:
        return (
            "This memorandum is signed only once every step of its route has approved it: it "
            f"waits at “{approval.current_step.name}”."
        )
    return (
        "The terms changed since they were approved: they go through the approval route "
        "again before the memorandum is signed."
    )


def terms_refreshed(*, memoranda: Sequence[Memorandum], newly_signed: Iterable[int], **signal):
    """Receives `agreements.services.terms_refreshed` inside every write of memoranda: a
    memorandum under way whose terms changed goes back to its route's first step; one that has
    just become signed must be cleared for its current terms (SigningRefused otherwise)."""
    newly_signed = set(newly_signed)
    by_id = {memorandum.pk: memorandum for memorandum in memoranda}
    approvals = {
        approval.memorandum_id: approval
        for approval in Approval.objects.filter(memorandum_id__in=by_id).select_related("route")
    }
    routes = routes_for(by_id[pk] for pk in newly_signed) if newly_signed else {}
    refusals = {}
    for pk, memorandum in by_id.items():
        approval = approvals.get(pk)
        if pk in newly_signed:
            route = routes.get(pk)
            if route is None or not route.steps.all():
                continue
            fingerprint = approval_fingerprint(memorandum)
            if (
                approval is None
                or approval.state not in CLEARED
                or (approval.fingerprint != fingerprint)
            ):
                refusals[pk] = ValidationError(
                    {"stage": _signing_refusal(memorandum, approval, fingerprint)}
                )
        elif (
            approval is not None
            and approval.state in UNDER_WAY
            and memorandum.stage in (Memorandum.Stage.DRAFT, Memorandum.Stage.NEGOTIATION)
        ):
            fingerprint = approval_fingerprint(memorandum)
            if fingerprint != approval.fingerprint:
                _restart(memorandum, approval, fingerprint)
    if refusals:
        raise SigningRefused(refusals)


def _restart(memorandum: Memorandum, approval: Approval, fingerprint: str) -> None:
    """The terms under approval changed: every step decides again, on the new terms."""
    first = approval.route.steps.first()
    approval.fingerprint = fingerprint
    _decide(memorandum, Action.RESTARTED, step=first, fingerprint=fingerprint, actor=history_user())
    if first is None:
        approval.state = State.RETURNED
        approval.current_step = None
        approval.save()
        return
    _arrive(approval, first)


def step_arrival_notify(*, memorandum_id: int, step_id: int) -> int:
    """Mail the members of the step's group that the memorandum waits for them; how many
    mails were sent. Members without an e-mail address are skipped."""
    memorandum = Memorandum.objects.get(pk=memorandum_id)
    step = ApprovalStep.objects.select_related("route", "group").get(pk=step_id)
    members = (
        get_user_model()
        .objects.filter(groups=step.group, is_active=True)
        .exclude(email="")
        .order_by("pk")
    )
    link = settings.SITE_URL.rstrip("/") + reverse(
        "admin:agreements_memorandum_change", args=[memorandum.pk]
    )
    subject = f"{memorandum.reference} waits for your approval: {step.name}"
    body = (
        f"“{memorandum.title}” ({memorandum.reference}) has reached the step “{step.name}” of "
        f"the approval route “{step.route.name}”, which the group “{step.group.name}” "
        f"decides.\n\nApprove it or return it with a comment:\n{link}\n"
    )
    messages = [
        EmailMessage(" ".join(subject.split()), body, to=[member.email]) for member in members
    ]
    return get_connection().send_messages(messages) or 0


def approval_digest_send(*, today: datetime.date, days: int) -> int:
    """Mail each member of a step's group the memoranda that have waited at that step for
    `days` days or more on `today`, longest waiting first: one mail per member, however many
    steps and memoranda; how many mails were sent. Run daily with the reminders."""
    since = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time.max)
    )
    waiting = (
        Approval.objects.filter(state=Approval.State.IN_APPROVAL, step_since__lte=since)
        .select_related("memorandum", "current_step__group")
        .order_by("step_since", "pk")
    )
    by_group: dict[int, list[Approval]] = {}
    for approval in waiting:
        by_group.setdefault(approval.current_step.group_id, []).append(approval)
    members = (
        get_user_model()
        .objects.filter(groups__in=by_group, is_active=True)
        .exclude(email="")
        .prefetch_related("groups")
        .distinct()
        .order_by("pk")
    )
    site = settings.SITE_URL.rstrip("/")
    messages = []
    for member in members:
        lines = [
            f"- {approval.memorandum.reference} “{approval.memorandum.title}”: "
            f"{approval.current_step.name}, since {approval.step_since.date().isoformat()}\n"
            f"  {site}"
            + reverse("admin:agreements_memorandum_change", args=[approval.memorandum_id])
            for group in member.groups.all()
            for approval in by_group.get(group.pk, [])
        ]
        subject = f"Waiting {days} days or more for your approval: {len(lines)}"
        body = "Waiting at a step your group decides:\n\n" + "\n".join(lines) + "\n"
        messages.append(EmailMessage(subject, body, to=[member.email]))
    if not messages:
        return 0
    return get_connection().send_messages(messages) or 0


# Routes and their deciders


def _check_steps(steps: Sequence[Mapping[str, Any]]) -> None:
    if not steps:
        raise ValidationError({"steps": "A route has at least one step."})


def _steps_write(route: ApprovalRoute, steps: Sequence[Mapping[str, Any]]) -> None:
    """The route's steps become `steps` (name, group), in order: the step at each position
    is changed in place, so decisions recorded on it keep pointing at it; steps past the end
    are deleted, unless decisions name them."""
    _check_steps(steps)
    stored = {step.position: step for step in route.steps.all()}
    for position, values in enumerate(steps, start=1):
        step = stored.pop(position, None) or ApprovalStep(route=route, position=position)
        step.name = values.get("name", "")
        group = values.get("group")
        if not isinstance(group, Group):
            raise ValidationError({"steps": f"Step {position} needs the group that decides it."})
        step.group = group
        try:
            step.full_clean(exclude=["route"])
        except ValidationError as error:
            raise ValidationError(
                {"steps": [f"Step {position}: {m}" for m in error.messages]}
            ) from None
        step.save()
    for step in stored.values():
        try:
            step.delete()
        except ProtectedError:
            raise ValidationError(
                {
                    "steps": f"The step “{step.name}” has decisions or memoranda waiting at it; "
                    "it stays on the route."
                }
            ) from None


@attributed
def approval_route_create(
    *,
    name: str,
    kind: str,
    steps: Sequence[Mapping[str, Any]],
    owner_unit: OrganisationalUnit | None = None,
    actor,
) -> ApprovalRoute:
    """A route for memoranda of `kind` (those owned by `owner_unit` or a unit under it, when
    given), with its steps (`name`, `group`) in order."""
    route = ApprovalRoute(name=name, kind=kind, owner_unit=owner_unit)
    route.full_clean()
    route.save()
    _steps_write(route, steps)
    return route


@attributed
def approval_route_update(
    *,
    route: ApprovalRoute,
    actor,
    steps: Sequence[Mapping[str, Any]] | None = None,
    **fields: Any,
) -> ApprovalRoute:
    """Change the route's name, kind or owning unit and, when given, its steps (replaced in
    order)."""
    for name, value in fields.items():
        setattr(route, name, value)
    route.full_clean()
    route.save()
    if steps is not None:
        _steps_write(route, steps)
    return route


@attributed
def approval_route_delete(*, route: ApprovalRoute, actor) -> None:
    """Only a route no memorandum has gone through is deleted."""
    if route.approvals.exists():
        raise ValidationError(
            {"kind": "Memoranda have gone through this route: it stays, as their record."}
        )
    route.delete()


@attributed
def approver_ensure(*, username: str, email: str, groups: Sequence[str], actor):
    """A user who decides steps of the groups named (created when missing) and reads what a
    registry viewer reads, so that the memoranda waiting for them are visible to them:
    (the user, whether it is new). A new user has no usable password; an admin sets one."""
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"email": email}
    )
    if created:
        user.set_unusable_password()
        user.full_clean()
        user.save()
    wanted = [Group.objects.get_or_create(name=name)[0] for name in [roles.VIEWER, *groups]]
    user.groups.add(*wanted)
    return user, created
