"""Reads go to the replica when one is configured; writes, and reads inside a transaction, to
the primary (registry/routers.py)."""

import copy
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.signals import request_started
from django.db import connections, transaction
from django.db.utils import load_backend
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from agreements.models import Memorandum, Party
from registry.routers import PrimaryReplicaRouter, unpin
from tests.factories import MemorandumFactory, SignedMemorandumFactory

with_replica = override_settings(DATABASE_ROUTERS=[PrimaryReplicaRouter(replica="replica")])


@pytest.fixture(autouse=True)
def new_request():
    """Each test starts as a request does: not pinned to the primary by an earlier write."""
    unpin()
    yield
    unpin()


def read_from(alias, **fields):
    """An object as if it had been read from the database `alias`."""
    memorandum = Memorandum(**fields)
    memorandum._state.db = alias
    memorandum._state.adding = False
    return memorandum


def test_the_router_is_installed():
    assert settings.DATABASE_ROUTERS == ["registry.routers.PrimaryReplicaRouter"]


def test_without_a_replica_everything_goes_to_the_primary():
    router = PrimaryReplicaRouter()

    assert router.replica is None
    assert router.db_for_read(Memorandum) == "default"
    assert router.db_for_write(Memorandum) == "default"


def test_the_replica_alias_of_the_settings_is_picked_up():
    replica = {**settings.DATABASES["default"], "TEST": {"MIRROR": "default"}}
    with mock.patch.dict(settings.DATABASES, {"replica": replica}):
        router = PrimaryReplicaRouter()

    assert router.replica == "replica"


def test_reads_go_to_the_replica_and_writes_to_the_primary():
    router = PrimaryReplicaRouter(replica="replica")

    assert router.db_for_read(Memorandum) == "replica"
    assert router.db_for_read(Party) == "replica"
    assert router.db_for_write(Memorandum) == "default"
    assert router.db_for_write(Memorandum, instance=read_from("replica", pk=1)) == "default"


@pytest.mark.django_db
def test_after_a_write_reads_stay_on_the_primary_until_the_next_request(client):
    router = PrimaryReplicaRouter(replica="replica")
    assert router.db_for_read(Memorandum) == "replica"

    router.db_for_write(Memorandum)
    assert router.db_for_read(Memorandum) == "default"
    assert router.db_for_read(Party) == "default"

    client.get("/healthz")  # the next request
    assert router.db_for_read(Memorandum) == "replica"


def test_without_a_replica_a_write_pins_nothing():
    PrimaryReplicaRouter().db_for_write(Memorandum)

    assert PrimaryReplicaRouter(replica="replica").db_for_read(Memorandum) == "replica"


def test_sessions_are_read_from_the_primary():
    """A session written at login must be found by the next request, whatever the lag."""
    assert PrimaryReplicaRouter(replica="replica").db_for_read(Session) == "default"


def test_relations_are_allowed_and_migrations_run_on_the_primary_only():
    router = PrimaryReplicaRouter(replica="replica")

    assert router.allow_relation(Memorandum(), Party()) is True
    assert router.allow_migrate("default", "agreements") is True
    assert router.allow_migrate("replica", "agreements") is False
    assert router.allow_migrate("replica", "auth", model_name="user") is False


@pytest.mark.django_db
def test_reads_inside_a_transaction_go_to_the_primary():
    router = PrimaryReplicaRouter(replica="replica")

    # The test's own wrapping transaction is not the application's: still the replica.
    assert router.db_for_read(Memorandum) == "replica"
    with transaction.atomic():
        assert router.db_for_read(Memorandum) == "default"
        with transaction.atomic():
            assert router.db_for_read(Party) == "default"
        assert router.db_for_read(Memorandum) == "default"
    assert router.db_for_read(Memorandum) == "replica"


@pytest.mark.django_db
def test_related_reads_of_an_object_follow_where_it_came_from():
    router = PrimaryReplicaRouter(replica="replica")
    saved = MemorandumFactory()
    from_replica = read_from("replica", pk=saved.pk)
    from_elsewhere = read_from("restored", pk=saved.pk)

    assert router.db_for_read(Party, instance=saved) == "default"
    assert router.db_for_read(Party, instance=from_replica) == "replica"
    assert router.db_for_read(Party, instance=Memorandum()) == "replica"
    assert router.db_for_read(Party, instance=from_elsewhere) == "restored"
    assert router.db_for_write(Memorandum, instance=from_elsewhere) == "restored"


@pytest.mark.django_db
def test_querysets_are_routed_through_the_settings():
    memorandum = MemorandumFactory()

    with with_replica:
        assert memorandum._state.db == "default"
        assert Memorandum.objects.all().db == "replica"
        assert Memorandum.objects.filter(title__contains="x").db == "replica"
        assert memorandum.parties.all().db == "default"
        with transaction.atomic():
            assert Memorandum.objects.all().db == "default"
            assert Memorandum.objects.select_for_update().db == "default"
        assert Memorandum.objects.using("default").all().db == "default"


@pytest.fixture
def replica(transactional_db):
    """A `replica` connection to the test database itself, as a streaming replica would be.

    It is registered as a connection only (not in settings.DATABASES), so the test may use it;
    the test database's rows are committed (transactional_db) for it to see them.
    """
    settings_dict = copy.deepcopy(connections["default"].settings_dict)
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "replica")
    connections["replica"] = wrapper
    yield wrapper
    wrapper.close()
    del connections["replica"]


@with_replica
def test_queries_reach_the_replica_and_the_primary(replica):
    primary = connections["default"]
    memorandum = SignedMemorandumFactory(title="Routed")
    request_started.send(sender=None)  # a later request

    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(primary) as on_primary:
        titles = list(Memorandum.objects.values_list("title", flat=True))
    assert titles == ["Routed"]
    assert (len(on_replica), len(on_primary)) == (1, 0)

    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(primary) as on_primary:
        Memorandum.objects.filter(pk=memorandum.pk).update(title="Routed again")
        with transaction.atomic():
            locked = Memorandum.objects.select_for_update().get(pk=memorandum.pk)
            locked.title = "Written in a transaction"
            locked.save()
    assert len(on_replica) == 0
    assert len(on_primary) >= 3

    request_started.send(sender=None)
    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(primary) as on_primary:
        fetched = Memorandum.objects.get(pk=memorandum.pk)
        institutions = [party.institution.name for party in fetched.parties.all()]
    assert fetched.title == "Written in a transaction"
    assert len(institutions) == 2
    assert len(on_replica) == 4  # the memorandum, its parties, and each party's institution
    assert len(on_primary) == 0
