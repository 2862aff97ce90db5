"""Random sequences of submit, approve, return, edit, override and sign: the services never
let a memorandum be signed with a missing or stale approval.

Each example runs in a savepoint that is rolled back. `RULE_EXAMPLES` (default 40) sets the
number of examples.
"""

import datetime
import os
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agreements.approvals.services import (
    ApprovalConflict,
    approval_approve,
    approval_override,
    approval_return,
    approval_submit,
)
from agreements.approvals.terms import approval_fingerprint
from agreements.fingerprint import terms_prefetches
from agreements.models import Approval, ApprovalDecision, Memorandum
from agreements.services import memorandum_update

PROPERTY = settings(
    max_examples=int(os.environ.get("RULE_EXAMPLES", "40")),
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
OPERATIONS = [
    "submit",
    "approve_as_head",
    "approve_as_lawyer",
    "return_as_head",
    "return_as_lawyer",
    "edit_terms",
    "edit_title",
    "override",
    "sign",
]


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def cleared_for_current_terms(memorandum: Memorandum) -> bool:
    """Every step approved the current terms (or a superuser overrode, for them)."""
    memorandum = Memorandum.objects.prefetch_related(*terms_prefetches()).get(pk=memorandum.pk)
    current = approval_fingerprint(memorandum)
    approval = Approval.objects.filter(memorandum=memorandum).first()
    if approval is None or approval.fingerprint != current:
        return False
    if approval.state == Approval.State.OVERRIDDEN:
        return True
    approved_steps = set(
        ApprovalDecision.objects.filter(
            memorandum=memorandum, action="approved", fingerprint=current
        ).values_list("step", flat=True)
    )
    return approval.state == Approval.State.APPROVED and approved_steps == set(
        approval.route.steps.values_list("pk", flat=True)
    )


@PROPERTY
@given(
    operations=st.lists(
        st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 3)), min_size=1, max_size=14
    )
)
def test_no_sequence_signs_without_every_approval_of_the_current_terms(
    deciders, mou, editor, superuser, operations
):
    with rolled_back():
        actions = {
            "submit": lambda n: approval_submit(memorandum=mou, actor=editor),
            "approve_as_head": lambda n: approval_approve(memorandum=mou, actor=deciders.unit_head),
            "approve_as_lawyer": lambda n: approval_approve(memorandum=mou, actor=deciders.lawyer),
            "return_as_head": lambda n: approval_return(
                memorandum=mou, actor=deciders.unit_head, comment="No"
            ),
            "return_as_lawyer": lambda n: approval_return(
                memorandum=mou, actor=deciders.lawyer, comment="No"
            ),
            "edit_terms": lambda n: memorandum_update(
                memorandum=Memorandum.objects.get(pk=mou.pk),
                actor=editor,
                expires_on=datetime.date(2030 + n, 1, 1),
            ),
            "edit_title": lambda n: memorandum_update(
                memorandum=Memorandum.objects.get(pk=mou.pk), actor=editor, title=f"Title {n}"
            ),
            "override": lambda n: approval_override(
                memorandum=mou, actor=superuser, comment="Urgent"
            ),
            "sign": lambda n: memorandum_update(
                memorandum=Memorandum.objects.get(pk=mou.pk),
                actor=editor,
                stage="signed",
                signed_on=datetime.date(2026, 1, 1 + n),
            ),
        }
        for name, n in operations:
            try:
                with transaction.atomic():
                    actions[name](n)
            except (ApprovalConflict, PermissionDenied, ValidationError):
                continue
            if Memorandum.objects.get(pk=mou.pk).stage == Memorandum.Stage.SIGNED:
                assert name == "sign"
                assert cleared_for_current_terms(mou)
                break
