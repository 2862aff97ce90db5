"""Optimistic locking: a write names the version it read, and a newer one refuses it."""


class StaleVersion(Exception):
    """Someone saved the record after the version the caller read."""

    def __init__(self, current_version: int):
        super().__init__(
            f"This memorandum has been changed since you read it (now version {current_version}); "
            "reload it and apply your change again."
        )
        self.current_version = current_version
