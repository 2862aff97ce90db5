"""A calendar feed's key is in its URL; no log line that gunicorn (`make serve`, the image) or
runserver (`make run`) writes through the registry's logging keeps it.

The servers run against an empty in-memory database: every request for the feed is then a 503
(the feed's table does not exist), which Django's request logging, the database-unavailable
log and the access log all record with the request's URL. tests/system/production/
test_gunicorn.py requests a real feed on PostgreSQL."""

import secrets
import subprocess
import sys
import threading
import time

import pytest

from tests.system.production.support import (
    BASE_DIR,
    free_port,
    get,
    production_environment,
    wait_until_listening,
)

KEY = secrets.token_urlsafe(32)
FEED = f"/api/v1/calendar.ics?token={KEY}"
# The same URL as a sign-in page's `next`, percent-encoded.
NEXT = f"/admin/login/?next=%2Fapi%2Fv1%2Fcalendar.ics%3Ftoken%3D{KEY}"


def serve(command, env, access_logger):
    """Start `command` on a free port, GET the feed and the sign-in page, and stop it once
    `access_logger` has logged both requests (servers log a request after answering it); the
    output."""
    port = free_port()
    server = subprocess.Popen(
        [part.format(port=port) for part in command],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []

    def read():
        for line in server.stdout:
            lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        wait_until_listening(port, server)
        assert get(f"http://127.0.0.1:{port}{FEED}")[0] == 503
        get(f"http://127.0.0.1:{port}{NEXT}")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            logged = [line for line in lines if access_logger in line and "calendar.ics" in line]
            if len(logged) == 2:
                break
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=30)
        reader.join(timeout=30)
    return "".join(lines)


@pytest.fixture
def environment(tmp_path):
    return production_environment(
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        STATIC_MANIFEST="false",
        HOME=tmp_path,  # recent gunicorn puts a control socket in ~/.gunicorn/
    )


def test_gunicorn_logs_the_feed_requests_without_their_key(environment):
    output = serve(
        [sys.executable, "-m", "gunicorn", "registry.wsgi:application"]
        + ["--bind", "127.0.0.1:{port}", "--workers", "1", "--access-logfile", "-"],
        environment,
        access_logger='"logger": "gunicorn.access"',
    )

    assert KEY not in output, output
    assert '"logger": "gunicorn.access"' in output
    assert "GET /api/v1/calendar.ics?token=REDACTED HTTP/1.1" in output
    assert "<WSGIRequest: GET '/api/v1/calendar.ics?token=REDACTED'>" in output  # django.request
    assert "calendar.ics%3Ftoken%3DREDACTED" in output


def test_runserver_logs_the_feed_requests_without_their_key(environment):
    """`make run`: DEBUG on, text lines."""
    output = serve(
        [sys.executable, "manage.py", "runserver", "--noreload", "127.0.0.1:{port}"],
        {**environment, "DEBUG": "true"},
        access_logger=" django.server ",
    )

    assert KEY not in output, output
    assert (
        'django.server "GET /admin/login/?next=%2Fapi%2Fv1%2Fcalendar.ics%3Ftoken%3DREDACTED'
        in output
    )
    assert 'django.server "GET /api/v1/calendar.ics?token=REDACTED HTTP/1.1" 503' in output
