"""Helpers shared by the tests of agreements' packages."""

import datetime

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
