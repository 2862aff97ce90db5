import datetime
import io
import re

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.utils import timezone

from agreements.demo import REFERENCE_CASE, load_demo
from agreements.models import Memorandum, ReferenceCounter
from agreements.services import memorandum_create, memorandum_update
from partners.models import Institution
from partners.validators import validate_ror_id
from tests.factories import SignedMemorandumFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return load_demo()


def snapshot():
    """Every row of every model (m2m tables included), in primary key order."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)
    }


def test_reference_case_is_recorded_in_full(demo):
    memorandum = Memorandum.objects.with_status().get(reference=REFERENCE_CASE)

    assert memorandum.kind == Memorandum.Kind.MOU
    assert memorandum.stage == Memorandum.Stage.SIGNED
    assert memorandum.signed_on == datetime.date(2023, 5, 29)
    assert memorandum.effective_from == datetime.date(2023, 5, 29)
    assert memorandum.signed_at == "Astana, Kazakhstan"
    assert memorandum.expires_on is None
    assert memorandum.visibility == Memorandum.Visibility.PUBLIC
    assert memorandum.status == Memorandum.Status.ACTIVE

    parties = [
        (party.institution.short_name, party.institution.country.code, party.institution.city)
        for party in memorandum.parties.select_related("institution")
    ]
    assert parties == [
        ("NU", "KZ", "Astana"),
        ("UNESCO-ICHEI", "CN", "Shenzhen"),
        ("SUSTech", "CN", "Shenzhen"),
    ]

    nu = Institution.objects.get(short_name="NU")
    assert nu.name == "Nazarbayev University"
    assert nu.ror_id == "052bx8q98"
    assert nu.established_on.year == 2010
    assert "Назарбаев Университет" in nu.aliases.values_list("name", flat=True)
    sustech = Institution.objects.get(short_name="SUSTech")
    assert sustech.ror_id == "049tv2d57"
    assert sustech.established_on.year == 2010
    assert "南方科技大学" in sustech.aliases.values_list("name", flat=True)
    ichei = Institution.objects.get(short_name="UNESCO-ICHEI")
    assert ichei.name == (
        "International Centre for Higher Education Innovation under the auspices of UNESCO"
    )
    assert ichei.established_on == datetime.date(2016, 6, 8)
    assert "category II" in ichei.description
    assert ichei.parent.short_name == "UNESCO"
    assert ichei.parent.kind == Institution.Kind.UN_BODY
    assert ichei.parent.country.code == "FR"

    signatories = [
        (s.person.full_name, s.institution.short_name, s.position_at_signing, s.mode)
        for s in memorandum.signatories.select_related("person", "institution")
    ]
    assert signatories == [
        ("Shigeo Katsu", "NU", "President", "in_person"),
        ("Han Wei", "UNESCO-ICHEI", "Executive Deputy Director", "in_person"),
        ("Lu Chun", "SUSTech", "Vice President and Chief Operating Officer", "remote"),
    ]

    assert set(memorandum.cooperation_areas.values_list("code", flat=True)) == {
        "capacity-building",
        "teaching",
        "research",
        "knowledge-dissemination",
        "online-education",
        "joint-bidding",
    }
    assert list(memorandum.sdgs.values_list("number", flat=True)) == [4]
    assert set(memorandum.tags.names()) == {"trilateral", "iioe"}

    commitments = list(memorandum.commitments.select_related("area", "responsible_institution"))
    assert [(c.area.code, c.responsible_institution.short_name, c.status) for c in commitments] == [
        ("professional-development", "UNESCO-ICHEI", "done"),
        ("online-education", "UNESCO-ICHEI", "done"),
    ]
    assert "micro-certification" in commitments[0].title
    assert (commitments[0].due_on.year, commitments[0].due_on.month) == (2023, 7)
    assert (commitments[0].completed_on.year, commitments[0].completed_on.month) == (2023, 7)
    assert "IIOE Global Partners Summit" in commitments[1].title
    assert (commitments[1].due_on.year, commitments[1].due_on.month) == (2023, 12)
    assert (commitments[1].completed_on.year, commitments[1].completed_on.month) == (2023, 12)


def test_demo_is_large_and_varied(demo):
    assert Memorandum.objects.count() >= 41
    assert Institution.objects.count() >= 34
    countries = set(Institution.objects.values_list("country", flat=True))
    assert len(countries) >= 15

    memoranda = list(Memorandum.objects.with_status())
    for status in Memorandum.Status.values:
        # The status filter finds the rows the status annotation gives.
        in_status = set(Memorandum.objects.in_status([status]).values_list("pk", flat=True))
        assert in_status == {m.pk for m in memoranda if m.status == status}, status
    assert {m.status for m in memoranda} == set(Memorandum.Status.values)
    assert {m.visibility for m in memoranda} == set(Memorandum.Visibility.values)
    assert {m.kind for m in memoranda} == set(Memorandum.Kind.values)
    visibilities = [m.visibility for m in memoranda]
    assert visibilities.count("confidential") >= 3
    assert visibilities.count("internal") >= 3

    today = timezone.localdate()
    active = [m for m in memoranda if m.status == Memorandum.Status.ACTIVE and m.expires_on]
    assert any(m.expires_on <= today + datetime.timedelta(days=90) for m in active)
    assert any(
        today + datetime.timedelta(days=90) < m.expires_on <= today + datetime.timedelta(days=180)
        for m in active
    )


def test_demo_data_is_valid(demo):
    for institution in Institution.objects.exclude(ror_id=None):
        validate_ror_id(institution.ror_id)
    for memorandum in Memorandum.objects.prefetch_related("parties", "signatories"):
        memorandum.full_clean()
        party_ids = {party.institution_id for party in memorandum.parties.all()}
        if memorandum.stage == Memorandum.Stage.SIGNED:
            assert len(party_ids) >= 2, memorandum.reference
        for signatory in memorandum.signatories.all():
            assert signatory.institution_id in party_ids, memorandum.reference
            assert signatory.person.institution_id == signatory.institution_id
        for commitment in memorandum.commitments.all():
            assert commitment.responsible_institution_id in party_ids, memorandum.reference
        assert memorandum.reference.startswith("MOU-")
        if memorandum.signed_on:
            assert memorandum.reference.startswith(f"MOU-{memorandum.signed_on.year}-")


def test_reference_counters_are_past_the_fixed_references(demo):
    for memorandum in Memorandum.objects.all():
        _, year, sequence = memorandum.reference.split("-")
        assert ReferenceCounter.objects.get(year=int(year)).last >= int(sequence)

    # A memorandum left without a reference gets a fresh one.
    new = memorandum_create(actor=None, title="New", signed_on=datetime.date(2023, 1, 1))
    assert new.reference.startswith("MOU-2023-")
    assert Memorandum.objects.filter(reference=new.reference).count() == 1


def test_loading_twice_leaves_the_same_data_as_once(demo):
    assert demo["memoranda"] >= 41
    assert demo["skipped"] == demo["renumbered"] == 0
    before = snapshot()

    again = load_demo()

    assert again["institutions"] == again["aliases"] == again["people"] == 0
    assert again["memoranda"] == again["updated"] == 0
    assert again["skipped"] == demo["memoranda"]
    after = snapshot()
    assert {label: len(rows) for label, rows in after.items()} == {
        label: len(rows) for label, rows in before.items()
    }
    assert after == before


def test_loading_keeps_what_users_changed_and_restores_missing_rows(demo):
    memorandum = Memorandum.objects.get(reference=REFERENCE_CASE)
    memorandum_update(memorandum=memorandum, actor=None)
    Institution.objects.filter(short_name="NU").update(city="Nur-Sultan")
    Memorandum.objects.filter(reference="MOU-2026-0101").delete()

    counts = load_demo()

    assert counts["memoranda"] == 1
    assert counts["updated"] == 1
    assert Institution.objects.get(short_name="NU").city == "Astana"
    assert Memorandum.objects.get(reference=REFERENCE_CASE).version == 2
    assert Memorandum.objects.filter(reference="MOU-2026-0101").exists()


REFERENCE_CASE_TITLE = (
    "Trilateral Memorandum of Understanding between Nazarbayev University, UNESCO-ICHEI and SUSTech"
)


def test_the_reference_case_is_loaded_when_another_memorandum_has_its_reference():
    theirs = SignedMemorandumFactory(reference=REFERENCE_CASE, title="Our first agreement of 2023")

    counts = load_demo()

    reference_case = Memorandum.objects.get(title=REFERENCE_CASE_TITLE)
    assert reference_case.reference.startswith("MOU-2023-")
    assert reference_case.reference != REFERENCE_CASE
    assert [party.institution.short_name for party in reference_case.parties.all()] == [
        "NU",
        "UNESCO-ICHEI",
        "SUSTech",
    ]
    assert reference_case.signatories.count() == 3
    theirs.refresh_from_db()
    assert (theirs.reference, theirs.title) == (REFERENCE_CASE, "Our first agreement of 2023")
    assert (counts["memoranda"], counts["renumbered"], counts["skipped"]) == (48, 1, 0)

    again = load_demo()

    assert (again["memoranda"], again["renumbered"], again["skipped"]) == (0, 0, 48)
    assert Memorandum.objects.filter(title=REFERENCE_CASE_TITLE).count() == 1


def test_a_renewal_supersedes_the_renumbered_memorandum_it_renews():
    # MOU-2022-0006 renews MOU-2017-0004 in the data.
    SignedMemorandumFactory(reference="MOU-2017-0004")

    load_demo()

    renewal = Memorandum.objects.get(reference="MOU-2022-0006")
    assert renewal.supersedes.reference.startswith("MOU-2017-")
    assert renewal.supersedes.reference != "MOU-2017-0004"
    assert renewal.supersedes.parties.count() == renewal.parties.count()


def test_a_demo_memorandum_retitled_by_hand_is_still_recognised(demo):
    memorandum = Memorandum.objects.get(reference=REFERENCE_CASE)
    memorandum_update(memorandum=memorandum, actor=None, title="NU–UNESCO-ICHEI–SUSTech MoU")

    counts = load_demo()

    assert counts["memoranda"] == 0
    assert not Memorandum.objects.filter(title=REFERENCE_CASE_TITLE).exists()


def test_load_demo_command_prints_a_summary():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "Demo data loaded" in out.getvalue()
    assert len(out.getvalue().strip().splitlines()) == 1
    assert Memorandum.objects.filter(reference=REFERENCE_CASE).exists()


def _demo_admin_sign_in():
    out = io.StringIO()
    call_command("create_demo_admin", stdout=out)
    match = re.search(
        r"Sign in at (\S+) as demo-admin with password (\S+)$", out.getvalue().strip()
    )
    assert match, out.getvalue()
    return match[1], match[2]


def test_create_demo_admin_makes_a_new_password_each_time():
    _, first = _demo_admin_sign_in()
    _, second = _demo_admin_sign_in()

    assert first != second
    user = authenticate(username="demo-admin", password=second)
    assert user is not None
    assert user.is_superuser and user.is_staff and user.is_active
    assert authenticate(username="demo-admin", password=first) is None
    assert apps.get_model("auth", "User").objects.filter(username="demo-admin").count() == 1


def test_create_demo_admin_prints_the_sign_in_at_the_sites_address(settings, monkeypatch):
    """`PORT=8080 make run` serves on 8080 and sets SITE_URL to match."""
    monkeypatch.delenv("PORT", raising=False)
    settings.SITE_URL = "http://127.0.0.1:8080/"

    url, _ = _demo_admin_sign_in()

    assert url == "http://127.0.0.1:8080/admin/"
