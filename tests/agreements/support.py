"""Helpers shared by the tests of agreements' packages."""

import datetime

from agreements.models import Memorandum
from agreements.selectors import memorandum_history
from agreements.services import memorandum_create


def signed_by(*parties, actor, title, signed_on=datetime.date(2023, 5, 29), **fields):
    """A memorandum that `parties` (institutions) signed, on 29 May 2023 unless `signed_on`
    says otherwise, created by `memorandum_create` as `actor` did."""
    return memorandum_create(
        actor=actor,
        title=title,
        stage="signed",
        signed_on=signed_on,
        parties=[{"institution": institution} for institution in parties],
        **fields,
    )


def comparable(entries: list[dict], **own) -> list[dict]:
    """History entries, oldest first, without what differs between two records of the same
    terms: times, ids, and their own values of the fields named in `own`."""
    return [
        {
            "model": entry["model"],
            "action": entry["action"],
            "user": entry["user"],
            "changes": {
                name: ["<own>" if name in own and value == own[name] else value for value in change]
                for name, change in entry["changes"].items()
            },
        }
        for entry in sorted(entries, key=lambda entry: (entry["at"], entry["history_id"]))
    ]


def memorandum_rows(memorandum: Memorandum) -> dict:
    """Everything the registry stores about a memorandum, but its identity and timestamps."""
    memorandum = Memorandum.objects.get(pk=memorandum.pk)
    fields = {
        field.attname: getattr(memorandum, field.attname)
        for field in Memorandum._meta.concrete_fields
        if field.name not in {"id", "reference", "created_at", "updated_at", "search_document"}
    }
    return {
        "fields": fields,
        "parties": list(memorandum.parties.values_list("institution", "role", "order")),
        "signatories": sorted(
            memorandum.signatories.values_list(
                "person", "institution", "position_at_signing", "signed_on", "mode"
            )
        ),
        "commitments": sorted(
            memorandum.commitments.values_list(
                "title", "area", "responsible_institution", "due_on", "status", "completed_on"
            )
        ),
        "areas": sorted(memorandum.cooperation_areas.values_list("code", flat=True)),
        "sdgs": sorted(memorandum.sdgs.values_list("number", flat=True)),
        "tags": memorandum.tag_names(),
    }


def new_entries(memorandum: Memorandum, before: int = 0) -> tuple[list[dict], list[tuple]]:
    """The memorandum's own history entries since the first `before` ones, and what happened
    to its parts then: (model, action, fields changed)."""
    entries = memorandum_history(memorandum)[::-1]
    own = [entry for entry in entries if entry["model"] == "memorandum"][before:]
    since = own[0]["at"] if own else None
    parts = sorted(
        (entry["model"], entry["action"], tuple(sorted(entry["changes"])))
        for entry in entries
        if entry["model"] != "memorandum" and since is not None and entry["at"] >= since
    )
    return own, parts


def assert_created_alike(first: Memorandum, second: Memorandum, *, user: str) -> dict:
    """Two memoranda created through two doors with the same terms: the same rows, and each one
    history entry, "created" by `user`, with the same changes (but their references) and the
    same entries for their parts. Returns those changes."""
    assert memorandum_rows(first) == memorandum_rows(second)
    first_own, first_parts = new_entries(first)
    second_own, second_parts = new_entries(second)
    assert len(first_own) == len(second_own) == 1
    assert first_own[0]["action"] == second_own[0]["action"] == "created"
    assert first_own[0]["user"] == second_own[0]["user"] == user
    first_changes, second_changes = (
        {name: change for name, change in entry["changes"].items() if name != "reference"}
        for entry in (first_own[0], second_own[0])
    )
    assert first_changes == second_changes
    assert first_parts == second_parts
    return first_changes
