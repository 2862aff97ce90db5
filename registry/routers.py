"""Primary/replica routing: reads to the replica when one is configured, all else to the primary.

`DATABASE_REPLICA_URL` adds the `replica` alias (registry/settings.py). Then:

- writes go to `default`, the primary;
- reads go to `replica`, except
  - inside a transaction on the primary (`transaction.atomic`): what a write is about to base
    itself on must be read where it will be written, and must see the transaction's own rows;
  - after a write, for the rest of the request (or of a management command): a view that
    saves and then reads, or a signal handler that reads what was just saved (the history),
    must not miss the write because the replica lags behind;
  - for objects that came from the primary (a related lookup from a row just saved);
  - for the apps whose rows are read right after they are written by another request or
    process (sessions, API tokens, background jobs), which must not depend on the replication
    lag;
- migrations run on `default` only; the replica receives them through replication.

Objects that belong to any other alias (one a script opened with `.using()`, say a restored
backup) keep their related reads and their writes on that alias.

Without a replica every query goes to `default`, exactly as if there were no router.
"""

import contextvars

from django.conf import settings
from django.core.signals import request_started
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA_DB_ALIAS = "replica"

# Set by a write, cleared when the next request starts: reads stay on the primary until then.
_pinned_to_primary = contextvars.ContextVar("pinned_to_primary", default=False)


def unpin(**kwargs):
    """Let reads go to the replica again (at the start of every request)."""
    _pinned_to_primary.set(False)


request_started.connect(unpin, dispatch_uid="registry.routers.unpin")


def in_transaction_on_primary():
    """Whether the primary's connection is inside an atomic block opened by the application.

    The atomic blocks a test case wraps around each test (pytest-django's `db`, Django's
    TestCase) are not the application's transactions and do not count.
    """
    return any(
        not getattr(block, "_from_testcase", False)
        for block in connections[DEFAULT_DB_ALIAS].atomic_blocks
    )


def _instance_db(hints):
    """The alias an object passed as a hint was read from or saved to, if any."""
    instance = hints.get("instance")
    return instance._state.db if instance is not None else None


class PrimaryReplicaRouter:
    primary = DEFAULT_DB_ALIAS
    # Read-your-own-writes across requests: a login's session or a token just created; a
    # background job (and its task) just queued, whose progress its page follows.
    primary_only_apps = frozenset({"sessions", "authtoken", "jobs", "django_tasks_database"})

    def __init__(self, replica=None):
        """`replica`: the alias to read from; by default `replica` if settings define it."""
        if replica is None and REPLICA_DB_ALIAS in settings.DATABASES:
            replica = REPLICA_DB_ALIAS
        self.replica = replica

    def db_for_read(self, model, **hints):
        instance_db = _instance_db(hints)
        if instance_db not in (None, self.primary, self.replica):
            return instance_db
        if (
            self.replica is None
            or instance_db == self.primary
            or model._meta.app_label in self.primary_only_apps
            or _pinned_to_primary.get()
            or in_transaction_on_primary()
        ):
            return self.primary
        return self.replica

    def db_for_write(self, model, **hints):
        instance_db = _instance_db(hints)
        if instance_db not in (None, self.primary, self.replica):
            return instance_db
        if self.replica is not None:
            _pinned_to_primary.set(True)
        return self.primary

    def allow_relation(self, obj1, obj2, **hints):
        # Primary and replica hold the same data.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == self.primary
