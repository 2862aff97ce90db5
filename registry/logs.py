"""The log formats of settings.LOGGING: one record a line, and no calendar feed key in it.

A calendar feed's URL carries its key (`/api/v1/calendar.ics?token=...`), and a request's URL
reaches the logs in several places: gunicorn's access log, runserver's request lines, the
`request` that Django's request logging attaches to a 4xx or 5xx record, a traceback. Each
formatter therefore replaces the value of every `token` query parameter, plain or
percent-encoded (inside a `next=` URL), in the finished line, whatever put it there.
"""

import logging
import re

from pythonjsonlogger.json import JsonFormatter

REDACTED = "REDACTED"
# `?token=` or `&token=`, or their percent-encoded forms; the value runs to the next
# parameter, blank, quote, fragment or escape.
TOKEN_PARAMETER = re.compile(r"(?i)((?:[?&]|%3F|%26)token(?:=|%3D))[^&\s\"'#\\]+")


def redact(line: str) -> str:
    return TOKEN_PARAMETER.sub(rf"\g<1>{REDACTED}", line)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonLinesFormatter(JsonFormatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
