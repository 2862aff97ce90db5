"""Faults: PostgreSQL crashes and restarts in the middle of the load. Requests in flight and
those that arrive while it is down fail cleanly (a 503 JSON answer with Retry-After, never a
hang, a 500 or a traceback), the service recovers by itself once the database is back, and
every write acknowledged before, during or after is in the database.

The database is a throwaway PostgreSQL of the test's own, stopped with `pg_ctl -m immediate`
(a crash: no checkpoint, recovery from the WAL on start) and started again FAULT_DOWN_SECONDS
later. `make loadtest` runs it; CI runs it with a smaller database.
"""

import json
import os
import time
from collections import Counter

import pytest

from registry.unavailable import MESSAGE
from tests.system.reliability.support import missing_writes, run_load, served_registry, write_report

pytestmark = pytest.mark.load

MEMORANDA = int(os.environ.get("FAULT_MEMORANDA", "2000"))
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "20"))
SECONDS = float(os.environ.get("FAULT_SECONDS", "30"))
DOWN_SECONDS = float(os.environ.get("FAULT_DOWN_SECONDS", "3"))
RECOVERY_SECONDS = 5  # after the database is back, every request must succeed again


def test_a_database_restart_mid_load_fails_cleanly_recovers_and_loses_nothing(tmp_path):
    timeline = {}
    with served_registry(tmp_path, memoranda=MEMORANDA, clients=CLIENTS) as served:
        postgres, server, data = served

        def crash_and_restart(report):
            time.sleep(SECONDS / 3)
            timeline["down"] = time.monotonic()
            postgres.stop("immediate")
            time.sleep(DOWN_SECONDS)
            postgres.start()
            timeline["back"] = time.monotonic()

        report = run_load(
            server.port, data, clients=CLIENTS, seconds=SECONDS, during=crash_and_restart
        )

        summary = {"memoranda": MEMORANDA, "clients": CLIENTS, **report.summary()}
        summary["database_down_seconds"] = round(timeline["back"] - timeline["down"], 1)
        unavailable = [r for r in report.results if r.status == 503]
        summary["first_success_after_restart_seconds"] = round(
            min(
                r.started + r.seconds - timeline["back"]
                for r in report.results
                if r.status in (200, 201) and r.started >= timeline["back"]
            ),
            2,
        )
        write_report("faults", summary)

        # Clean failures only: answered, and either a success or the 503 JSON.
        unexpected = [r for r in report.results if r.status not in (200, 201, 503)]
        assert not unexpected, [(r.kind, r.status, r.error, r.body[:300]) for r in unexpected[:10]]
        assert unavailable, "the restart did not reach any request"
        for result in unavailable:
            assert json.loads(result.body) == {"detail": MESSAGE}
            assert result.headers.get("Retry-After") == "5"
            assert result.started + result.seconds >= timeline["down"]
        # No hang: even requests caught by the crash were answered promptly.
        assert max(r.seconds for r in report.results) < 15
        # Recovery by itself: once the database is back (and a moment for the pool), all pass.
        late = [r for r in report.results if r.started >= timeline["back"] + RECOVERY_SECONDS]
        assert late, "the load ended before the recovery could be seen"
        assert all(r.status in (200, 201) for r in late), Counter((r.kind, r.status) for r in late)
        # Nothing acknowledged is lost, not even what was acknowledged just before the crash.
        assert missing_writes(postgres, report) == {"creates": [], "updates": []}
        log = (tmp_path / "gunicorn.log").read_text()
        assert "WORKER TIMEOUT" not in log
