"""Fixtures of the import tests."""

import pytest


@pytest.fixture
def known(nu, sustech):
    """The two institutions the rows of `row()` name."""
    return nu, sustech
