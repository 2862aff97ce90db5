import datetime
import threading

import pytest
from django.db import connection

from agreements.models import Memorandum
from agreements.services import memorandum_create
from tests.factories import MemorandumFactory


@pytest.mark.django_db
def test_blank_reference_is_generated_from_the_signing_year():
    first = memorandum_create(
        actor=None, title="A", parties=[], signed_on=datetime.date(2023, 5, 29)
    )
    second = memorandum_create(
        actor=None, title="B", parties=[], signed_on=datetime.date(2023, 6, 1)
    )
    other_year = memorandum_create(
        actor=None, title="C", parties=[], signed_on=datetime.date(2024, 1, 1)
    )

    assert [first.reference, second.reference, other_year.reference] == [
        "MOU-2023-0001",
        "MOU-2023-0002",
        "MOU-2024-0001",
    ]


@pytest.mark.django_db
def test_generated_reference_skips_one_typed_in_by_hand():
    MemorandumFactory(reference="MOU-2023-0001")

    generated = memorandum_create(
        actor=None, title="B", parties=[], signed_on=datetime.date(2023, 5, 29)
    )

    assert generated.reference == "MOU-2023-0002"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_get_distinct_references(on_postgres):
    barrier = threading.Barrier(4)
    errors = []

    def create(index):
        try:
            barrier.wait()
            memorandum_create(
                actor=None,
                title=f"Concurrent {index}",
                parties=[],
                signed_on=datetime.date(2025, 1, 1),
            )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    references = sorted(Memorandum.objects.values_list("reference", flat=True))
    assert references == [f"MOU-2025-{n:04d}" for n in range(1, 5)]
