"""Creating and revoking one's calendar feed in the admin ("Calendar feeds")."""

import pytest
from django.urls import reverse

from agreements.models import CalendarFeedToken
from agreements.services import calendar_feed_token_create
from partners.models import PartnerLink
from tests.factories import InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:agreements_calendarfeedtoken_changelist")
ADD = reverse("admin:agreements_calendarfeedtoken_add")
FEED = "/api/v1/calendar.ics"


@pytest.fixture
def viewer():
    return UserFactory(username="viewer", is_staff=True, groups=["registry-viewer"])


def test_a_staff_user_creates_a_feed_and_sees_its_subscribe_url(client, viewer, settings):
    settings.SITE_URL = "https://registry.nu.edu.kz"
    client.force_login(viewer)
    assert ADD in client.get(CHANGELIST).content.decode()

    response = client.post(ADD, {}, follow=True)

    token = CalendarFeedToken.objects.get()
    assert token.user == viewer
    assert response.status_code == 200
    assert f"https://registry.nu.edu.kz/api/v1/calendar.ics?token={token.key}" in (
        client.get(CHANGELIST).content.decode()
    )
    assert client.get(FEED, {"token": token.key}).status_code == 200


def test_adding_again_gives_a_new_address_and_revokes_the_old_one(client, viewer):
    client.force_login(viewer)
    client.post(ADD, {})
    old = CalendarFeedToken.objects.get()

    assert "is revoked" in client.get(ADD).content.decode()
    client.post(ADD, {})

    new = CalendarFeedToken.objects.get(revoked_at__isnull=True)
    assert new != old
    assert client.get(FEED, {"token": old.key}).status_code == 404
    assert client.get(FEED, {"token": new.key}).status_code == 200


def test_a_staff_user_revokes_their_feed(client, viewer):
    token = calendar_feed_token_create(user=viewer, actor=viewer)
    client.force_login(viewer)

    client.post(CHANGELIST, {"action": "revoke_selected", "_selected_action": [token.pk]})

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get(FEED, {"token": token.key}).status_code == 404


def test_users_see_and_revoke_only_their_own_feeds(client, viewer, editor):
    theirs = calendar_feed_token_create(user=editor, actor=editor)
    client.force_login(viewer)

    page = client.get(CHANGELIST).content.decode()
    change = reverse("admin:agreements_calendarfeedtoken_change", args=[theirs.pk])

    assert theirs.key not in page
    assert client.get(change).status_code == 302  # "does not exist", back to the index
    client.post(CHANGELIST, {"action": "revoke_selected", "_selected_action": [theirs.pk]})
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_a_staff_user_cannot_make_a_feed_for_someone_else(client, viewer, editor):
    client.force_login(viewer)

    client.post(ADD, {"for_user": editor.pk})

    assert list(CalendarFeedToken.objects.values_list("user", flat=True)) == [viewer.pk]


def test_a_superuser_makes_a_feed_for_a_partner_client(client, superuser):
    partner = UserFactory(username="nu-dashboard")
    PartnerLink.objects.create(user=partner, institution=InstitutionFactory(short_name="NU"))
    own = calendar_feed_token_create(user=superuser, actor=superuser)
    client.force_login(superuser)

    client.post(ADD, {"for_user": partner.pk})

    token = CalendarFeedToken.objects.get(user=partner)
    page = client.get(CHANGELIST).content.decode()
    assert token.key in page and own.key in page
    assert client.get(FEED, {"token": token.key}).status_code == 200


def test_feeds_are_revoked_not_deleted(client, viewer):
    token = calendar_feed_token_create(user=viewer, actor=viewer)
    client.force_login(viewer)

    delete = reverse("admin:agreements_calendarfeedtoken_delete", args=[token.pk])

    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert CalendarFeedToken.objects.filter(pk=token.pk).exists()


def test_a_non_staff_user_cannot_open_the_page(client):
    client.force_login(UserFactory(username="api-only"))

    assert client.get(CHANGELIST).status_code == 302  # to the admin's sign-in
