import datetime

import pytest


@pytest.fixture(autouse=True)
def frozen_clock(time_machine):
    """Every feed test runs at 09:00 UTC on 2025-03-03."""
    time_machine.move_to(datetime.datetime(2025, 3, 3, 9, tzinfo=datetime.UTC), tick=False)
