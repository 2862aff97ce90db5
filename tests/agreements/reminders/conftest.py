import datetime
import io

import pytest
from django.core.management import call_command

from .support import TODAY


@pytest.fixture
def clock(time_machine):
    """The clock, frozen: at 09:00 UTC on TODAY, and on another day with `clock(day)`."""

    def move(day: datetime.date) -> None:
        time_machine.move_to(
            datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC), tick=False
        )

    move(TODAY)
    return move


@pytest.fixture
def send_reminders():
    """Run the command as cron does; its output as (stdout, stderr)."""

    def run(*args: str) -> tuple[str, str]:
        out, err = io.StringIO(), io.StringIO()
        call_command("send_reminders", *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    return run
