"""Long commands: a progress bar on a terminal, plain lines in a log or a pipe."""

import io

from django.core.management import call_command

from registry import progress
from registry.progress import BarProgress, PlainProgress, command_progress


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_gets_a_bar_that_redraws_itself():
    screen = Terminal()
    with command_progress(screen, total=4, desc="Seeding", unit="memoranda") as bar:
        assert isinstance(bar, BarProgress)
        bar.update(4)
    assert "\r" in screen.getvalue()
    assert "Seeding: 100%" in screen.getvalue()


def test_a_log_gets_a_plain_line_every_few_seconds_and_at_the_end(monkeypatch):
    log = io.StringIO()
    monkeypatch.setattr(progress, "PLAIN_EVERY", 0)
    with command_progress(log, total=4, desc="Seeding", unit="memoranda") as bar:
        assert isinstance(bar, PlainProgress)
        bar.update(1)
        bar.note("40 institutions")
        bar.update(3)
    assert log.getvalue() == (
        "Seeding: 1 of 4 (25 %) memoranda"
        "40 institutions"
        "Seeding: 4 of 4 (100 %) memoranda"
        "Seeding: 4 of 4 (100 %) memoranda"
    )
    assert "\r" not in log.getvalue()


def test_send_reminders_writes_its_progress_as_lines_when_not_on_a_terminal(db):
    out, err = io.StringIO(), io.StringIO()
    call_command("send_reminders", stdout=out, stderr=err)
    assert err.getvalue() == "Reminders: 0 reminders\n"
    quiet = io.StringIO()
    call_command("send_reminders", stdout=io.StringIO(), stderr=quiet, verbosity=0)
    assert quiet.getvalue() == ""
