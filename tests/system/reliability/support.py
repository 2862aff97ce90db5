"""A throwaway PostgreSQL, the registry under gunicorn on it, and a loopback load generator.

The shared PostgreSQL of the machine is never touched: each test initdb's a cluster of its
own in a temporary folder (as the `postgres` user when run as root, since initdb refuses
root), on a free port, listening on 127.0.0.1 only, and removes it afterwards.
"""

import contextlib
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import pytest

from tests.system.production.support import (
    BASE_DIR,
    free_port,
    production_environment,
    wait_until_listening,
)
from tests.system.production.support import manage as run_manage

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def _as_postgres(argv):
    """Run as the `postgres` OS user when we are root (initdb and postgres refuse root)."""
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


class PostgresCommandFailed(Exception):
    pass


class ThrowawayPostgres:
    """A PostgreSQL cluster of its own: `start()`, `stop(mode)`, `restart()`, `remove()`."""

    def __init__(self):
        if not (PG_BIN / "initdb").exists():
            pytest.skip(f"no PostgreSQL server binaries in {PG_BIN} (set PG_BIN)")
        if os.geteuid() == 0 and not shutil.which("runuser"):
            pytest.skip("running as root without runuser: cannot start PostgreSQL")
        # Not under pytest's tmp_path: its folders are private to root, and the cluster
        # belongs to the postgres user.
        self.base = Path(tempfile.mkdtemp(prefix="registry-throwaway-pg-"))
        self.data = self.base / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.base, user="postgres", group="postgres")
            self.base.chmod(0o700)
        self.log = self.base / "postgres.log"

    def _run(self, *argv, timeout=120):
        completed = subprocess.run(
            _as_postgres([str(PG_BIN / argv[0]), *argv[1:]]),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if completed.returncode:
            raise PostgresCommandFailed(f"{argv[0]}: {completed.stdout}{completed.stderr}")
        return completed

    def init(self):
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.base}'\nmax_connections = 100\n"
                "shared_buffers = 128MB\n"
            )
        return self

    def start(self):
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")
        return self

    def stop(self, mode="fast"):
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def remove(self):
        with contextlib.suppress(PostgresCommandFailed):
            self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)

    def url(self, database="registry") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database="registry"):
        return psycopg2.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database, connect_timeout=5
        )

    def create_database(self, name="registry"):
        connection = self.connect("postgres")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        connection.close()


def server_environment(database_url, tmp_path, **overrides):
    return production_environment(
        DATABASE_URL=database_url,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        STATIC_MANIFEST="false",
        MEDIA_ROOT=tmp_path / "media",
        HOME=tmp_path,
        THROTTLE_USER="1000000/minute",
        THROTTLE_ANON="1000000/minute",
        CONN_MAX_AGE="60",
        LOG_LEVEL="WARNING",
        **overrides,
    )


def manage(*args, env, timeout=1800):
    """`manage.py args` run with `env`: what it printed, once it has succeeded."""
    completed = run_manage(*args, env=env, check=False, timeout=timeout)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


CREATE_CLIENTS = """
import json
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from tests.factories import UserFactory
keys = []
for n in range({count}):
    user = UserFactory(username=f"load-editor-{{n}}", groups=["registry-editor"])
    keys.append(Token.objects.get_or_create(user=user)[0].key)
print(json.dumps(keys))
"""


def prepare_database(postgres: ThrowawayPostgres, *, memoranda: int, clients: int, env) -> dict:
    """Migrate, seed `memoranda` synthetic memoranda, make one editor token per client."""
    postgres.create_database()
    manage("migrate", "--noinput", "-v", "0", env=env)
    started = time.monotonic()
    manage("seed_bulk", "--memoranda", str(memoranda), env=env)
    seeded_in = time.monotonic() - started
    keys = json.loads(
        manage("shell", "-c", CREATE_CLIENTS.format(count=clients), env=env).splitlines()[-1]
    )
    connection = postgres.connect()
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id), count(*) FROM agreements_memorandum")
        low, high, count = cursor.fetchone()
        cursor.execute("SELECT id FROM partners_institution ORDER BY random() LIMIT 500")
        institutions = [row[0] for row in cursor.fetchall()]
    connection.close()
    return {
        "tokens": keys,
        "memorandum_ids": (low, high),
        "pages": max(1, min(50, count // 50)),  # of the default page size
        "institutions": institutions,
        "seeded_in": seeded_in,
    }


@contextlib.contextmanager
def served_registry(tmp_path, *, memoranda: int, clients: int, workers: int = 3):
    """The registry under gunicorn on a throwaway PostgreSQL seeded with `memoranda` and a
    token for each of the `clients`: (postgres, server, data from `prepare_database`). Both
    are stopped, and the database removed, afterwards."""
    postgres = ThrowawayPostgres().init().start()
    server = None
    try:
        env = server_environment(postgres.url(), tmp_path)
        data = prepare_database(postgres, memoranda=memoranda, clients=clients, env=env)
        server = Gunicorn(env, tmp_path, workers=workers)
        yield postgres, server, data
    finally:
        if server is not None:
            server.stop()
        postgres.remove()


class Gunicorn:
    def __init__(self, env, tmp_path, workers=3):
        self.port = free_port()
        self.output = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "registry.wsgi:application"]
            + ["--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)]
            + ["--timeout", "60", "--graceful-timeout", "5"],
            cwd=BASE_DIR,
            env=env,
            stdout=self.output,
            stderr=subprocess.STDOUT,
        )
        wait_until_listening(self.port, self.process)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.output.close()


# --- The load ----------------------------------------------------------------------------------

SEARCH_WORDS = ["research", "exchange", "framework", "university", "online", "mar", "tor", "zel"]
COUNTRIES = ["KZ", "CN", "DE", "FR", "GB", "US", "JP"]
RETRY_PAUSE = 0.5
MIX = [  # (kind, weight)
    ("list", 30),
    ("search", 20),
    ("detail", 15),
    ("filter", 10),
    ("export", 5),
    ("stats", 3),
    ("create", 7),
    ("update", 10),
]


@dataclass
class Result:
    kind: str
    status: int  # 0: no answer (connection error or timeout)
    started: float
    seconds: float
    error: str = ""
    body: bytes = b""
    headers: dict = field(default_factory=dict)


@dataclass
class LoadReport:
    results: list[Result] = field(default_factory=list)
    created: list[tuple[int, str]] = field(default_factory=list)  # acknowledged (id, title)
    updated: list[tuple[int, int, str]] = field(default_factory=list)  # (id, version, summary)
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, result):
        with self.lock:
            self.results.append(result)

    def statuses(self):
        return Counter(result.status for result in self.results)

    def summary(self) -> dict:
        latencies = sorted(result.seconds for result in self.results)

        def percentile(p):
            return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 1)

        return {
            "requests": len(self.results),
            "seconds": round(self.seconds, 1),
            "requests_per_second": round(len(self.results) / self.seconds, 1),
            "statuses": dict(sorted(self.statuses().items())),
            "by_kind": dict(sorted(Counter(r.kind for r in self.results).items())),
            "median_ms_by_kind": {
                kind: round(
                    sorted(r.seconds for r in self.results if r.kind == kind)[
                        sum(1 for r in self.results if r.kind == kind) // 2
                    ]
                    * 1000,
                    1,
                )
                for kind in sorted({r.kind for r in self.results})
            },
            "p50_ms": percentile(0.50),
            "p95_ms": percentile(0.95),
            "p99_ms": percentile(0.99),
            "acknowledged_creates": len(self.created),
            "acknowledged_updates": len(self.updated),
        }


class Client:
    """One simulated API client: its own token, and a memorandum of its own that it edits."""

    def __init__(self, number, port, token, data, report, rng):
        self.number = number
        self.port = port
        self.headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        self.data = data
        self.report = report
        self.rng = rng
        self.own: dict | None = None  # {"id", "version"} of the memorandum it edits
        self.serial = 0

    def request(self, kind, method, path, body=None, timeout=60):
        """One request; no answer within gunicorn's worker timeout (60 s) counts as an error."""
        started = time.monotonic()
        headers = dict(self.headers)
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            content = response.read()
            result = Result(
                kind,
                response.status,
                started,
                time.monotonic() - started,
                body=content,
                headers=dict(response.getheaders()),
            )
        except Exception as error:  # a refused connection, a reset, a timeout: no answer
            result = Result(kind, 0, started, time.monotonic() - started, error=repr(error))
        finally:
            connection.close()
        self.report.add(result)
        if result.status == 503:
            time.sleep(RETRY_PAUSE)  # a polite client waits before it tries again
        return result

    def _parties(self):
        first, second = self.rng.sample(self.data["institutions"], 2)
        return [{"institution": first, "role": "party"}, {"institution": second, "role": "party"}]

    def create(self):
        self.serial += 1
        title = f"Load client {self.number} memorandum {self.serial} {self.rng.random():.12f}"
        result = self.request(
            "create",
            "POST",
            "/api/v1/memoranda/",
            {"title": title, "visibility": "internal", "parties": self._parties()},
        )
        if result.status == 201:
            created = json.loads(result.body)
            with self.report.lock:
                self.report.created.append((created["id"], title))
            if self.own is None:
                self.own = {"id": created["id"], "version": created["version"]}

    def update(self):
        if self.own is None:
            return self.create()
        if self.own["version"] is None:  # the last save's outcome is unknown: read it again
            result = self.request("detail", "GET", f"/api/v1/memoranda/{self.own['id']}/")
            if result.status != 200:
                return None
            self.own["version"] = json.loads(result.body)["version"]
        self.serial += 1
        summary = f"Revised by client {self.number}, edit {self.serial}."
        result = self.request(
            "update",
            "PATCH",
            f"/api/v1/memoranda/{self.own['id']}/",
            {"summary": summary, "version": self.own["version"]},
        )
        if result.status == 200:
            version = json.loads(result.body)["version"]
            self.own["version"] = version
            with self.report.lock:
                self.report.updated.append((self.own["id"], version, summary))
        else:
            self.own["version"] = None
        return None

    def one(self):
        kind = self.rng.choices([k for k, _ in MIX], weights=[w for _, w in MIX])[0]
        low, high = self.data["memorandum_ids"]
        if kind == "list":
            ordering = self.rng.choice(["-signed_on", "expires_on", "title", "-updated_at"])
            page = self.rng.randint(1, self.data["pages"])
            self.request(kind, "GET", f"/api/v1/memoranda/?page={page}&ordering={ordering}")
        elif kind == "search":
            word = self.rng.choice(SEARCH_WORDS)
            self.request(kind, "GET", f"/api/v1/memoranda/?q={word}&page_size=20")
        elif kind == "detail":
            self.request(kind, "GET", f"/api/v1/memoranda/{self.rng.randint(low, high)}/")
        elif kind == "filter":
            country = self.rng.choice(COUNTRIES)
            status = self.rng.choice(["active", "expired", "pending"])
            self.request(
                kind, "GET", f"/api/v1/memoranda/?country={country}&status={status}&page_size=20"
            )
        elif kind == "export":
            party = self.rng.choice(self.data["institutions"])
            export_format = self.rng.choice(["csv", "json", "xlsx"])
            self.request(
                kind, "GET", f"/api/v1/memoranda/export/?party={party}&format={export_format}"
            )
        elif kind == "stats":
            self.request(kind, "GET", f"/api/v1/stats/?country={self.rng.choice(COUNTRIES)}")
        elif kind == "create":
            self.create()
        else:
            self.update()


def run_load(port, data, *, clients, seconds, during=None, seed=2026) -> LoadReport:
    """`clients` threads send the mix for `seconds`; `during(report)` runs alongside (faults)."""
    report = LoadReport()
    deadline = time.monotonic() + seconds

    def work(number):
        client = Client(
            number, port, data["tokens"][number], data, report, random.Random(seed + number)
        )
        client.create()
        while time.monotonic() < deadline:
            client.one()

    started = time.monotonic()
    threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    if during is not None:
        during(report)
    for thread in threads:
        thread.join(timeout=seconds + 120)
    assert not any(thread.is_alive() for thread in threads), "a client hangs"
    report.seconds = time.monotonic() - started
    return report


def missing_writes(postgres: ThrowawayPostgres, report: LoadReport) -> dict[str, list]:
    """Acknowledged writes that the database does not hold (none, or a write was lost)."""
    connection = postgres.connect()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, title FROM agreements_memorandum WHERE id = ANY(%s)",
            ([pk for pk, _ in report.created],),
        )
        stored = dict(cursor.fetchall())
        lost_creates = [(pk, title) for pk, title in report.created if stored.get(pk) != title]
        cursor.execute(
            "SELECT id, version, summary FROM agreements_historicalmemorandum WHERE id = ANY(%s)",
            (list({pk for pk, _, _ in report.updated}),),
        )
        recorded = set(cursor.fetchall())
        cursor.execute(
            "SELECT id, version FROM agreements_memorandum WHERE id = ANY(%s)",
            (list({pk for pk, _, _ in report.updated}),),
        )
        current = dict(cursor.fetchall())
    connection.close()
    lost_updates = [
        (pk, version, summary)
        for pk, version, summary in report.updated
        if (pk, version, summary) not in recorded or current.get(pk, 0) < version
    ]
    return {"creates": lost_creates, "updates": lost_updates}


def write_report(name, summary):
    """Print the figures and keep them in $LOAD_REPORT_DIR (see docs/reliability.md) when set."""
    print(f"\n{name}: {json.dumps(summary, indent=2)}")
    folder = os.environ.get("LOAD_REPORT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"{name}.json").write_text(json.dumps(summary, indent=2) + "\n")
