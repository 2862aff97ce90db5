"""/healthz (the database answers) and /readyz (and every migration is applied)."""

import pytest
from django.db import OperationalError, connection

from registry import health


@pytest.fixture
def database_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_answers_ok_when_every_migration_is_applied(client):
    assert health.pending_migrations() == []

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_both_answer_503_when_the_database_does_not(client, database_down, path):
    response = client.get(path)

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "reason": "database"}


@pytest.mark.django_db
def test_readyz_answers_503_while_migrations_are_pending(client, monkeypatch):
    monkeypatch.setattr(health, "pending_migrations", lambda: ["agreements.9999_next"])

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "reason": "migrations"}
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_probes_are_not_redirected_to_https(client, settings):
    """Load balancers probe the process over plain http; everything else is redirected."""
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    redirected = client.get("/admin/login/")
    assert redirected.status_code == 301
    assert redirected["Location"] == "https://testserver/admin/login/"


@pytest.mark.django_db
def test_probes_only_read(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
