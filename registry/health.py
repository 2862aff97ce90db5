"""Probes for load balancers and orchestrators.

- `/healthz` (liveness): 200 `{"status": "ok"}` when the database answers `SELECT 1`, else 503.
- `/readyz` (readiness): 200 when every configured database answers and no migration is left
  to apply on the primary, else 503; a process started before `migrate` finished is not sent
  traffic yet.

Both are exempt from SECURE_SSL_REDIRECT (probes speak plain http to the process) but not from
ALLOWED_HOSTS: a probe must send a Host header the site accepts. The causes of a failure are
logged, not returned: the endpoints are public.
"""

import logging

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def database_answers(alias=DEFAULT_DB_ALIAS):
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("health check: database %r does not answer", alias, exc_info=True)
        return False


def pending_migrations(alias=DEFAULT_DB_ALIAS):
    """The migrations not yet applied on `alias` (all of them when the table is missing)."""
    executor = MigrationExecutor(connections[alias])
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


def _unavailable(reason):
    return JsonResponse({"status": "unavailable", "reason": reason}, status=503)


@never_cache
@require_safe
def healthz(request):
    if not database_answers():
        return _unavailable("database")
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    if not all(database_answers(alias) for alias in connections):
        return _unavailable("database")
    try:
        pending = pending_migrations()
    except Exception:
        logger.warning("readiness check: cannot read the migration state", exc_info=True)
        return _unavailable("database")
    if pending:
        logger.warning("readiness check: %d migrations not applied", len(pending))
        return _unavailable("migrations")
    return JsonResponse({"status": "ok"})
