"""Optimistic locking: a write names the version it read, and a newer one refuses it."""

from django.utils.translation import gettext as _


class StaleVersion(Exception):
    """Someone saved the record after the version the caller read."""

    def __init__(self, current_version: int):
        super().__init__(
            _(
                "This memorandum has been changed since you read it (now version %(version)d); "
                "reload it and apply your change again."
            )
            % {"version": current_version}
        )
        self.current_version = current_version
