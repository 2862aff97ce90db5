"""Cached figures that cannot go stale: each is keyed by the data version it was computed from.

Statistics, the dashboard's and the admin's filter choices, the ids a rare search word matches
and the counts of long lists read the whole register, too slow to recompute on every request
at 100,000 memoranda. Their results are cached under a
key made of what was asked (the compiled SQL and parameters of the visible, filtered queryset,
so the reader's visibility, the filters and today's date are in it), the language, and the
*data version*: a number in one database row that every transaction writing registry data
replaces, inside that transaction. A reader therefore sees a new version exactly when it sees
the new data, in every process, whatever the cache backend. The number is drawn at random,
not counted: a database restored from a backup goes back to the version of its data, and
writes after the restore never meet versions cached before it.

Why inside the transaction, and first: the new version takes the row's lock until commit, so
writers of registry data queue on it. Taking it before the transaction's first write (or
`SELECT ... FOR UPDATE`) gives every writer the same lock order, so the queue cannot deadlock.
A transaction that has written reads around the cache: what it would see is not committed.
"""

import hashlib
import re
import secrets
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils.translation import get_language

from registry.models import DataVersion

Value = TypeVar("Value")
TIMEOUT = 60 * 60
TRACKED_TABLES = re.compile(r"(agreements|partners|taggit)_\w+")
WRITE = re.compile(
    r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+"?(\w+)', re.IGNORECASE
)
# A locking read takes row locks as a write does (`memorandum_update` locks before it writes).
LOCKING_READ = (" FOR UPDATE", " FOR NO KEY UPDATE")
FIRST_TABLE = re.compile(r'\bFROM\s+"?(\w+)')
VERSION_TABLE = DataVersion._meta.db_table
# One statement on both databases, so a flushed (test) database needs no seeded row.
NEW_VERSION = (
    f'INSERT INTO "{VERSION_TABLE}" ("id", "value") VALUES (1, %s) '
    'ON CONFLICT ("id") DO UPDATE SET "value" = excluded."value"'
)
MISSING = object()


def _changes_registry_data(sql: str) -> bool:
    match = WRITE.match(sql)
    if match is None and any(lock in sql for lock in LOCKING_READ):
        match = FIRST_TABLE.search(sql)
    if match is None:
        return False
    table = match.group(1)
    return table != VERSION_TABLE and TRACKED_TABLES.fullmatch(table) is not None


def _version_bumped() -> None:
    """Marks a transaction that has bumped the version; does nothing when it runs at commit.

    Django drops the callbacks of a rolled-back transaction or savepoint together with the
    writes made there, so this marker stands exactly as long as the bump does.
    """


def _bumped_in_transaction(connection) -> bool:
    return connection.in_atomic_block and any(
        callback is _version_bumped for _, callback, _ in connection.run_on_commit
    )


def bump_data_version(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute(NEW_VERSION, [secrets.randbits(63)])


class _Migrating:
    """Whether `migrate` runs: its data migrations write before the version table exists, so
    tracking waits, and the version is bumped once when it has finished."""

    now = False


def pause_while_migrating(**kwargs) -> None:
    _Migrating.now = True


def resume_after_migrating(using, **kwargs) -> None:
    _Migrating.now = False
    connection = connections[using]
    if VERSION_TABLE in connection.introspection.table_names():
        bump_data_version(connection)


def track_writes(execute, sql, params, many, context):
    """A database execute wrapper: bumps the data version for each write of registry data."""
    connection = context["connection"]
    if _Migrating.now or not _changes_registry_data(sql):
        return execute(sql, params, many, context)
    if not connection.in_atomic_block:
        # Autocommit: after the write, so that no one caches the old data under the new version.
        result = execute(sql, params, many, context)
        bump_data_version(connection)
        return result
    if not _bumped_in_transaction(connection):
        bump_data_version(connection)
        connection.on_commit(_version_bumped)
    return execute(sql, params, many, context)


def install(connection, **kwargs) -> None:
    """Run `track_writes` around every statement of `connection` (a `connection_created` hook)."""
    if track_writes not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, track_writes)


def data_version(using: str) -> int:
    with connections[using].cursor() as cursor:
        cursor.execute(f'SELECT "value" FROM "{VERSION_TABLE}" WHERE "id" = 1')
        row = cursor.fetchone()
    return row[0] if row else 0


def remembered(name: str, queryset: QuerySet, compute: Callable[[], Value]) -> Value:
    """`compute()`, a figure about `queryset`, from the cache when the data has not changed."""
    connection = connections[queryset.db]
    if _bumped_in_transaction(connection):
        return compute()
    try:
        sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        return compute()
    asked = repr((sql, params, get_language())).encode()
    key = f"registry:{name}:{data_version(queryset.db)}:{hashlib.sha256(asked).hexdigest()}"
    value = cache.get(key, MISSING)
    if value is MISSING:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


class CountRememberingPaginator(Paginator):
    """A paginator whose total is remembered (paging through a search counts it once)."""

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            return remembered("count", self.object_list, self.object_list.count)
        return super().count
