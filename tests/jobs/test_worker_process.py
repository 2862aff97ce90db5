"""The database worker as production runs it, `manage.py db_worker`, in a process of its own:
an import's job goes from queued to running to succeeded with its progress at 100 %, and a
worker killed in the middle of one leaves its job failed by the sweep, with nothing written.

The worker and the test share an SQLite file of their own (whatever DATABASE_URL says: this is
about processes), read here with the sqlite3 module; with TASKS_BACKEND=redis an rq worker
takes the job from Redis. On PostgreSQL, a test watches the progress move while the import's
transaction is still open."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
import redis
from django.core.files.base import ContentFile
from django.db import connection

from agreements.importing.jobs import import_job_create, rows_in
from agreements.importing.spreadsheet import store_upload
from agreements.models import Memorandum
from jobs.models import Job
from tests.agreements.importing.support import csv_file, row
from tests.factories import InstitutionFactory, UserFactory
from tests.system.production.support import (
    BASE_DIR,
    database_url,
    manage,
    production_environment,
)

SETUP = """
import os
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from agreements.importing.jobs import import_job_create, rows_in
from agreements.importing.spreadsheet import store_upload
from partners.models import Institution
from partners.services import institution_create

user, _ = User.objects.get_or_create(username="importer", defaults={"is_staff": True})
user.groups.add(Group.objects.get(name="registry-editor"))
for name, country in [("Alpha University", "KZ"), ("Beta University", "CN")]:
    if not Institution.objects.filter(name=name).exists():
        institution_create(name=name, country=country, actor=None)
path = os.environ["IMPORT_FILE"]
with open(path, "rb") as source:
    upload = store_upload(ContentFile(source.read(), name=os.path.basename(path)))
job = import_job_create(upload=upload, label="test.csv", rows=rows_in(upload), actor=user)
print(job.pk)
"""


def a_file(path, prefix: str, rows: int):
    lines = [
        row(
            reference=f"{prefix}-{index:05d}",
            title=f"Exchange agreement {index}",
            parties="Alpha University; Beta University",
            party_countries="KZ; CN",
            signatories="",
        )
        for index in range(rows)
    ]
    path.write_bytes(csv_file(*lines).getvalue())
    return path


def job_row(database, job_id) -> tuple:
    with sqlite3.connect(database, timeout=10) as connection:
        return connection.execute(
            "SELECT state, done, total, messages FROM jobs_job WHERE id = ?", [job_id]
        ).fetchone()


def memoranda(database, prefix) -> int:
    with sqlite3.connect(database, timeout=10) as connection:
        return connection.execute(
            "SELECT COUNT(*) FROM agreements_memorandum WHERE reference LIKE ?", [f"{prefix}-%"]
        ).fetchone()[0]


@pytest.fixture
def registry(tmp_path):
    """A migrated registry in `tmp_path`; `enqueue(file)` makes an import job of the file."""
    database = tmp_path / "registry.sqlite3"
    env = production_environment(
        DATABASE_URL=f"sqlite:///{database}",
        MEDIA_ROOT=tmp_path / "media",
        IMPORT_BACKGROUND_ROWS=10,
        JOB_STALE_SECONDS=2,
        LOG_LEVEL="WARNING",
    )
    manage("migrate", "--noinput", env=env, timeout=300)

    def enqueue(path) -> int:
        made = manage("shell", "-c", SETUP, env={**env, "IMPORT_FILE": str(path)})
        return int(made.stdout.strip().splitlines()[-1])

    return database, env, enqueue


def start_worker(env, tmp_path):
    log = (tmp_path / "worker.log").open("w")
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
        + ["--interval", "0.1"],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def watch(database, job_id, until, timeout=120) -> list[tuple]:
    """The job's rows as they change, polled until `until(row)` holds."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = job_row(database, job_id)
        if not seen or current != seen[-1]:
            seen.append(current)
        if until(current):
            return seen
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} never got there: {seen[-5:]}")


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def test_a_worker_process_imports_with_progress_and_a_killed_one_leaves_a_failed_job(
    registry, tmp_path
):
    database, env, enqueue = registry
    first = enqueue(a_file(tmp_path / "first.csv", "FIRST", 400))
    assert job_row(database, first)[:3] == ("queued", 0, None)

    worker = start_worker(env, tmp_path)
    try:
        seen = watch(database, first, lambda job: job[0] in ("succeeded", "failed"))
    finally:
        stop(worker)
    states = [state for state, *_ in seen]
    assert sorted(set(states), key=states.index) == ["queued", "running", "succeeded"], seen
    assert seen[-1][1:3] == (400, 400)  # 100 %
    assert memoranda(database, "FIRST") == 400

    second = enqueue(a_file(tmp_path / "second.csv", "SECOND", 2000))
    worker = start_worker(env, tmp_path)
    try:
        watch(database, second, lambda job: job[0] == "running")
        time.sleep(1)  # well into the import, which takes seconds
    finally:
        stop(worker)  # killed in the middle: no chance to say anything
    assert job_row(database, second)[0] == "running"

    time.sleep(2.5)  # JOB_STALE_SECONDS without a report
    swept = manage("jobs_sweep", env=env)
    assert "1 stale job(s) failed" in swept.stdout
    state, _, _, messages = job_row(database, second)
    assert state == "failed"
    assert "stopped without finishing" in messages
    assert memoranda(database, "SECOND") == 0


@pytest.mark.postgres
# Serialized rollback: the test reads the roles' groups, which a flushing test before it removes.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_postgresql_an_imports_progress_shows_while_its_transaction_is_open(
    on_postgres, tmp_path, media_root
):
    # The test database: its tables exist, and what the test commits the worker sees.
    env = production_environment(
        DATABASE_URL=database_url(connection.settings_dict),
        MEDIA_ROOT=media_root,
        LOG_LEVEL="WARNING",
    )
    InstitutionFactory(name="Alpha University", country="KZ")
    InstitutionFactory(name="Beta University", country="CN")
    path = a_file(tmp_path / "big.csv", "BIG", 10_000)
    upload = store_upload(ContentFile(path.read_bytes(), name="big.csv"))
    job = import_job_create(
        upload=upload,
        label="big.csv",
        rows=rows_in(upload),
        actor=UserFactory(is_staff=True, groups=["registry-editor"]),
    )

    worker = start_worker(env, tmp_path)
    seen = []
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            current = Job.objects.values_list("state", "done", "total").get(pk=job.pk)
            if not seen or current != seen[-1]:
                seen.append(current)
                if current[0] in ("succeeded", "failed"):
                    break
            time.sleep(0.1)
    finally:
        stop(worker)
    assert seen[-1] == ("succeeded", 10_000, 10_000), seen
    # Reported on the worker's second connection while the import was still uncommitted.
    assert any(state == "running" and 0 < done < total for state, done, total in seen), seen
    assert Memorandum.objects.filter(reference__startswith="BIG-").count() == 10_000


def redis_answers(url: str) -> bool:
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def test_with_redis_a_job_waits_in_redis_for_an_rq_worker(registry, tmp_path):
    """TASKS_BACKEND=redis, as the Compose file runs it: the job is queued in Redis and run
    by `rqworker` with django-tasks' job class."""
    url = "redis://127.0.0.1:6379/14"
    if not redis_answers(url):
        # .ci/run starts one: there a missing Redis is a failure.
        if os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}:
            pytest.fail("no Redis answers at 127.0.0.1:6379 and CI=true", pytrace=False)
        pytest.skip("no Redis answers at 127.0.0.1:6379")
    database, env, _ = registry
    env = {**env, "TASKS_BACKEND": "redis", "REDIS_URL": url}
    path = a_file(tmp_path / "small.csv", "REDIS", 20)
    made = manage("shell", "-c", SETUP, env={**env, "IMPORT_FILE": str(path)})
    job = int(made.stdout.strip().splitlines()[-1])
    assert job_row(database, job)[0] == "queued"

    manage("rqworker", "default", "--burst", "--job-class", "django_tasks_rq.Job", env=env)

    assert job_row(database, job)[:3] == ("succeeded", 20, 20)
    assert memoranda(database, "REDIS") == 20
