"""API tokens and clients: made, rotated and revoked through `partners.services`, from the admin
as from the commands."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from partners.models import PartnerLink
from partners.services import api_token_rotate, partner_link_create
from tests.factories import InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:authtoken_tokenproxy_add")
CHANGELIST = reverse("admin:authtoken_tokenproxy_changelist")


def api_status(key) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/memoranda/").status_code


@pytest.fixture
def dashboard():
    return UserFactory(username="dashboard", groups=["registry-viewer"])


@pytest.fixture
def registrar(client):
    user = UserFactory(username="registrar", is_staff=True, groups=["registry-admin"])
    client.force_login(user)
    return user


def test_adding_a_token_in_the_admin_rotates_the_clients_key(client, registrar, dashboard):
    old = api_token_rotate(user=dashboard, actor=None).key

    response = client.post(ADD, {"for_user": dashboard.pk})

    assert response.status_code == 302
    new = Token.objects.get(user=dashboard).key
    assert new != old
    assert api_status(old) == 401
    assert api_status(new) == 200
    assert new in client.get(CHANGELIST).content.decode()


def test_deleting_a_token_in_the_admin_revokes_it(client, registrar, dashboard):
    key = api_token_rotate(user=dashboard, actor=None).key

    url = reverse("admin:authtoken_tokenproxy_delete", args=[dashboard.pk])
    response = client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not Token.objects.filter(user=dashboard).exists()
    assert api_status(key) == 401


def test_a_token_is_never_changed_in_the_admin(client, registrar, dashboard):
    token = api_token_rotate(user=dashboard, actor=None)
    other = UserFactory(username="other")

    url = reverse("admin:authtoken_tokenproxy_change", args=[dashboard.pk])
    client.post(url, {"user": other.pk, "for_user": other.pk})

    token.refresh_from_db()
    assert token.user == dashboard
    assert client.get(url).status_code == 200


def test_relinking_an_api_client_to_another_institution_is_in_the_history(capsys):
    nu, sustech = InstitutionFactory(short_name="NU"), InstitutionFactory(short_name="SUSTech")

    call_command("create_api_client", "nu-client", "--institution", "NU")
    first = capsys.readouterr().out.strip()
    call_command("create_api_client", "nu-client", "--institution", "SUSTech")
    second = capsys.readouterr().out.strip()

    assert first == second
    link = PartnerLink.objects.get(user__username="nu-client")
    assert link.institution == sustech
    assert [(h.history_type, h.institution_id) for h in link.history.order_by("history_id")] == [
        ("+", nu.pk),
        ("~", sustech.pk),
    ]


def test_the_audit_export_lists_partner_links(superuser):
    partner = UserFactory(username="nu-client")
    partner_link_create(user=partner, institution=InstitutionFactory(), actor=superuser)
    auditor = APIClient()
    auditor.force_authenticate(UserFactory(groups=["registry-auditor"]))

    response = auditor.get("/api/v1/audit/export/", {"format": "json"})

    entries = json.loads(b"".join(response.streaming_content))
    [entry] = [e for e in entries if e["model"] == "partnerlink"]
    assert (entry["action"], entry["user"]) == ("created", "root")
    assert entry["changes"]["user"] == [None, partner.pk]
