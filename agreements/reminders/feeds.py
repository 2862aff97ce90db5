"""Personal calendar feeds (`calendar.ics`): the expiry dates, renewal-notice
dates and commitment due dates of the agreements a feed token's user may read.

What a feed holds goes through the visibility selectors (`memorandum_visible_to`,
`commitment_visible_to`), like every other read, and for a partner client only the agreements
its institution is a party to (as its statistics). Memoranda that are signed and not
terminated or superseded appear (pending, active and expired: past dates stay in the
calendar); cancelled commitments do not.
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from icalendar import Calendar, Event, vDuration

from agreements.models import CalendarFeedToken, Commitment, Memorandum, Party
from agreements.querysets import Status
from agreements.selectors import (
    commitment_visible_to,
    memorandum_visible_to,
    partner_institution_id,
)
from registry import roles
from registry.characters import without_control_characters

FEED_STATUSES = [Status.PENDING, Status.ACTIVE, Status.EXPIRED]
ONE_DAY = datetime.timedelta(days=1)


def feed_url(token: CalendarFeedToken) -> str:
    """The address a calendar program subscribes to."""
    return f"{settings.SITE_URL.rstrip('/')}{reverse('calendar-feed')}?token={token.key}"


def feed_token_user(key: str | None):
    """The active user whose active token `key` is, or None: one query."""
    if not key:
        return None
    token = (
        CalendarFeedToken.objects.select_related("user")
        .filter(key=key, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    return token.user if token else None


def calendar_memoranda(user, *, today: datetime.date) -> QuerySet:
    """The memoranda of `user`'s feed with their parties and due commitments: three queries
    (the memoranda, their parties, their commitments) once the user's roles are known."""
    memoranda = memorandum_visible_to(user).with_status(today).filter(status__in=FEED_STATUSES)
    institution_id = None if roles.reads_everything(user) else partner_institution_id(user)
    if institution_id is not None:
        memoranda = memoranda.filter(
            Exists(Party.objects.filter(memorandum=OuterRef("pk"), institution_id=institution_id))
        )
    commitments = (
        commitment_visible_to(user)
        .filter(due_on__isnull=False)
        .exclude(status=Commitment.Status.CANCELLED)
        .select_related("responsible_institution")
        .order_by("due_on", "id")
    )
    return memoranda.order_by("expires_on", "id").prefetch_related(
        Prefetch(
            "parties",
            queryset=Party.objects.select_related("institution").order_by("order", "id"),
        ),
        Prefetch("commitments", queryset=commitments, to_attr="feed_commitments"),
    )


def _link(user, memorandum: Memorandum) -> str:
    """Staff open the admin page; partner clients and other API users the API's record."""
    if user.is_staff:
        path = reverse("admin:agreements_memorandum_change", args=[memorandum.pk])
    else:
        path = reverse("memorandum-detail", args=[memorandum.pk])
    return settings.SITE_URL.rstrip("/") + path


def _event(uid: str, day: datetime.date, summary: str, description: str, url: str, stamp):
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)  # a date, so an all-day event
    event.add("dtend", day + ONE_DAY)
    # RFC 5545 text holds no control characters: those stored before they were refused go.
    event.add("summary", without_control_characters(summary))
    event.add("description", without_control_characters(description))
    event.add("url", url)
    event.add("transp", "TRANSPARENT")  # a reminder, not busy time
    return event


def calendar_feed(user, *, today: datetime.date | None = None) -> Calendar:
    """`user`'s feed as an iCalendar: all-day events for each expiry date, renewal-notice
    date and commitment due date."""
    today = today or timezone.localdate()
    stamp = timezone.now()
    host = urlsplit(settings.SITE_URL).hostname or "mou-registry"
    calendar = Calendar()
    calendar.add("prodid", "-//MoU Registry//Calendar feed//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", gettext("MoU Registry (%(user)s)") % {"user": user.get_username()})
    calendar.add("x-published-ttl", "PT12H")
    calendar.add(  # RFC 7986: how often a subscriber should fetch the feed again
        "refresh-interval",
        vDuration(datetime.timedelta(hours=12)),
        parameters={"VALUE": "DURATION"},
    )
    for memorandum in calendar_memoranda(user, today=today):
        name = f"{memorandum.reference} {memorandum.title}"
        url = _link(user, memorandum)
        parties = "; ".join(party.institution.label for party in memorandum.parties.all())
        about = gettext("%(name)s\nParties: %(parties)s\nStatus: %(status)s\n%(url)s") % {
            "name": name,
            "parties": parties,
            "status": memorandum.get_status_display(),
            "url": url,
        }
        if memorandum.expires_on:
            summary = (
                gettext("Renews automatically: %(memorandum)s")
                if memorandum.auto_renew
                else gettext("Expires: %(memorandum)s")
            ) % {"memorandum": name}
            calendar.add_component(
                _event(
                    f"memorandum-{memorandum.pk}-expiry@{host}",
                    memorandum.expires_on,
                    summary,
                    about,
                    url,
                    stamp,
                )
            )
            if memorandum.renewal_notice_days:
                notice_on = memorandum.expires_on - datetime.timedelta(
                    days=memorandum.renewal_notice_days
                )
                calendar.add_component(
                    _event(
                        f"memorandum-{memorandum.pk}-renewal-notice@{host}",
                        notice_on,
                        gettext("Renewal notice due: %(memorandum)s") % {"memorandum": name},
                        ngettext(
                            "%(days)d day before it expires on %(date)s.\n%(about)s",
                            "%(days)d days before it expires on %(date)s.\n%(about)s",
                            memorandum.renewal_notice_days,
                        )
                        % {
                            "days": memorandum.renewal_notice_days,
                            "date": memorandum.expires_on.isoformat(),
                            "about": about,
                        },
                        url,
                        stamp,
                    )
                )
        for commitment in memorandum.feed_commitments:
            responsible = commitment.responsible_institution
            calendar.add_component(
                _event(
                    f"commitment-{commitment.pk}@{host}",
                    commitment.due_on,
                    (
                        gettext("Done: %(commitment)s (%(reference)s)")
                        if commitment.status == Commitment.Status.DONE
                        else gettext("Due: %(commitment)s (%(reference)s)")
                    )
                    % {"commitment": commitment.title, "reference": memorandum.reference},
                    f"{commitment.title} ({str(commitment.get_status_display()).lower()})"
                    + (
                        "\n"
                        + gettext("Responsible: %(institution)s")
                        % {"institution": responsible.label}
                        if responsible
                        else ""
                    )
                    + "\n"
                    + gettext("Under %(about)s") % {"about": about},
                    url,
                    stamp,
                )
            )
    return calendar
