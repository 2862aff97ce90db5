"""The export's memory stays flat as the list grows: rows stream a chunk at a time."""

import datetime
import tracemalloc

import pytest
from rest_framework.test import APIClient

from agreements.exports import memoranda as exports
from agreements.models import Memorandum, Party
from partners.models import Institution

pytestmark = pytest.mark.django_db


def add_memoranda(count: int, institutions: list[Institution], start: int) -> None:
    memoranda = Memorandum.objects.bulk_create(
        Memorandum(
            reference=f"BULK-{start + index:06d}",
            title=f"Exchange agreement number {start + index} with a reasonably long title",
            summary="Student and staff exchange, joint supervision and summer schools. " * 3,
            stage="signed",
            signed_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=index % 1500),
            effective_from=datetime.date(2020, 1, 1) + datetime.timedelta(days=index % 1500),
            visibility="internal",
        )
        for index in range(count)
    )
    Party.objects.bulk_create(
        Party(memorandum=memorandum, institution=institutions[(index + offset) % 20], order=offset)
        for index, memorandum in enumerate(memoranda)
        for offset in (0, 1)
    )


def peak_while_exporting(client) -> int:
    tracemalloc.start()
    response = client.get("/api/v1/memoranda/export/", {"format": "csv"})
    rows = sum(chunk.count(b"\n") for chunk in response.streaming_content)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return rows, peak


def test_export_peak_memory_does_not_grow_with_the_rows(editor, monkeypatch):
    # Smaller chunks than production's 2,000 keep the test quick; the mechanism is the same.
    monkeypatch.setattr(exports, "CHUNK", 500)
    institutions = Institution.objects.bulk_create(
        Institution(name=f"University {n}", short_name=f"U{n}", country="KZ") for n in range(20)
    )
    client = APIClient()
    client.force_authenticate(editor)

    # Measured from four chunks on, once rows are read and written a chunk behind each other.
    add_memoranda(2_000, institutions, start=0)
    rows_small, peak_small = peak_while_exporting(client)
    add_memoranda(6_000, institutions, start=2_000)
    rows_large, peak_large = peak_while_exporting(client)

    assert (rows_small, rows_large) == (2_001, 8_001)
    # Four times the rows; the peak stays that of one chunk in flight. The peak of the same
    # export varies by up to a fifth from run to run (when the collector runs, which chunk is in
    # flight); rows held in memory would add about 4 MB, more than doubling it.
    assert peak_large < peak_small * 1.4, (peak_small, peak_large)
