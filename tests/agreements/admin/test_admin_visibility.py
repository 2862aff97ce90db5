"""What the admin shows each group of what it may not read: related objects it may not read are
"hidden", history is for editors, auditors and administrators.

The world: an internal memorandum that supersedes a confidential one. A viewer reads the
internal one and not the confidential one (nor its commitment, document or reminder).
"""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from rest_framework.authtoken.models import Token

from agreements.models import CalendarFeedToken, Memorandum, Reminder
from agreements.services import institution_merge, memorandum_update
from partners.models import PartnerLink, Person
from partners.services import person_delete
from tests.factories import (
    CommitmentFactory,
    DocumentFactory,
    InstitutionFactory,
    PersonFactory,
    SignatoryFactory,
    SignedMemorandumFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

GROUPS = [
    "registry-viewer",
    "registry-unit-editor",
    "registry-editor",
    "registry-auditor",
    "registry-admin",
]
# A unit editor reads what a viewer reads.
READS_AS_VIEWER = {"registry-viewer", "registry-unit-editor"}
HISTORY_READERS = {"registry-editor", "registry-auditor", "registry-admin"}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(editor):
    unesco = InstitutionFactory(
        name="United Nations Educational, Scientific and Cultural Organization",
        short_name="UNESCO",
        country="FR",
    )
    ichei = InstitutionFactory(name="UNESCO-ICHEI", short_name="ICHEI", country="CN", parent=unesco)
    nu = InstitutionFactory(name="Nazarbayev University", short_name="NU", country="KZ")
    sustech = InstitutionFactory(name="SUSTech", short_name="SUSTech", country="CN")
    sorbonne = InstitutionFactory(name="Sorbonne Université", short_name="SU", country="FR")
    confidential = SignedMemorandumFactory(
        reference="SECRET-0001",
        title="Joint bid for the Paris consultancy",
        visibility=Memorandum.Visibility.CONFIDENTIAL,
        parties=[sustech, sorbonne],
        expires_on=datetime.date(2030, 1, 1),
    )
    commitment = CommitmentFactory(
        memorandum=confidential, title="Obsidian tender dossier", responsible_institution=sustech
    )
    DocumentFactory(memorandum=confidential, title="Obsidian bid annex")
    Reminder.objects.create(
        kind=Reminder.Kind.COMMITMENT_DUE_14,
        memorandum=confidential,
        commitment=commitment,
        due_on=datetime.date(2024, 7, 1),
        recipient="owner@registry.example.org",
    )
    internal = SignedMemorandumFactory(
        reference="INT-0001",
        title="Research centre framework",
        visibility=Memorandum.Visibility.INTERNAL,
        parties=[nu, ichei],
    )
    internal = memorandum_update(memorandum=internal, actor=editor, supersedes=confidential)
    SignatoryFactory(party=internal.parties.get(institution=nu), person__full_name="Shigeo Katsu")
    CommitmentFactory(memorandum=internal, title="Joint workshop", responsible_institution=nu)
    DocumentFactory(memorandum=internal, title="Signed copy")
    departed = PersonFactory(
        full_name="Dana Departed", institution=nu, email="dana@example.org", phone="+7 700 1"
    )
    person_delete(person=departed, actor=editor)
    duplicate = InstitutionFactory(name="Nazarbayev Univ.", short_name="", country="KZ")
    institution_merge(keep=nu, duplicates=[nu, duplicate], actor=editor)
    partner = UserFactory(username="partner-client")
    PartnerLink.objects.create(user=partner, institution=sustech)
    Token.objects.create(user=partner)
    CalendarFeedToken.objects.create(user=editor)
    return SimpleNamespace(
        confidential=confidential,
        internal=internal,
        commitment=commitment,
        nu=nu,
        ichei=ichei,
        unesco=unesco,
    )


def signed_in(client, group):
    client.force_login(UserFactory(username=f"{group}-staff", is_staff=True, groups=[group]))
    return client


def hidden_from(group, world) -> list[str]:
    """What the group may not read, as it could appear on a page."""
    if group not in READS_AS_VIEWER:
        return []
    secret = world.confidential
    return [
        secret.reference,
        secret.title,
        "Obsidian",  # the titles of its commitment and document
        reverse("admin:agreements_memorandum_change", args=[secret.pk]),
    ]


def admin_pages():
    """(name, URL) of every registered model's changelist, and of each object's change page
    and history pages (simple-history's page of each recorded version too)."""
    for model in admin.site._registry:
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        yield f"{opts.label} changelist", reverse(f"{prefix}_changelist"), "changelist"
        for obj in model._default_manager.all()[:20]:
            yield (
                f"{opts.label} {obj.pk} change",
                reverse(f"{prefix}_change", args=[obj.pk]),
                "change",
            )
            yield (
                f"{opts.label} {obj.pk} history",
                reverse(f"{prefix}_history", args=[obj.pk]),
                "history",
            )
            history = getattr(model, "history", None)
            if history is None:
                continue
            for record in history.filter(**{opts.pk.attname: obj.pk})[:3]:
                try:
                    url = reverse(f"{prefix}_simple_history", args=[obj.pk, record.history_id])
                except NoReverseMatch:
                    break
                yield f"{opts.label} {obj.pk} version", url, "history"


@pytest.mark.parametrize("group", GROUPS)
def test_no_admin_page_shows_a_group_what_it_may_not_read(client, group, world):
    signed_in(client, group)
    shown = {}

    for name, url, kind in admin_pages():
        response = client.get(url)
        assert response.status_code in (200, 302, 403), (name, response.status_code)
        body = response.content.decode()
        leaked = [secret for secret in hidden_from(group, world) if secret in body]
        assert not leaked, (name, leaked)
        shown[name] = (kind, response.status_code)

    history = {name: status for name, (kind, status) in shown.items() if kind == "history"}
    if group in HISTORY_READERS:
        memorandum_history = reverse(
            "admin:agreements_memorandum_history", args=[world.internal.pk]
        )
        assert client.get(memorandum_history).status_code == 200
        assert 200 in history.values()
    else:
        assert set(history.values()) == {403}, history


def test_a_viewer_sees_the_confidential_memorandum_an_internal_one_supersedes_as_hidden(
    client, world
):
    signed_in(client, "registry-viewer")

    response = client.get(reverse("admin:agreements_memorandum_change", args=[world.internal.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    field = body[body.index("field-supersedes") :]
    field = field[: field.index("</div>", field.index('class="readonly"'))]
    assert "hidden" in field
    assert "<a " not in field
    assert str(world.confidential.pk) not in field.split('class="readonly"')[1]
    assert world.confidential.reference not in body


def test_an_editor_sees_the_memorandum_it_supersedes_by_its_name(client, world):
    signed_in(client, "registry-editor")

    response = client.get(reverse("admin:agreements_memorandum_change", args=[world.internal.pk]))

    assert world.confidential.reference in response.content.decode()


@pytest.mark.parametrize(
    "page",
    [
        lambda w: reverse("admin:partners_person_history", args=[w.nu.people.first().pk]),
        lambda w: reverse("admin:partners_institution_history", args=[w.nu.pk]),
        lambda w: reverse("admin:agreements_cooperationarea_history", args=[1]),
        lambda w: reverse("admin:agreements_memorandum_history", args=[w.internal.pk]),
        lambda w: reverse(
            "admin:partners_institution_simple_history",
            args=[w.nu.pk, w.nu.history.first().history_id],
        ),
    ],
    ids=["person", "institution", "cooperation area", "memorandum", "institution version"],
)
def test_history_pages_are_refused_to_viewers(client, world, page):
    signed_in(client, "registry-viewer")

    assert client.get(page(world)).status_code == 403


def test_deleted_peoples_contact_details_stay_out_of_a_viewers_reach(client, world):
    signed_in(client, "registry-viewer")
    record = Person.history.get(full_name="Dana Departed", history_type="-")

    response = client.get(
        reverse("admin:partners_person_simple_history", args=[record.id, record.history_id])
    )

    assert response.status_code == 403
    assert b"dana@example.org" not in response.content


def test_the_admins_autocomplete_offers_a_viewer_no_confidential_memorandum(client, world):
    signed_in(client, "registry-viewer")

    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "agreements",
            "model_name": "memorandum",
            "field_name": "supersedes",
            "term": "Paris",
        },
    )

    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.fixture
def partner_staff(client, world):
    """A partner's account that is also a staff viewer: reading for SUSTech, it sees the
    institutions of the agreements it may read (ICHEI, through the internal one), not UNESCO,
    ICHEI's parent, which is party to none."""
    user = UserFactory(username="sustech-viewer", is_staff=True, groups=["registry-viewer"])
    sustech = world.confidential.parties.get(order=0).institution
    PartnerLink.objects.create(user=user, institution=sustech)
    client.force_login(user)
    return client


def test_the_admins_institution_autocomplete_offers_a_partners_account_only_what_it_may_see(
    partner_staff, world
):
    response = partner_staff.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "agreements",
            "model_name": "party",
            "field_name": "institution",
            "term": "United Nations",
        },
    )

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_a_partners_account_sees_a_parent_it_may_not_see_as_hidden(partner_staff, world):
    unesco_page = reverse("admin:partners_institution_change", args=[world.unesco.pk])

    ichei = partner_staff.get(reverse("admin:partners_institution_change", args=[world.ichei.pk]))
    changelist = partner_staff.get(reverse("admin:partners_institution_changelist"))

    assert ichei.status_code == 200
    body = ichei.content.decode()
    field = body[body.index("field-parent") :]
    assert field[: field.index("</div>", field.index('class="readonly"'))].endswith("hidden")
    for page in (body, changelist.content.decode()):
        assert "United Nations" not in page
        assert unesco_page not in page
    assert partner_staff.get(unesco_page).status_code == 302


def test_a_partners_account_sees_no_documents_of_an_agreement_its_institution_is_not_party_to(
    partner_staff, world
):
    page = partner_staff.get(
        reverse("admin:agreements_memorandum_change", args=[world.internal.pk])
    )

    assert page.status_code == 200
    body = page.content.decode()
    assert "Joint workshop" in body  # the commitments follow the memorandum
    assert "Signed copy" not in body
