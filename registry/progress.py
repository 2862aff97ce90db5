"""Progress of a long management command: a bar on a terminal, plain lines anywhere else.

On a terminal tqdm draws a bar that redraws itself in place. Written to a file, a pipe or a CI
log that bar would be a stream of carriage returns, so there a line says how far the command
is every PLAIN_EVERY seconds, and a last one when it ends.
"""

import time

from tqdm import tqdm

PLAIN_EVERY = 5.0


class PlainProgress:
    def __init__(self, stream, *, total: int | None, desc: str, unit: str):
        self.stream = stream
        self.total = total
        self.desc = desc
        self.unit = unit
        self.n = 0
        self.written_at = time.monotonic()

    def update(self, steps: int = 1) -> None:
        self.n += steps
        if time.monotonic() - self.written_at >= PLAIN_EVERY:
            self._line()

    def note(self, message: str) -> None:
        self.stream.write(message)

    def close(self) -> None:
        self._line()

    def _line(self) -> None:
        share = f" of {self.total:,} ({self.n * 100 // self.total} %)" if self.total else ""
        self.stream.write(f"{self.desc}: {self.n:,}{share} {self.unit}")
        self.written_at = time.monotonic()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


class BarProgress(tqdm):
    def note(self, message: str) -> None:
        """A line above the bar, which is drawn again below it."""
        self.write(message, file=self.fp)


def command_progress(stream, *, total: int | None = None, desc: str, unit: str, enabled=True):
    """A context manager counting a command's steps (`update(n)`) on `stream` (a command's
    stdout or stderr), with `note(message)` for lines between; silent unless `enabled`."""
    if enabled and stream.isatty():
        # The bar redraws itself with carriage returns: it writes to the terminal itself, past
        # the command's wrapper, which would end each redraw with a new line.
        return BarProgress(
            total=total, desc=desc, unit=f" {unit}", file=getattr(stream, "_out", stream)
        )
    return PlainProgress(stream if enabled else _Silent(), total=total, desc=desc, unit=unit)


class _Silent:
    def write(self, message: str) -> None:
        pass
