"""A backup taken with pg_dump restores into an empty database with the same registry
(docs/operations.md, "Back up and restore")."""

import copy
import json
import subprocess
import uuid

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.db.utils import load_backend
from django.test.utils import CaptureQueriesContext

from agreements.models import Memorandum
from registry.health import pending_migrations
from tests.system.production.support import (
    database_url,
    manage,
    postgres_client_arguments,
    production_environment,
)

API_LISTING = """
import json
from rest_framework.test import APIClient
from tests.factories import UserFactory
client = APIClient()
client.force_authenticate(UserFactory.build(username="audit", is_superuser=True))
print(json.dumps(client.get("/api/v1/memoranda/", {"page_size": 500}).json()))
"""


def api_listing(database_name) -> dict:
    """`GET /api/v1/memoranda/` as a superuser, from a process serving `database_name`."""
    env = production_environment(
        DATABASE_URL=database_url(connection.settings_dict, database_name),
        DEBUG="true",
        ALLOWED_HOSTS="testserver",
    )
    return json.loads(manage("shell", "-v", "0", "-c", API_LISTING, env=env).stdout)


def memoranda_listing(alias):
    """Every memorandum as (reference, title, [party institution names]), by reference."""
    memoranda = (
        Memorandum.objects.using(alias)
        .order_by("reference")
        .prefetch_related("parties__institution")
    )
    return [
        (m.reference, m.title, [party.institution.name for party in m.parties.all()])
        for m in memoranda
    ]


@pytest.fixture
def restored_database(on_postgres):
    """An empty database of a unique name, dropped at the end, and a connection alias to it."""
    arguments, env = postgres_client_arguments(connection.settings_dict)
    name = f"registry_restore_{uuid.uuid4().hex[:12]}"
    subprocess.run(["createdb", *arguments, "--template", "template0", name], env=env, check=True)
    settings_dict = copy.deepcopy(connection.settings_dict)
    settings_dict["NAME"] = name
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "restored")
    connections["restored"] = wrapper
    try:
        yield name
    finally:
        wrapper.close()
        del connections["restored"]
        subprocess.run(["dropdb", *arguments, "--if-exists", "--force", name], env=env, check=True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_pg_dump_backup_restores_into_an_empty_database(restored_database, tmp_path):
    call_command("load_demo", verbosity=0)  # committed: pg_dump sees it
    original = memoranda_listing("default")
    assert len(original) > 20
    assert any(len(parties) == 3 for _, _, parties in original)  # the trilateral case
    arguments, env = postgres_client_arguments(connection.settings_dict)
    backup = tmp_path / "registry.dump"

    subprocess.run(
        ["pg_dump", *arguments, "--format=custom", "--no-owner", "--no-privileges"]
        + ["--file", str(backup), connection.settings_dict["NAME"]],
        env=env,
        check=True,
    )
    subprocess.run(
        ["pg_restore", *arguments, "--no-owner", "--no-privileges", "--exit-on-error"]
        + ["--dbname", restored_database, str(backup)],
        env=env,
        check=True,
    )

    with CaptureQueriesContext(connection) as on_original:
        restored = memoranda_listing("restored")
    assert restored == original
    # The API, served from each database, answers with the same list.
    original_api = api_listing(connection.settings_dict["NAME"])
    assert original_api["count"] == len(original)
    assert api_listing(restored_database) == original_api
    assert len(on_original) == 0  # every row above came from the restored database
    # The migration history came along: the restored database is ready for this code.
    assert pending_migrations("restored") == []
