"""The register's file format: the columns of an export, which an import reads back."""

COLUMNS = [
    "reference",
    "title",
    "kind",
    "status",
    "stage",
    "parties",
    "party_countries",
    "signatories",
    "cooperation_areas",
    "signed_on",
    "effective_from",
    "expires_on",
    "auto_renew",
    "visibility",
    "sdgs",
    "tags",
    "source_url",
    "updated_at",
    # After the documented columns, so their order stands. The name of our unit that owns the
    # memorandum; an import finds it by name or short name.
    "owner_unit",
    # Where the memorandum stands in its sign-off route: the approval's state (in_approval,
    # approved, overridden, returned) and the step it waits at. Blank for readers other than
    # the institution's staff, and for a memorandum never submitted. An import ignores them.
    "approval_state",
    "approval_step",
    # The reference of the memorandum this one amends or renews, so that an export imports back
    # whole.
    "supersedes",
    # The sha256 of a signed memorandum's terms (agreements/fingerprint.py), blank for one that
    # is not signed: what its partners acknowledge. Computed, so an import ignores it.
    "fingerprint",
]


SEPARATOR = "; "


# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
