"""Statistics, the dashboard's choices and list counts come from the cache until the data
changes, and never answer with figures of data that has changed (registry/caching.py).

These tests commit their writes (`transaction=True`), as requests do in production: a test
that writes inside its own open transaction reads around the cache.
"""

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from agreements.models import Memorandum
from agreements.services import memorandum_update
from partners.models import PartnerLink
from partners.services import institution_update
from registry.caching import data_version
from tests.agreements.stats.support import get_stats
from tests.factories import InstitutionFactory, SignedMemorandumFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def editor():
    # A superuser reads everything, as an editor does; a transactional test's database was
    # flushed of the groups that migrations make.
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def two_public_memoranda():
    nu = InstitutionFactory(name="Nazarbayev University", country="KZ")
    return [
        SignedMemorandumFactory(
            parties=[nu, InstitutionFactory(country="CN")],
            visibility=Memorandum.Visibility.PUBLIC,
            signed_on=datetime.date(2022 + index, 3, 1),
        )
        for index in range(2)
    ]


def test_a_repeated_request_is_answered_from_the_cache(
    two_public_memoranda, django_assert_num_queries
):
    first = get_stats()

    # 1 the data version; the four aggregations are remembered for it
    with django_assert_num_queries(1):
        again = get_stats()

    assert again == first
    assert first["total"] == 2


def test_a_new_memorandum_changes_the_figures_at_once(two_public_memoranda):
    assert get_stats()["total"] == 2

    SignedMemorandumFactory(visibility=Memorandum.Visibility.PUBLIC)

    assert get_stats()["total"] == 3


def test_a_change_to_an_institution_moves_its_country_in_the_figures(two_public_memoranda, editor):
    before = {row["country"]: row["count"] for row in get_stats()["by_country"]}
    assert before == {"KZ": 2, "CN": 2}
    nu = two_public_memoranda[0].parties.get(order=0).institution

    institution_update(institution=nu, actor=editor, country="UZ")

    after = {row["country"]: row["count"] for row in get_stats()["by_country"]}
    assert after == {"UZ": 2, "CN": 2}


def test_each_reader_gets_the_figures_of_what_it_may_read(editor):
    SignedMemorandumFactory(visibility=Memorandum.Visibility.PUBLIC)
    SignedMemorandumFactory(visibility=Memorandum.Visibility.CONFIDENTIAL)

    assert get_stats(editor)["total"] == 2
    assert get_stats()["total"] == 1
    assert get_stats(editor)["total"] == 2


def test_filters_are_part_of_what_is_remembered(two_public_memoranda):
    assert get_stats()["total"] == 2
    assert get_stats(signed_after="2023-01-01")["total"] == 1
    assert get_stats()["total"] == 2


def test_a_rolled_back_change_leaves_the_version_and_the_figures(two_public_memoranda, editor):
    figures = get_stats()
    version = data_version("default")

    with transaction.atomic():
        memorandum_update(
            memorandum=two_public_memoranda[0],
            actor=editor,
            visibility=Memorandum.Visibility.CONFIDENTIAL,
        )
        transaction.set_rollback(True)

    assert data_version("default") == version
    assert get_stats() == figures


def test_a_transaction_that_has_written_reads_around_the_cache(two_public_memoranda):
    assert get_stats()["total"] == 2

    with transaction.atomic():
        SignedMemorandumFactory(visibility=Memorandum.Visibility.PUBLIC)
        # Not committed: what this transaction sees must not be cached for others.
        assert get_stats()["total"] == 3
        transaction.set_rollback(True)

    assert get_stats()["total"] == 2


def new_versions(queries) -> int:
    return sum('INSERT INTO "registry_dataversion"' in query["sql"] for query in queries)


def test_a_transaction_takes_one_new_version_whatever_it_writes(two_public_memoranda, editor):
    version = data_version("default")

    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        for memorandum in two_public_memoranda:
            memorandum_update(memorandum=memorandum, actor=editor, title="Renamed")

    assert new_versions(queries) == 1
    assert data_version("default") != version


def test_a_rolled_back_savepoint_takes_its_new_version_with_it(two_public_memoranda, editor):
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        with transaction.atomic():
            memorandum_update(memorandum=two_public_memoranda[0], actor=editor, title="Gone")
            transaction.set_rollback(True)
        memorandum_update(memorandum=two_public_memoranda[1], actor=editor, title="Kept")

    # The first new version went with the savepoint; the kept write took one of its own.
    assert new_versions(queries) == 2
    assert Memorandum.objects.filter(title="Kept").count() == 1


def test_a_restored_backup_meets_no_version_cached_after_it(two_public_memoranda):
    versions = set()
    for _ in range(20):
        SignedMemorandumFactory(visibility=Memorandum.Visibility.PUBLIC)
        versions.add(data_version("default"))

    # Drawn, not counted: a database set back to an earlier version does not walk again
    # through the numbers it had after that.
    assert len(versions) == 20


def test_reading_does_not_bump_the_version(two_public_memoranda, editor):
    version = data_version("default")

    get_stats(editor)
    APIClient().get("/api/v1/memoranda/")

    assert data_version("default") == version


def test_a_search_counts_its_results_once_per_data_version(two_public_memoranda, editor):
    client = APIClient()
    client.force_authenticate(editor)
    assert client.get("/api/v1/memoranda/", {"q": "memorandum"}).json()["count"] == 2

    SignedMemorandumFactory(title="Another memorandum")

    assert client.get("/api/v1/memoranda/", {"q": "memorandum"}).json()["count"] == 3


def test_a_search_finds_what_a_change_made_match_and_drops_what_no_longer_does(
    two_public_memoranda, editor
):
    client = APIClient()
    client.force_authenticate(editor)
    first, second = two_public_memoranda
    memorandum_update(memorandum=first, actor=editor, title="Photonics network")

    def found():
        results = client.get("/api/v1/memoranda/", {"q": "photonics"}).json()["results"]
        return {row["id"] for row in results}

    assert found() == {first.pk}
    assert found() == {first.pk}  # the matches are remembered now

    memorandum_update(memorandum=Memorandum.objects.get(pk=first.pk), actor=editor, title="Music")
    memorandum_update(memorandum=second, actor=editor, title="Photonics lab")

    assert found() == {second.pk}


def test_the_admin_changelist_remembers_its_filter_choices_and_total(
    two_public_memoranda, editor, client, django_assert_num_queries
):
    client.force_login(editor)
    first = client.get("/admin/agreements/memorandum/").content.decode()

    # 1 session, 2 user, 3-6 the data version for the area choices, the country choices, the
    # approval steps' choices and the total, 7 the page, 8 its parties, 9-10 the date hierarchy
    with django_assert_num_queries(10):
        again = client.get("/admin/agreements/memorandum/").content.decode()

    assert again.count('class="field-reference"') == first.count('class="field-reference"') == 2
    assert "Kazakhstan" in again

    SignedMemorandumFactory(parties=[InstitutionFactory(country="UZ")])

    assert "Uzbekistan" in client.get("/admin/agreements/memorandum/").content.decode()


def test_the_public_register_counts_what_it_shows(two_public_memoranda, client):
    assert "2 agreements" in client.get("/public/").content.decode()

    SignedMemorandumFactory(visibility=Memorandum.Visibility.PUBLIC)

    assert "3 agreements" in client.get("/public/").content.decode()


def test_a_commit_in_another_connection_is_seen(two_public_memoranda):
    assert get_stats()["total"] == 2

    def write_elsewhere():
        try:
            SignedMemorandumFactory(visibility=Memorandum.Visibility.PUBLIC)
        finally:
            connection.close()

    thread = threading.Thread(target=write_elsewhere)
    thread.start()
    thread.join()

    assert get_stats()["total"] == 3


def test_a_partner_client_gets_its_own_figures_after_others_were_cached(editor):
    nu = InstitutionFactory(country="KZ")
    other = InstitutionFactory(country="FR")
    SignedMemorandumFactory(parties=[nu, other], visibility=Memorandum.Visibility.CONFIDENTIAL)
    SignedMemorandumFactory(visibility=Memorandum.Visibility.CONFIDENTIAL)
    SignedMemorandumFactory(visibility=Memorandum.Visibility.PUBLIC)
    partner = UserFactory(username="partner-nu")
    PartnerLink.objects.create(user=partner, institution=nu)

    assert get_stats(editor)["total"] == 3
    assert get_stats()["total"] == 1
    # Only the agreement its institution is party to, though the editor's figures are cached.
    assert get_stats(partner)["total"] == 1
    assert {row["country"] for row in get_stats(partner)["by_country"]} == {"KZ", "FR"}
