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
