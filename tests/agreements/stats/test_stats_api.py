"""`GET /api/v1/stats/` on known data: each role counts only what it may read."""

import datetime

import pytest
from drf_spectacular.generators import SchemaGenerator

from agreements.models import Memorandum
from agreements.querysets import Status
from agreements.stats.selectors import memorandum_statistics
from tests.agreements.stats.support import get_stats
from tests.factories import InstitutionFactory, SignedMemorandumFactory
from tests.support import partner_of

pytestmark = pytest.mark.django_db

COUNTRIES = {"CN": "China", "DE": "Germany", "FR": "France", "KZ": "Kazakhstan"}
AREAS = {"joint-bidding": "Joint bidding", "research": "Research", "teaching": "Teaching"}


def statuses(**counts):
    return {status: counts.get(status, 0) for status in Status.values}


def figures(total=0, by_status=None, countries=(), areas=(), years=(), expiring=(0, 0)) -> dict:
    """The statistics as the API answers them: the counts by country, area and year given as
    (code or year, count) pairs in the answer's order, those expiring within 90 and 180 days
    as a pair."""
    return {
        "total": total,
        "by_status": statuses(**(by_status or {})),
        "by_country": [
            {"country": code, "name": COUNTRIES[code], "count": count} for code, count in countries
        ],
        "by_area": [{"code": code, "name": AREAS[code], "count": count} for code, count in areas],
        "by_year": [{"year": year, "count": count} for year, count in years],
        "by_unit": [],
        "expiring_within_90": expiring[0],
        "expiring_within_180": expiring[1],
    }


EVERYTHING = figures(
    5,
    {"active": 3, "expired": 1, "draft": 1},
    # Two memoranda with a Chinese party: ordered by count, then by code.
    [("CN", 3), ("KZ", 3), ("DE", 1), ("FR", 1)],
    [("research", 2), ("teaching", 2), ("joint-bidding", 1)],
    [(2019, 1), (2022, 1), (2023, 2)],
    (1, 2),
)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        pytest.param(
            None,
            figures(
                2,
                {"active": 1, "expired": 1},
                [("KZ", 2), ("CN", 1), ("DE", 1)],
                [("teaching", 2), ("research", 1)],
                [(2019, 1), (2023, 1)],
                (1, 1),
            ),
            id="anonymous visitors count public memoranda only",
        ),
        pytest.param(
            "viewer",
            figures(
                4,
                {"active": 2, "expired": 1, "draft": 1},
                [("KZ", 3), ("CN", 2), ("DE", 1)],
                [("research", 2), ("teaching", 2)],
                [(2019, 1), (2023, 2)],
                (1, 2),
            ),
            id="viewers count public and internal memoranda",
        ),
        pytest.param("editor", EVERYTHING, id="editors count everything"),
        pytest.param("auditor", EVERYTHING, id="auditors count everything"),
    ],
)
def test_each_role_counts_only_the_memoranda_it_may_read(register, role, expected, request):
    user = request.getfixturevalue(role) if role else None

    assert get_stats(user) == expected


def test_a_partner_client_counts_only_its_own_agreements(register):
    # SUSTech is a party to the public active one and the confidential one; the public
    # expired one (NU and TUM) is in the public register, but it is not SUSTech's agreement.
    stats = get_stats(partner_of(register.sustech))

    assert stats == figures(
        2,
        {"active": 2},
        [("CN", 2), ("FR", 1), ("KZ", 1)],
        [("joint-bidding", 1), ("research", 1), ("teaching", 1)],
        [(2022, 1), (2023, 1)],
        (1, 1),
    )


def test_a_partner_client_counts_its_internal_agreements_but_not_others(register):
    # NU is a party to both public ones and the internal one, not to the confidential one.
    stats = get_stats(partner_of(register.nu))

    assert stats["total"] == 3
    assert stats["by_status"] == statuses(active=2, expired=1)
    assert [row["country"] for row in stats["by_country"]] == ["KZ", "CN", "DE"]
    assert stats["expiring_within_180"] == 2


def test_a_partner_client_of_an_institution_without_agreements_counts_nothing(register):
    lonely = InstitutionFactory(name="University without agreements", country="JP")

    assert get_stats(partner_of(lonely)) == figures()


@pytest.mark.parametrize(
    ("params", "total"),
    [
        ({"country": "FR"}, 1),
        ({"country": ["DE", "FR"]}, 2),
        ({"area": "research"}, 2),
        ({"area": ["research", "joint-bidding"]}, 3),
        ({"status": "expired"}, 1),
        ({"status": ["active", "draft"]}, 4),
        ({"visibility": "confidential"}, 1),
        ({"q": "munich"}, 1),
        ({"q": "SUSTech"}, 2),
        ({"party": "{nu}"}, 3),
        ({"signed_after": "2023-01-01"}, 2),
        ({"expiring_within": 90}, 1),
        ({"country": "CN", "status": "active"}, 3),
    ],
)
def test_the_list_filters_narrow_the_statistics(register, editor, api, params, total):
    params = {
        key: value.format(nu=register.nu.pk) if isinstance(value, str) else value
        for key, value in params.items()
    }
    stats = get_stats(editor, **params)

    assert stats["total"] == total
    # The same filters give the same memoranda on the list.
    assert api.get("/api/v1/memoranda/", params).json()["count"] == total


def test_filters_cannot_reveal_what_the_caller_may_not_read(register, viewer):
    assert get_stats(visibility="confidential")["total"] == 0
    assert get_stats(viewer, visibility="confidential")["total"] == 0
    assert get_stats(q="Paris")["by_country"] == []
    assert get_stats(country="FR")["by_area"] == []


def test_a_filtered_status_count_keeps_every_status(register, editor):
    stats = get_stats(editor, country="DE")

    assert stats["by_status"] == statuses(expired=1)
    assert stats["by_country"] == [
        {"country": "DE", "name": "Germany", "count": 1},
        {"country": "KZ", "name": "Kazakhstan", "count": 1},
    ]


def test_an_invalid_filter_is_a_400_naming_it(register, api):
    response = api.get("/api/v1/stats/", {"country": "XX", "status": "sleeping"})

    assert response.status_code == 400
    assert {"country", "status"} <= set(response.json())


def test_expiry_windows_count_active_memoranda_from_today_to_the_horizon(db):
    today = datetime.date(2025, 6, 1)
    for expires_on, auto_renew in [
        (today - datetime.timedelta(days=1), False),  # expired
        (today - datetime.timedelta(days=1), True),  # active (renews), but past its date
        (today, False),  # last day: both windows
        (today + datetime.timedelta(days=90), False),  # both windows
        (today + datetime.timedelta(days=91), False),  # 180 only
        (today + datetime.timedelta(days=180), False),  # 180 only
        (today + datetime.timedelta(days=181), False),  # neither
        (None, False),  # open-ended
    ]:
        SignedMemorandumFactory(
            signed_on=datetime.date(2020, 1, 1), expires_on=expires_on, auto_renew=auto_renew
        )
    SignedMemorandumFactory(  # pending: signed, not yet in force, expiring within 90 days
        signed_on=datetime.date(2025, 5, 1),
        effective_from=today + datetime.timedelta(days=10),
        expires_on=today + datetime.timedelta(days=20),
    )

    stats = memorandum_statistics(Memorandum.objects.all(), today=today)

    assert stats["by_status"] == statuses(active=7, expired=1, pending=1)
    assert stats["expiring_within_90"] == 2
    assert stats["expiring_within_180"] == 4


def test_an_empty_register_counts_zero_everywhere(db):
    assert get_stats() == figures()


def test_the_schema_documents_the_filters_and_the_response():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/stats/"]["get"]
    parameters = {parameter["name"] for parameter in operation["parameters"]}
    response = operation["responses"]["200"]["content"]["application/json"]["schema"]
    component = schema["components"]["schemas"][response["$ref"].rsplit("/", 1)[1]]

    assert {"q", "status", "country", "area", "visibility", "expiring_within"} <= parameters
    assert "page" not in parameters
    assert set(component["properties"]) == {
        "total",
        "by_status",
        "by_country",
        "by_area",
        "by_year",
        "by_unit",
        "expiring_within_90",
        "expiring_within_180",
    }
    by_status = schema["components"]["schemas"]["StatusCounts"]
    assert set(by_status["properties"]) == set(Status.values)
