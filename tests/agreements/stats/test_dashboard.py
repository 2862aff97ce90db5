"""`/`: the dashboard for signed-in users."""

import re

import pytest
from django.urls import reverse

from partners.models import PartnerLink
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def figure(html: str, name: str) -> int:
    match = re.search(rf'data-figure="{name}"><dt>[^<]*</dt><dd>(\d+)</dd>', html)
    assert match, f"no figure {name}"
    return int(match.group(1))


def chart_rows(html: str, chart: str) -> dict[str, int]:
    block = re.search(rf'data-chart="{chart}".*?</figure>', html, re.S)
    assert block, f"no chart {chart}"
    return {
        key: int(value)
        for key, value in re.findall(r'data-key="([^"]+)" data-value="(\d+)"', block.group(0))
    }


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/"


def test_the_dashboard_shows_an_editors_figures_and_charts(client, editor, register):
    client.force_login(editor)

    response = client.get("/")
    html = response.content.decode()

    assert response.status_code == 200
    assert figure(html, "total") == 5
    assert figure(html, "active") == 3
    assert figure(html, "expiring-90") == 1
    assert figure(html, "expiring-180") == 2
    assert chart_rows(html, "country") == {"CN": 3, "KZ": 3, "DE": 1, "FR": 1}
    assert chart_rows(html, "area") == {"research": 2, "teaching": 2, "joint-bidding": 1}
    assert chart_rows(html, "year") == {"2019": 1, "2020": 0, "2021": 0, "2022": 1, "2023": 2}
    assert chart_rows(html, "status")["active"] == 3
    assert html.count("<svg") == 4


def test_the_expiring_table_links_to_the_admin(client, editor, register):
    client.force_login(editor)

    response = client.get("/")
    table = re.search(r'id="expiring-table".*?</table>', response.content.decode(), re.S)[0]

    for memorandum in (register.public_active, register.internal):
        change = reverse("admin:agreements_memorandum_change", args=[memorandum.pk])
        assert f'href="{change}"' in table
    assert register.public_expired.title not in table
    assert register.confidential.title not in table  # open-ended
    assert table.index(register.public_active.title) < table.index(register.internal.title)


def test_recently_updated_lists_the_latest_change_first(client, editor, register):
    register.public_expired.title = "Student exchange with Munich, renewed"
    register.public_expired.save()
    client.force_login(editor)

    response = client.get("/")
    recent = re.search(r'id="recent-list".*?</ul>', response.content.decode(), re.S)[0]

    assert recent.index("renewed") < recent.index(register.draft.title)


@pytest.mark.parametrize(
    ("query", "total", "countries"),
    [
        ("country=FR", 1, {"CN": 1, "FR": 1}),
        ("area=research", 2, {"KZ": 2, "CN": 2}),
        ("status=expired", 1, {"KZ": 1, "DE": 1}),
        ("country=CN&status=active&area=teaching", 1, {"KZ": 1, "CN": 1}),
    ],
)
def test_the_filters_redraw_the_dashboard(client, editor, register, query, total, countries):
    client.force_login(editor)

    html = client.get(f"/?{query}").content.decode()

    assert figure(html, "total") == total
    assert chart_rows(html, "country") == countries
    assert "Clear" in html


def test_the_filter_form_offers_the_countries_areas_and_statuses(client, editor, register):
    client.force_login(editor)

    html = client.get("/?country=FR").content.decode()

    assert '<label for="id_country">Partner country</label>' in html
    assert '<option value="FR" selected>France</option>' in html
    assert '<option value="research">Research</option>' in html
    assert '<option value="expired">Expired</option>' in html


def test_an_unknown_filter_value_is_reported_on_its_field(client, editor, register):
    client.force_login(editor)

    html = client.get("/?status=sleeping").content.decode()

    assert 'class="field__error"' in html


def test_a_viewer_sees_no_confidential_agreement(client, register):
    viewer = UserFactory(username="staff-viewer", is_staff=True, groups=["registry-viewer"])
    client.force_login(viewer)

    html = client.get("/").content.decode()

    assert figure(html, "total") == 4
    assert register.confidential.title not in html
    assert '<option value="FR"' not in html  # France is a party only to the confidential one


def test_a_partner_client_sees_only_its_own_agreements(client, register):
    partner = UserFactory(username="partner")
    PartnerLink.objects.create(user=partner, institution=register.sorbonne)
    client.force_login(partner)

    html = client.get("/").content.decode()

    assert figure(html, "total") == 1
    assert register.confidential.title in html
    assert register.public_active.title not in html
    assert "/admin/agreements/memorandum/" not in html  # not staff: no admin links


@pytest.mark.parametrize(("partner", "shown"), [(False, True), (True, False)])
def test_who_changed_an_agreement_last_is_shown_to_staff_only(client, register, partner, shown):
    clerk = UserFactory(username="office-clerk", is_staff=True, groups=["registry-editor"])
    register.confidential.updated_by = clerk
    register.confidential.save()
    reader = UserFactory(username="reader", groups=[] if partner else ["registry-auditor"])
    if partner:
        PartnerLink.objects.create(user=reader, institution=register.sorbonne)
    client.force_login(reader)

    html = client.get("/").content.decode()
    recent = re.search(r'id="recent-list".*?</ul>', html, re.S)[0]

    assert register.confidential.title in recent
    assert ("by office-clerk" in recent) is shown


def test_an_empty_dashboard_says_so(client, editor):
    client.force_login(editor)

    html = client.get("/").content.decode()

    assert figure(html, "total") == 0
    assert "No agreement expires within 180 days." in html
    assert html.count("No agreements to count.") == 3  # country, area and year
