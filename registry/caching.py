"""Cached figures that cannot go stale: each is keyed by the data version it was computed from.

Statistics, the dashboard's and the admin's filter choices, the ids a rare search word matches
and the counts of long lists read the whole register, too slow to recompute on every request
at 100,000 memoranda. Their results are cached under a
key made of what was asked (the compiled SQL and parameters of the visible, filtered queryset,
so the reader's visibility, the filters and today's date are in it), the language, and the
*data version*: a number in one database row that every transaction writing registry data
replaces, inside that transaction: the services do it (`data_changed`, called by
`registry.history.attributed`), since every write goes through them. A reader therefore
sees a new version exactly when it sees the new data, in every process, whatever the cache
backend. The number is drawn at random, not counted: a database restored from a backup goes
back to the version of its data, and writes after the restore never meet versions cached
before it.

Why inside the transaction, and first: the new version takes the row's lock until commit, so
writers of registry data queue on it. Taking it before the service's first write (or
`SELECT ... FOR UPDATE`) gives every writer the same lock order, so the queue cannot deadlock.
A transaction that has written reads around the cache: what it would see is not committed.
"""

import hashlib
import secrets
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils.translation import get_language

from registry.models import DataVersion

Value = TypeVar("Value")
TIMEOUT = 60 * 60
VERSION_TABLE = DataVersion._meta.db_table
# One statement on both databases, so a flushed (test) database needs no seeded row.
NEW_VERSION = (
    f'INSERT INTO "{VERSION_TABLE}" ("id", "value") VALUES (1, %s) '
    'ON CONFLICT ("id") DO UPDATE SET "value" = excluded."value"'
)
MISSING = object()


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


def data_changed(using: str = DEFAULT_DB_ALIAS) -> None:
    """The registry's data changes: a new version, once per transaction and before its first
    write; outside a transaction, after the write that calls it."""
    connection = connections[using]
    if not connection.in_atomic_block:
        bump_data_version(connection)
    elif not _bumped_in_transaction(connection):
        bump_data_version(connection)
        connection.on_commit(_version_bumped)


def migrated(using, **kwargs) -> None:
    """A `post_migrate` hook: data migrations write outside the services, so the data takes a
    new version once `migrate` has finished."""
    connection = connections[using]
    if VERSION_TABLE in connection.introspection.table_names():
        bump_data_version(connection)


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
