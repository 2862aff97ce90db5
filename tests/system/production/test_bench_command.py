"""`make bench` (docs/benchmarks.md): `seed_bulk` fills a database and `manage.py bench`
measures each figure beside its reference and writes them to a JSON file. Here on a
small database of its own, to show that the commands run and report every measure; the figures
themselves belong to the real run at 100,000 memoranda."""

import json
import subprocess
import uuid

import pytest
from django.db import connection

from tests.system.production.support import (
    database_url,
    manage,
    postgres_client_arguments,
    production_environment,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def bench_database(on_postgres):
    arguments, env = postgres_client_arguments(connection.settings_dict)
    name = f"registry_bench_{uuid.uuid4().hex[:12]}"
    subprocess.run(["createdb", *arguments, "--template", "template0", name], env=env, check=True)
    try:
        yield name
    finally:
        subprocess.run(["dropdb", *arguments, "--if-exists", "--force", name], env=env, check=True)


def test_seed_bulk_and_bench_report_every_measure(bench_database, tmp_path):
    env = production_environment(
        DATABASE_URL=database_url(connection.settings_dict, bench_database),
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_MANIFEST="false",
        MEDIA_ROOT=tmp_path / "media",
    )
    manage("migrate", "--noinput", "-v", "0", env=env)
    seeded = manage("seed_bulk", "--memoranda", "150", env=env).stdout
    output = tmp_path / "results.json"

    printed = manage("bench", "--skip-import", "--output", str(output), env=env, timeout=600).stdout

    assert "150 memoranda" in seeded
    results = json.loads(output.read_text())
    assert results["memoranda"] == 150
    measures = [row["measure"] for row in results["rows"]]
    admin_cases = ["no filter", "country=KZ", "area=research", "status=active", "q=exchange"]
    assert measures == [
        *(
            f"list as {reader}, page_size {size}, {case}"
            for reader, cases in [
                ("admin", [*admin_cases, "q=university"]),
                ("partner client", ["no filter", "country=KZ"]),
            ]
            for case in cases
            for size in (20, 100)
        ),
        "a memorandum's detail",
        "full-text search q=exchange (page 50)",
        "full-text search q=12345 (a rare word)",
        "full-text search q=university (parties' names)",
        "stats/",
        "dashboard /",
        "admin changelist of memoranda",
        "CSV export of all 150 memoranda",
    ]
    assert all(row["median_ms"] > 0 for row in results["rows"])
    assert all(row["ratio"] > 0 for row in results["rows"] if "reference_median_ms" in row)
    assert all(measure in printed for measure in measures)
