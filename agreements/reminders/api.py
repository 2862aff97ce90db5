"""`GET /api/v1/calendar.ics?token=...`: a user's personal calendar feed (`feeds.calendar_feed`)."""

from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from agreements.reminders.feeds import calendar_feed, feed_token_user
from registry.api.negotiation import DownloadNegotiation
from registry.api.schema import DETAIL


class CalendarFeedView(APIView):
    """Your agreements' expiry dates, renewal-notice dates and commitment due dates as an
    iCalendar, for Outlook, Google Calendar and the like to subscribe to. The token (created
    and revoked in the admin under "Calendar feeds") stands for its user: the feed holds what
    that user may read. A wrong or revoked token is a 404."""

    # A calendar program cannot sign in or send headers: the token in the URL is the only
    # credential, and a session or an Authorization header is ignored.
    authentication_classes = []
    permission_classes = [AllowAny]
    # Keys are 256 random bits, so guessing is hopeless; and calendar services poll many
    # feeds from a few addresses, which a per-address rate would cut off.
    throttle_classes = []
    content_negotiation_class = DownloadNegotiation

    @extend_schema(
        operation_id="calendar_feed",
        parameters=[
            OpenApiParameter(
                "token", OpenApiTypes.STR, required=True, description="Your calendar feed key."
            )
        ],
        responses={
            (200, "text/calendar"): OpenApiResponse(
                OpenApiTypes.BINARY, description="An iCalendar (RFC 5545) of all-day events."
            ),
            404: OpenApiResponse(DETAIL, description="No such token, or it was revoked."),
        },
        auth=[],
    )
    def get(self, request, *args, **kwargs):
        user = feed_token_user(request.query_params.get("token"))
        if user is None:
            raise Http404
        response = HttpResponse(
            calendar_feed(user).to_ical(), content_type="text/calendar; charset=utf-8"
        )
        response["Content-Disposition"] = 'inline; filename="mou-registry.ics"'
        # The URL is a credential and the content private: no shared caches.
        patch_cache_control(response, private=True, no_store=True)
        return response
