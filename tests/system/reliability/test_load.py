"""Load: the API under gunicorn on PostgreSQL, 20 clients for 60 seconds over 100,000
memoranda — reads, searches, filters, exports, statistics and writes — with no error and no
lost write (`make loadtest`; figures in docs/reliability.md, "Load and faults").

Bounded by LOAD_MEMORANDA (default 100000), LOAD_CLIENTS (20) and LOAD_SECONDS (60); CI runs
a smaller version. The database is a throwaway PostgreSQL of the test's own.
"""

import os

import pytest

from tests.system.reliability.support import missing_writes, run_load, served_registry, write_report

pytestmark = pytest.mark.load

MEMORANDA = int(os.environ.get("LOAD_MEMORANDA", "100000"))
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "20"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))


def test_the_api_serves_a_mixed_load_without_errors_or_lost_writes(tmp_path):
    workers = int(os.environ.get("LOAD_WORKERS", "4"))
    with served_registry(tmp_path, memoranda=MEMORANDA, clients=CLIENTS, workers=workers) as served:
        postgres, server, data = served
        report = run_load(server.port, data, clients=CLIENTS, seconds=SECONDS)

        summary = {
            "memoranda": MEMORANDA,
            "clients": CLIENTS,
            "seeded_in_seconds": round(data["seeded_in"], 1),
            **report.summary(),
        }
        write_report("load", summary)
        failures = [r for r in report.results if r.status not in (200, 201)]
        assert not failures, [(r.kind, r.status, r.error, r.body[:200]) for r in failures[:10]]
        assert report.created and report.updated
        assert missing_writes(postgres, report) == {"creates": [], "updates": []}
