"""The kernel's one table: the version of the registry's data."""

from django.db import models


class DataVersion(models.Model):
    """The version of the registry's data: one row, given a new random value by every
    transaction that changes the data (`registry.caching`), so that cached figures are keyed
    by the data they were computed from."""

    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(id=1),
                name="data_version_single_row",
                violation_error_message="The data version is kept in one row, number 1.",
            )
        ]

    def __str__(self):
        return f"data version {self.value}"
