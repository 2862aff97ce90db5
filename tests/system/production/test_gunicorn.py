"""The production stack without Docker: gunicorn against PostgreSQL, as `make serve` runs it."""

import json
import re
import subprocess
import sys

import pytest
from django.db import connection

from agreements.services import calendar_feed_token_create
from tests.factories import SignedMemorandumFactory, UserFactory
from tests.system.production.support import (
    BASE_DIR,
    database_url,
    free_port,
    get,
    manage,
    production_environment,
    wait_until_listening,
)


@pytest.mark.postgres
# Serialized rollback: the test reads the roles' groups, which a flushing test before it removes.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_gunicorn_serves_the_registry_from_postgresql(on_postgres, tmp_path):
    # The test database: its tables exist, and what the test commits the server sees.
    env = production_environment(
        DATABASE_URL=database_url(connection.settings_dict),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_PROXY_SSL_HEADER="true",
        STATIC_ROOT=tmp_path / "static",
        MEDIA_ROOT=tmp_path / "media",
        HOME=tmp_path,  # recent gunicorn puts a control socket in ~/.gunicorn/
    )
    published = SignedMemorandumFactory(reference="MOU-2023-0001", visibility="public")
    SignedMemorandumFactory(reference="SECRET-1", visibility="confidential")
    feed_key = calendar_feed_token_create(
        user=UserFactory(groups=["registry-viewer"]), actor=None
    ).key
    manage("collectstatic", "--noinput", env=env)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "registry.wsgi:application"]
        + ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--access-logfile", "-"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    # What a TLS-terminating load balancer adds to every request it forwards.
    via_https = {"X-Forwarded-Proto": "https"}
    try:
        wait_until_listening(port, server)

        status, _, body = get(f"{base}/healthz")
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        status, _, body = get(f"{base}/readyz")
        assert (status, json.loads(body)) == (200, {"status": "ok"})

        status, _, body = get(f"{base}/api/v1/memoranda/", headers=via_https)
        listing = json.loads(body)
        assert status == 200
        assert [m["reference"] for m in listing["results"]] == [published.reference]

        status, headers, body = get(
            f"{base}/api/v1/calendar.ics?token={feed_key}", headers=via_https
        )
        assert (status, headers["Content-Type"]) == (200, "text/calendar; charset=utf-8")
        assert body.startswith(b"BEGIN:VCALENDAR")

        status, headers, body = get(f"{base}/admin/login/", headers=via_https)
        assert status == 200
        page = body.decode()
        assert "csrfmiddlewaretoken" in page
        assert "Strict-Transport-Security" in headers
        assert "Secure" in headers["Set-Cookie"]

        # whitenoise serves the hashed, compressed files collectstatic wrote.
        stylesheet = re.search(r'href="(/static/admin/css/base\.[0-9a-f]+\.css)"', page)
        assert stylesheet, "the admin's stylesheet is not a hashed file name"
        status, headers, _ = get(
            f"{base}{stylesheet.group(1)}", headers={**via_https, "Accept-Encoding": "gzip"}
        )
        assert status == 200
        assert headers["Content-Encoding"] == "gzip"
        assert "immutable" in headers["Cache-Control"]

        # Plain http is sent to https, except for the probes.
        status, headers, _ = get(f"{base}/admin/login/")
        assert (status, headers["Location"]) == (301, f"https://127.0.0.1:{port}/admin/login/")
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)

    assert server.returncode == 0, output
    # The access log is JSON on stdout, one record a line.
    access = [json.loads(line) for line in output.splitlines() if '"gunicorn.access"' in line]
    assert any("GET /healthz" in record["message"] for record in access), output
    # The feed was served, and its key written nowhere.
    assert any("calendar.ics?token=REDACTED" in record["message"] for record in access), output
    assert feed_key not in output
