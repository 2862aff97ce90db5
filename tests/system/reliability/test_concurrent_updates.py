"""No lost updates: two editors saving the same memorandum at the same moment (PostgreSQL)."""

import threading

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agreements.models import Memorandum
from registry import roles
from tests.factories import SignedMemorandumFactory, UserFactory

# Skipped before any database set-up on SQLite. (The file sits after tests/browser/ on purpose:
# a transactional test's flush re-creates content types, which a later serialized_rollback
# test in the same worker would then insert twice.)
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="needs PostgreSQL: set DATABASE_URL",
    ),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 5


def editor_client(username):
    # A transactional test starts from an emptied database: the migration's groups are gone.
    Group.objects.get_or_create(name=roles.EDITOR)
    user = UserFactory(username=username, groups=["registry-editor"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def at_once(*requests):
    """Run each request in its own thread (own database connection), released together."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def run(index, request):
        try:
            barrier.wait()
            results[index] = request()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def changes(client, memorandum):
    history = client.get(f"/api/v1/memoranda/{memorandum.pk}/history/").json()["results"]
    return [
        entry
        for entry in history
        if entry["model"] == "memorandum" and entry["action"] == "changed"
    ]


@pytest.mark.parametrize("precondition", ["version", "if_match"])
def test_two_editors_saving_the_same_version_one_wins_the_other_is_refused(
    on_postgres, precondition
):
    alice, bob = editor_client("alice"), editor_client("bob")
    memorandum = SignedMemorandumFactory(summary="The original summary.")
    url = f"/api/v1/memoranda/{memorandum.pk}/"
    refused = 409 if precondition == "version" else 412

    for round_ in range(ROUNDS):
        read = alice.get(url)
        version, etag = read.json()["version"], read["ETag"]

        def save(client, summary, version=version, etag=etag):
            if precondition == "version":
                return lambda: client.patch(url, {"summary": summary, "version": version})
            return lambda: client.patch(url, {"summary": summary}, HTTP_IF_MATCH=etag)

        first, second = at_once(
            save(alice, f"Alice's summary {round_}."), save(bob, f"Bob's summary {round_}.")
        )

        statuses = sorted([first.status_code, second.status_code])
        assert statuses == [200, refused], (first.content, second.content)
        winner = first if first.status_code == 200 else second
        memorandum.refresh_from_db()
        assert memorandum.version == version + 1
        assert memorandum.summary == winner.json()["summary"]

    # Every round recorded exactly one change: the winner's.
    recorded = changes(alice, memorandum)
    assert len(recorded) == ROUNDS
    assert Memorandum.history.filter(id=memorandum.pk, history_type="~").count() == ROUNDS
