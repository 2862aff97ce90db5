"""`manage.py bench`: the registry's speed on a large PostgreSQL database, each figure measured
beside a reference in the same run. Fill the database first with `seed_bulk`.

1. The memoranda list (page sizes 20 and 100, each filter, as an admin and as a partner
   client) and a memorandum's detail, through the whole Django stack, against the fastest honest
   way PostgreSQL answers the same request: the page's ids first (the list's order and LIMIT), a
   count of its own, then only those rows with their parts aggregated per row, serialised with
   orjson.
2. The CSV export of every memorandum, in a process of its own (wall time, peak RSS), against
   PostgreSQL's `COPY (the same join) TO STDOUT WITH CSV`.
3. Full-text search, 4. statistics and the dashboard, 5. the admin changelist: medians.
6. An import of 10,000 rows (a dry run: all the work, then rolled back): rows per second.
"""

import csv
import datetime
import io
import json
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agreements.columns import COLUMNS
from agreements.importing.spreadsheet import memoranda_import, read_rows
from agreements.models import Memorandum, Party
from partners.models import Institution, PartnerLink
from registry.caching import bump_data_version

REPEAT = 25
COLD_REPEAT = 7
LIST_CASES = {
    "no filter": {},
    "country=KZ": {"country": "KZ"},
    "area=research": {"area": "research"},
    "status=active": {"status": "active"},
    "q=exchange": {"q": "exchange"},
    "q=university": {"q": "university"},
}

STATUS_SQL = """
CASE
  WHEN m.stage <> 'signed' THEN m.stage
  WHEN EXISTS (SELECT 1 FROM agreements_memorandum later
               WHERE later.supersedes_id = m.id AND later.supersedes_id IS NOT NULL
                 AND later.stage = 'signed') THEN 'superseded'
  WHEN m.effective_from > %(today)s THEN 'pending'
  WHEN m.expires_on < %(today)s AND NOT m.auto_renew THEN 'expired'
  ELSE 'active'
END
"""
# The fastest honest way PostgreSQL answers a list page: the page's ids first (the list's order,
# LIMIT), then only those rows with their parts, each aggregated per row, and a count of its own.
IDS_SQL = """
SELECT m.id FROM agreements_memorandum m WHERE {where}
ORDER BY m.signed_on DESC, m.id DESC LIMIT %(limit)s
"""
COUNT_SQL = "SELECT count(*) FROM agreements_memorandum m WHERE {where}"
ROWS_SQL = f"""
SELECT m.id, m.reference, m.title, m.kind, m.stage, {STATUS_SQL} AS status, m.summary,
  m.signed_on, m.signed_at, m.effective_from, m.expires_on, m.auto_renew,
  m.renewal_notice_days, m.supersedes_id AS supersedes, m.visibility,
  (SELECT coalesce(json_agg(json_build_object('institution', i.id, 'name', i.name,
     'short_name', i.short_name, 'country', i.country, 'unit', p.unit_id, 'unit_name', pu.name,
     'role', p.role, 'order', p."order") ORDER BY p."order", p.id), '[]')
   FROM agreements_party p JOIN partners_institution i ON i.id = p.institution_id
   LEFT JOIN partners_organisationalunit pu ON pu.id = p.unit_id
   WHERE p.memorandum_id = m.id) AS parties,
  (SELECT coalesce(json_agg(json_build_object('person', pe.id, 'honorific', pe.honorific,
     'full_name', pe.full_name, 'institution', s.institution_id, 'position_at_signing',
     s.position_at_signing, 'signed_on', s.signed_on, 'mode', s.mode) ORDER BY s.id), '[]')
   FROM agreements_signatory s JOIN partners_person pe ON pe.id = s.person_id
   WHERE s.memorandum_id = m.id) AS signatories,
  (SELECT coalesce(json_agg(a.code ORDER BY a.name, a.id), '[]')
   FROM agreements_memorandum_cooperation_areas ma
   JOIN agreements_cooperationarea a ON a.id = ma.cooperationarea_id
   WHERE ma.memorandum_id = m.id) AS cooperation_areas,
  (SELECT coalesce(json_agg(ms.sustainabledevelopmentgoal_id
     ORDER BY ms.sustainabledevelopmentgoal_id), '[]')
   FROM agreements_memorandum_sdgs ms WHERE ms.memorandum_id = m.id) AS sdgs,
  (SELECT coalesce(json_agg(t.name ORDER BY t.name), '[]')
   FROM taggit_taggeditem ti JOIN taggit_tag t ON t.id = ti.tag_id
   WHERE ti.content_type_id = %(content_type)s AND ti.object_id = m.id) AS tags,
  m.source_url, m.owner_unit_id AS owner_unit,
  (SELECT u.name FROM partners_organisationalunit u WHERE u.id = m.owner_unit_id)
    AS owner_unit_name, m.owner_email, m.internal_notes, m.created_at,
  creator.username AS created_by, m.updated_at, editor.username AS updated_by, m.version,
  nullif(m.fingerprint, '') AS fingerprint,
  (SELECT coalesce(json_agg(json_build_object('institution', ack.institution_id,
     'fingerprint', ack.fingerprint, 'acknowledged_at', ack.acknowledged_at)
     ORDER BY ack.acknowledged_at, ack.id), '[]')
   FROM agreements_acknowledgement ack WHERE ack.memorandum_id = m.id) AS acknowledgements
FROM agreements_memorandum m
LEFT JOIN auth_user creator ON creator.id = m.created_by_id
LEFT JOIN auth_user editor ON editor.id = m.updated_by_id
WHERE m.id = ANY(%(ids)s)
ORDER BY array_position(%(ids)s, m.id)
"""
# What a partner client may read: public memoranda and those its institution is a party to.
PARTNER_SQL = (
    "(m.visibility = 'public' OR EXISTS (SELECT 1 FROM agreements_party own "
    "WHERE own.memorandum_id = m.id AND own.institution_id = %(institution)s))"
)


def _vector(alias: str, *columns: str) -> str:
    """The indexed search expression (registry.search.search_vector), written out."""
    parts = [f"COALESCE(replace(({alias}.{column})::text, '-', ' '), '')" for column in columns]
    return "to_tsvector('simple'::regconfig, " + " || ' ' || ".join(parts) + ")"


def _search(word: str) -> str:
    """The memoranda whose own text, parties' names or aliases, or signatories' names hold
    `word` as a prefix, through the same indexed expressions as `registry.search`."""
    matches = f"@@ to_tsquery('simple', '{word}:*')"
    return (
        f"(m.search_document {matches} "
        f"OR m.id IN (SELECT p.memorandum_id FROM agreements_party p WHERE p.institution_id IN "
        f"(SELECT i.id FROM partners_institution i WHERE {_vector('i', 'name', 'short_name')} "
        f"{matches})) "
        f"OR m.id IN (SELECT p.memorandum_id FROM agreements_party p WHERE p.institution_id IN "
        f"(SELECT a.institution_id FROM partners_institutionalias a "
        f"WHERE {_vector('a', 'name')} {matches})) "
        f"OR m.id IN (SELECT s.memorandum_id FROM agreements_signatory s WHERE s.person_id IN "
        f"(SELECT pe.id FROM partners_person pe WHERE {_vector('pe', 'full_name')} {matches})))"
    )


WHERE = {
    "no filter": "TRUE",
    "country=KZ": "EXISTS (SELECT 1 FROM agreements_party p JOIN partners_institution i "
    "ON i.id = p.institution_id WHERE p.memorandum_id = m.id AND i.country = 'KZ')",
    "area=research": "EXISTS (SELECT 1 FROM agreements_memorandum_cooperation_areas ma "
    "JOIN agreements_cooperationarea a ON a.id = ma.cooperationarea_id "
    "WHERE ma.memorandum_id = m.id AND a.code = 'research')",
    "status=active": f"({STATUS_SQL}) = 'active'",
    "q=exchange": _search("exchange"),
    "q=university": _search("university"),
}
COPY_SQL = """
COPY (
  SELECT m.reference, m.title, m.kind, {status}, m.stage,
    (SELECT string_agg(coalesce(nullif(i.short_name, ''), i.name), '; ' ORDER BY p."order", p.id)
     FROM agreements_party p JOIN partners_institution i ON i.id = p.institution_id
     WHERE p.memorandum_id = m.id),
    (SELECT string_agg(i.country, '; ' ORDER BY p."order", p.id)
     FROM agreements_party p JOIN partners_institution i ON i.id = p.institution_id
     WHERE p.memorandum_id = m.id),
    (SELECT string_agg(pe.full_name || ' (' || coalesce(nullif(i.short_name, ''), i.name)
       || ')', '; ' ORDER BY s.id)
     FROM agreements_signatory s JOIN partners_person pe ON pe.id = s.person_id
     JOIN partners_institution i ON i.id = s.institution_id WHERE s.memorandum_id = m.id),
    (SELECT string_agg(a.code, '; ' ORDER BY a.code)
     FROM agreements_memorandum_cooperation_areas ma
     JOIN agreements_cooperationarea a ON a.id = ma.cooperationarea_id
     WHERE ma.memorandum_id = m.id),
    m.signed_on, m.effective_from, m.expires_on, m.auto_renew, m.visibility,
    (SELECT string_agg(ms.sustainabledevelopmentgoal_id::text, '; ')
     FROM agreements_memorandum_sdgs ms WHERE ms.memorandum_id = m.id),
    (SELECT string_agg(t.name, '; ' ORDER BY t.name) FROM taggit_taggeditem ti
     JOIN taggit_tag t ON t.id = ti.tag_id WHERE ti.object_id = m.id),
    m.source_url, m.updated_at
  FROM agreements_memorandum m ORDER BY m.signed_on DESC, m.id DESC
) TO STDOUT WITH CSV HEADER
"""
EXPORT_IN_A_PROCESS = """
import time, resource
from django.test import Client
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
client = Client()
client.force_login(get_user_model().objects.get(username="bench-editor"))
started = time.perf_counter()
response = client.get("/api/v1/memoranda/export/", {"format": "csv"}, secure=True,
                      HTTP_HOST="127.0.0.1")
rows = sum(chunk.count(b"\\n") for chunk in response.streaming_content)
print(rows, time.perf_counter() - started,
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def _median_p95(durations: list[float]) -> tuple[float, float]:
    ordered = sorted(durations)
    return statistics.median(ordered), ordered[max(0, round(len(ordered) * 0.95) - 1)]


def _timed(call, repeat: int = REPEAT) -> list[float]:
    call()  # warm caches and connections
    durations = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def _editor():
    user, _ = get_user_model().objects.get_or_create(
        username="bench-editor", defaults={"is_staff": True, "is_superuser": True}
    )
    return user


def _client(user) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def _get(client, path, params=None):
    response = client.get(path, params or {}, secure=True)
    assert response.status_code == 200, (path, response.status_code)
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    else:
        response.content  # noqa: B018 - the body is what a client waits for
    return response


PAGE_SIZES = (20, 100)


def _reference_page(where: str, limit: int, params: dict) -> bytes:
    """The list page the fastest honest way: ids, count, then the page's rows, and orjson."""
    with connection.cursor() as cursor:
        cursor.execute(IDS_SQL.format(where=where), {**params, "limit": limit})
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(COUNT_SQL.format(where=where), params)
        total = cursor.fetchone()[0]
        cursor.execute(ROWS_SQL, {**params, "ids": ids})
        names = [column.name for column in cursor.description]
        page = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return orjson.dumps({"count": total, "next": None, "previous": None, "results": page})


def _reference_detail(memorandum_id: int, params: dict) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(ROWS_SQL, {**params, "ids": [memorandum_id]})
        names = [column.name for column in cursor.description]
        return orjson.dumps(dict(zip(names, cursor.fetchone(), strict=True)))


def _compared(measure: str, django: list[float], reference: list[float], what: str) -> dict:
    median, p95 = _median_p95(django)
    reference_median, reference_p95 = _median_p95(reference)
    return {
        "measure": measure,
        "median_ms": round(median, 1),
        "p95_ms": round(p95, 1),
        "reference": what,
        "reference_median_ms": round(reference_median, 1),
        "reference_p95_ms": round(reference_p95, 1),
        "ratio": round(median / reference_median, 2),
    }


def _partner(institution_id: int):
    user, _ = get_user_model().objects.get_or_create(username="bench-partner")
    PartnerLink.objects.get_or_create(user=user, defaults={"institution_id": institution_id})
    return user


def bench_list(client, rows: list[dict]) -> None:
    params = {
        "today": timezone.localdate(),
        "content_type": ContentType.objects.get_for_model(Memorandum).pk,
    }
    busiest = (
        Party.objects.values("institution_id")
        .annotate(memoranda=Count("id"))
        .order_by("-memoranda")
        .first()["institution_id"]
    )
    partner = _client(_partner(busiest))
    readers = [
        ("admin", client, "TRUE", LIST_CASES),
        (
            "partner client",
            partner,
            PARTNER_SQL,
            {case: LIST_CASES[case] for case in ("no filter", "country=KZ")},
        ),
    ]
    for reader, reader_client, visible, cases in readers:
        for case, filters in cases.items():
            for size in PAGE_SIZES:
                where = f"{visible} AND {WHERE[case]}"
                django = _timed(
                    lambda c=reader_client, f=filters, n=size: _get(
                        c, "/api/v1/memoranda/", {"page_size": n, **f}
                    )
                )
                reference = _timed(
                    lambda w=where, n=size: _reference_page(
                        w, n, {**params, "institution": busiest}
                    )
                )
                rows.append(
                    _compared(
                        f"list as {reader}, page_size {size}, {case}",
                        django,
                        reference,
                        "page ids, count, page rows with aggregated parts; orjson",
                    )
                )
    memorandum_id = (
        Memorandum.objects.filter(parties__isnull=False)
        .order_by("-id")
        .values_list("pk")
        .first()[0]
    )
    django = _timed(lambda: _get(client, f"/api/v1/memoranda/{memorandum_id}/"))
    reference = _timed(lambda: _reference_detail(memorandum_id, params))
    rows.append(
        _compared(
            "a memorandum's detail", django, reference, "its row with aggregated parts; orjson"
        )
    )


def bench_export(rows: list[dict]) -> None:
    process = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", EXPORT_IN_A_PROCESS],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    exported, seconds, peak_mb = process.stdout.strip().splitlines()[-1].split()
    today = timezone.localdate()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        copy = COPY_SQL.format(status=STATUS_SQL.replace("%(today)s", f"'{today.isoformat()}'"))
        cursor.copy_expert(copy, io.BytesIO())
    copy_seconds = time.perf_counter() - started
    rows.append(
        {
            "measure": f"CSV export of all {int(exported) - 1} memoranda",
            "median_ms": round(float(seconds) * 1000),
            "peak_rss_mb": int(peak_mb),
            "reference": "COPY (the same join) TO STDOUT WITH CSV",
            "reference_median_ms": round(copy_seconds * 1000),
            "ratio": round(float(seconds) / copy_seconds, 2),
        }
    )


def bench_pages(client, rows: list[dict]) -> None:
    for measure, path, params in [
        ("full-text search q=exchange (page 50)", "/api/v1/memoranda/", {"q": "exchange"}),
        # Beside the word in every summary: a rare one (a signatory's name, 8 memoranda), and
        # one that matches through the parties' names (most synthetic institutions).
        ("full-text search q=12345 (a rare word)", "/api/v1/memoranda/", {"q": "12345"}),
        (
            "full-text search q=university (parties' names)",
            "/api/v1/memoranda/",
            {"q": "university"},
        ),
        ("stats/", "/api/v1/stats/", {}),
        ("dashboard /", "/", {}),
    ]:
        median, p95 = _median_p95(_timed(lambda p=path, q=params: _get(client, p, q)))

        def after_a_change(p=path, q=params):
            bump_data_version(connection)
            _get(client, p, q)

        # The same request when the data has just changed: nothing cached can answer it.
        cold_median, _ = _median_p95(_timed(after_a_change, repeat=COLD_REPEAT))
        rows.append(
            {
                "measure": measure,
                "median_ms": round(median, 1),
                "p95_ms": round(p95, 1),
                "after_a_change_median_ms": round(cold_median, 1),
            }
        )
    path = "/admin/agreements/memorandum/"
    median, p95 = _median_p95(_timed(lambda: _get(client, path)))
    with CaptureQueriesContext(connection) as queries:
        _get(client, path)
    rows.append(
        {
            "measure": "admin changelist of memoranda",
            "median_ms": round(median, 1),
            "p95_ms": round(p95, 1),
            "queries": len(queries),
        }
    )


def import_file(count: int) -> io.BytesIO:
    """`count` rows in the export's columns, among institutions already in the database."""
    rng = random.Random(9)
    institutions = list(Institution.objects.order_by("id").values_list("name", "country")[:500])
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS)
    writer.writeheader()
    start = datetime.date(2015, 1, 1)
    for index in range(count):
        first, second = rng.sample(institutions, 2)
        signed_on = start + datetime.timedelta(days=rng.randint(0, 3000))
        writer.writerow(
            {
                "reference": f"IMPORT-{index:05d}",
                "title": f"Imported exchange agreement {index}",
                "kind": "exchange",
                "stage": "signed",
                "parties": f"{first[0]}; {second[0]}",
                "party_countries": f"{first[1]}; {second[1]}",
                "cooperation_areas": "research; student-mobility",
                "signed_on": signed_on.isoformat(),
                "expires_on": (signed_on + datetime.timedelta(days=1825)).isoformat(),
                "auto_renew": "false",
                "visibility": "internal",
                "sdgs": "4",
                "tags": "exchange",
            }
        )
    return io.BytesIO(text.getvalue().encode())


def bench_import(rows: list[dict], count: int = 10_000) -> None:
    content = import_file(count)
    started = time.perf_counter()
    report = memoranda_import(rows=read_rows(content, "csv"), actor=None, dry_run=True)
    seconds = time.perf_counter() - started
    assert report.ok, report.problems[:3]
    rows.append(
        {
            "measure": f"import of {count} rows (dry run: all the work, then rolled back)",
            "median_ms": round(seconds * 1000),
            "rows_per_second": round(count / seconds),
        }
    )


def benchmark_steps(*, skip_import: bool = False) -> list[str]:
    return ["list", "pages", "export"] + ([] if skip_import else ["import"])


def run_benchmark(
    output: Path, *, skip_import: bool = False, progress: Callable[[str], None] = lambda step: None
) -> dict:
    """Measure each of `benchmark_steps`, telling `progress` the name of each one measured."""
    if connection.vendor != "postgresql":
        raise RuntimeError("The benchmark measures PostgreSQL: set DATABASE_URL.")
    client = _client(_editor())
    rows: list[dict] = []
    steps = {
        "list": lambda: bench_list(client, rows),
        "pages": lambda: bench_pages(client, rows),
        "export": lambda: bench_export(rows),
        "import": lambda: bench_import(rows),
    }
    for step in benchmark_steps(skip_import=skip_import):
        steps[step]()
        progress(step)
    results = {
        "measured_at": timezone.now().isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, {resource.getpagesize()} B pages",
        "memoranda": Memorandum.objects.count(),
        "repeat": REPEAT,
        "rows": rows,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n")
    return results
