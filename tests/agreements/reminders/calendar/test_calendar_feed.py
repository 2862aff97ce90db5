"""`/api/v1/calendar.ics?token=...`: each user's feed, parsed back with icalendar."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from agreements.models import CalendarFeedToken, Commitment, Memorandum
from agreements.reminders.feeds import feed_url
from agreements.services import calendar_feed_token_create, calendar_feed_token_revoke
from partners.models import PartnerLink
from tests.factories import (
    CommitmentFactory,
    InstitutionFactory,
    SignedMemorandumFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

FEED = "/api/v1/calendar.ics"
TODAY = datetime.date(2025, 3, 3)


def day(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


@pytest.fixture
def world():
    """Four agreements in force, one per visibility and one confidential to NU, each expiring
    on its own date with a commitment; and the agreements a feed never shows."""
    nu, sustech, va, ki = (
        InstitutionFactory(short_name=name) for name in ("NU", "SUSTech", "VA", "KI")
    )

    def agreement(name, visibility, parties, expires_in, **fields):
        memorandum = SignedMemorandumFactory(
            reference=name,
            title=f"{name} agreement",
            visibility=visibility,
            parties=parties,
            expires_on=day(expires_in),
            renewal_notice_days=90,
            **fields,
        )
        CommitmentFactory(memorandum=memorandum, title=f"{name} workshop", due_on=day(10))
        return memorandum

    memoranda = {
        "PUBLIC": agreement("PUBLIC", "public", [nu, sustech], 200),
        "INTERNAL": agreement("INTERNAL", "internal", [sustech, va], 300),
        "NU-CONF": agreement("NU-CONF", "confidential", [nu, va], 400),
        "CONF": agreement("CONF", "confidential", [ki, sustech], 500),
    }
    # Never in a feed: a draft, a terminated agreement, and one replaced by a signed renewal.
    SignedMemorandumFactory(
        reference="DRAFT", stage="draft", signed_on=None, expires_on=day(100), parties=[nu, ki]
    )
    SignedMemorandumFactory(
        reference="ENDED", stage="terminated", expires_on=day(100), parties=[nu, ki]
    )
    old = SignedMemorandumFactory(reference="OLD", expires_on=day(100), parties=[nu, ki])
    SignedMemorandumFactory(
        reference="RENEWED", supersedes=old, expires_on=day(800), parties=[nu, ki]
    )
    return {"nu": nu, "uc": InstitutionFactory(short_name="UC"), **memoranda}


def user_for(role, world):
    groups = {
        "viewer": ["registry-viewer"],
        "editor": ["registry-editor"],
        "auditor": ["registry-auditor"],
    }
    if role == "superuser":
        return UserFactory(username=role, is_staff=True, is_superuser=True)
    user = UserFactory(username=role, is_staff=role in groups, groups=groups.get(role))
    if role.startswith("partner_"):
        PartnerLink.objects.create(user=user, institution=world[role.removeprefix("partner_")])
    return user


def feed(client, user) -> Calendar:
    token = calendar_feed_token_create(user=user, actor=user)
    response = client.get(FEED, {"token": token.key})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> list[tuple[datetime.date, str]]:
    return sorted(
        (event.decoded("dtstart"), str(event["summary"])) for event in calendar.walk("VEVENT")
    )


def references(calendar: Calendar) -> set[str]:
    return {
        summary.split(": ")[1].split()[0]
        for _, summary in events(calendar)
        if summary.startswith("Expires")
    }


EVERYTHING = {"PUBLIC", "INTERNAL", "NU-CONF", "CONF", "RENEWED"}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("nobody", {"PUBLIC", "RENEWED"}),  # a signed-in user with no role reads the public ones
        ("viewer", {"PUBLIC", "INTERNAL", "RENEWED"}),
        ("editor", EVERYTHING),
        ("auditor", EVERYTHING),
        ("superuser", EVERYTHING),
        ("partner_nu", {"PUBLIC", "NU-CONF", "RENEWED"}),  # its own, confidential included
        ("partner_uc", set()),  # party to nothing: not even the public register
    ],
)
def test_each_role_gets_the_agreements_it_may_read(client, world, role, expected):
    calendar = feed(client, user_for(role, world))

    assert references(calendar) == expected


def test_confidential_agreements_and_their_commitments_stay_out_of_a_viewers_feed(client, world):
    summaries = [summary for _, summary in events(feed(client, user_for("viewer", world)))]

    assert not [summary for summary in summaries if "CONF" in summary]
    assert "Due: INTERNAL workshop (INTERNAL)" in summaries


def test_a_feed_holds_expiry_renewal_notice_and_commitment_dates_as_all_day_events(
    client, world, settings
):
    settings.SITE_URL = "https://registry.nu.edu.kz"
    public = world["PUBLIC"]
    partner = user_for("partner_nu", world)

    calendar = feed(client, partner)

    assert calendar["version"] == "2.0"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT12H" in calendar.to_ical()
    by_summary = {str(event["summary"]): event for event in calendar.walk("VEVENT")}
    expiry = by_summary["Expires: PUBLIC PUBLIC agreement"]
    notice = by_summary["Renewal notice due: PUBLIC PUBLIC agreement"]
    workshop = by_summary["Due: PUBLIC workshop (PUBLIC)"]
    assert expiry.decoded("dtstart") == day(200)
    assert type(expiry.decoded("dtstart")) is datetime.date  # all day, no time
    assert expiry.decoded("dtend") == day(201)
    assert notice.decoded("dtstart") == day(200 - 90)
    assert workshop.decoded("dtstart") == day(10)
    assert str(expiry["uid"]) == f"memorandum-{public.pk}-expiry@registry.nu.edu.kz"
    # A partner client cannot open the admin: its links are the API's.
    assert str(expiry["url"]) == f"https://registry.nu.edu.kz/api/v1/memoranda/{public.pk}/"
    assert "NU" in str(expiry["description"])


def test_staff_links_open_the_admin_and_auto_renewing_ones_say_so(client, world):
    world["CONF"].auto_renew = True
    world["CONF"].save()

    calendar = feed(client, user_for("editor", world))

    by_summary = {str(event["summary"]): event for event in calendar.walk("VEVENT")}
    conf = by_summary["Renews automatically: CONF CONF agreement"]
    assert str(conf["url"]).endswith(f"/admin/agreements/memorandum/{world['CONF'].pk}/change/")


def test_cancelled_commitments_are_left_out_and_done_ones_marked(client, world):
    public = world["PUBLIC"]
    public.commitments.update(status=Commitment.Status.CANCELLED)
    CommitmentFactory(
        memorandum=public, title="Summit", due_on=day(-20), status="done", completed_on=day(-20)
    )

    summaries = [summary for _, summary in events(feed(client, user_for("nobody", world)))]

    assert "Due: PUBLIC workshop (PUBLIC)" not in summaries
    assert "Done: Summit (PUBLIC)" in summaries


def test_an_expired_agreement_keeps_its_past_dates(client, world):
    expired = SignedMemorandumFactory(
        reference="LAPSED", visibility="public", signed_on=day(-400), expires_on=day(-5)
    )
    assert Memorandum.objects.with_status(TODAY).get(pk=expired.pk).status == "expired"

    assert "LAPSED" in references(feed(client, user_for("nobody", world)))


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 43])
def test_a_wrong_or_missing_token_is_a_404_without_a_hint(client, world, token):
    response = client.get(FEED, {"token": token} if token else {})

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_revoked_token_is_a_404(client, world):
    user = user_for("editor", world)
    token = calendar_feed_token_create(user=user, actor=user)
    assert client.get(FEED, {"token": token.key}).status_code == 200

    calendar_feed_token_revoke(token=token, actor=user)

    assert client.get(FEED, {"token": token.key}).status_code == 404


def test_a_new_token_replaces_the_old_one(client, world):
    user = user_for("editor", world)
    old = calendar_feed_token_create(user=user, actor=user)
    new = calendar_feed_token_create(user=user, actor=user)

    assert client.get(FEED, {"token": old.key}).status_code == 404
    assert client.get(FEED, {"token": new.key}).status_code == 200
    assert CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).get() == new


def test_a_deactivated_users_token_is_a_404(client, world):
    user = user_for("editor", world)
    token = calendar_feed_token_create(user=user, actor=user)
    user.is_active = False
    user.save()

    assert client.get(FEED, {"token": token.key}).status_code == 404


def test_the_feed_ignores_the_signed_in_session(client, world):
    """Only the token counts: an editor's session does not widen a viewer's feed."""
    viewer = user_for("viewer", world)
    token = calendar_feed_token_create(user=viewer, actor=viewer)
    client.force_login(user_for("editor", world))

    response = client.get(FEED, {"token": token.key})

    assert "CONF" not in references(Calendar.from_ical(response.content))
    assert client.get(FEED).status_code == 404


def test_keys_are_long_random_and_distinct(world):
    keys = {
        calendar_feed_token_create(user=user_for(role, world), actor=None).key
        for role in ("viewer", "editor", "auditor")
    }
    assert len(keys) == 3
    assert all(len(key) >= 43 for key in keys)


def test_the_subscribe_url_is_absolute(world, settings):
    settings.SITE_URL = "https://registry.nu.edu.kz/"
    token = calendar_feed_token_create(user=user_for("viewer", world), actor=None)

    assert (
        feed_url(token) == f"https://registry.nu.edu.kz{reverse('calendar-feed')}?token={token.key}"
    )
    assert reverse("calendar-feed") == FEED


def test_the_feed_is_in_the_openapi_schema(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    operation = schema["paths"]["/api/v1/calendar.ics"]["get"]
    assert "text/calendar" in operation["responses"]["200"]["content"]
    assert "404" in operation["responses"]


def test_the_response_is_not_cached_by_shared_caches(client, world):
    user = user_for("viewer", world)
    token = calendar_feed_token_create(user=user, actor=user)

    response = client.get(FEED, {"token": token.key})

    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def add_agreements(count: int, institution):
    for index in range(count):
        memorandum = SignedMemorandumFactory(
            reference=f"ROW-{index}",
            visibility="confidential",
            parties=[institution, InstitutionFactory()],
            expires_on=day(100 + index),
        )
        CommitmentFactory(memorandum=memorandum, due_on=day(5))
        CommitmentFactory(memorandum=memorandum, due_on=day(6))


@pytest.mark.parametrize("rows", [1, 3])
def test_the_feed_runs_a_fixed_number_of_queries(client, django_assert_num_queries, rows):
    nu = InstitutionFactory(short_name="NU")
    add_agreements(rows, nu)
    partner = UserFactory(username="partner")
    PartnerLink.objects.create(user=partner, institution=nu)
    token = CalendarFeedToken.objects.create(user=partner)

    # 1. the token and its user; 2. the user's groups; 3. the user's partner link;
    # 4. the memoranda with their status; 5. their parties and institutions;
    # 6. their commitments (with the responsible institution).
    with django_assert_num_queries(6):
        response = client.get(FEED, {"token": token.key})

    calendar = Calendar.from_ical(response.content)
    assert len(calendar.walk("VEVENT")) == rows * 4  # expiry, notice, two commitments


def test_a_staff_feed_runs_one_query_fewer(client):
    """Someone who reads everything has no partner link to look up."""
    add_agreements(2, InstitutionFactory())
    editor = UserFactory(username="editor", is_staff=True, groups=["registry-editor"])
    token = CalendarFeedToken.objects.create(user=editor)

    with CaptureQueriesContext(connection) as queries:
        client.get(FEED, {"token": token.key})

    assert len(queries) == 5


def test_the_feed_speaks_the_language_it_is_asked_in(client, world):
    token = calendar_feed_token_create(user=UserFactory(is_superuser=True), actor=None)

    russian = Calendar.from_ical(
        client.get(FEED, {"token": token.key, "lang": "ru"}).content.decode()
    )
    client.cookies.clear()  # `?lang=` was remembered; a calendar program keeps no cookie
    chinese = Calendar.from_ical(
        client.get(FEED, {"token": token.key}, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    )

    summaries = {str(event["summary"]) for event in russian.walk("VEVENT")}
    assert "Истекает: PUBLIC PUBLIC agreement" in summaries
    assert "Срок уведомления о продлении: PUBLIC PUBLIC agreement" in summaries
    assert "Срок: PUBLIC workshop (PUBLIC)" in summaries
    assert "到期：PUBLIC PUBLIC agreement" in {str(e["summary"]) for e in chinese.walk("VEVENT")}
