"""The groups (docs/data-model.md, roles) and who belongs to which."""

VIEWER = "registry-viewer"
EDITOR = "registry-editor"
AUDITOR = "registry-auditor"
ADMIN = "registry-admin"
# Reads what a viewer reads; edits the memoranda owned by the units it is granted (and the
# units under them).
UNIT_EDITOR = "registry-unit-editor"

ALL_GROUPS = (VIEWER, EDITOR, AUDITOR, ADMIN, UNIT_EDITOR)
# Groups that read every memorandum, confidential ones included.
READ_ALL_GROUPS = (EDITOR, AUDITOR, ADMIN)


def group_names(user) -> set[str]:
    """The user's registry groups, read once per request object."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_registry_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._registry_groups = cached
    return cached


def reads_everything(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or bool(group_names(user) & set(READ_ALL_GROUPS))
    )


def is_viewer(user) -> bool:
    """Reads what a viewer reads: viewers and unit editors."""
    return bool(group_names(user) & {VIEWER, UNIT_EDITOR})


def edits_everything(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or bool(group_names(user) & {EDITOR, ADMIN})
    )


def edits_own_units_only(user) -> bool:
    """A unit editor who is not also an editor: its writes are limited to its units."""
    return UNIT_EDITOR in group_names(user) and not edits_everything(user)


def is_admin(user) -> bool:
    return user.is_authenticated and (user.is_superuser or ADMIN in group_names(user))


def reads_history(user) -> bool:
    """Editors, auditors and administrators read a memorandum's change history."""
    return reads_everything(user)


def reads_audit_trail(user) -> bool:
    """The whole audit trail is for auditors and administrators."""
    return user.is_authenticated and (
        user.is_superuser or bool(group_names(user) & {AUDITOR, ADMIN})
    )
