"""Renewing a memorandum from the admin: a draft that supersedes it, its parts copied."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError

from agreements.models import CooperationArea, Memorandum, Party
from agreements.services import memorandum_renew
from tests.agreements.admin.support import CHANGELIST, change_url, renew_url
from tests.factories.agreements import CommitmentFactory, SignatoryFactory, SignedMemorandumFactory
from tests.factories.partners import InstitutionFactory, OrganisationalUnitFactory
from tests.factories.users import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def original():
    nu = InstitutionFactory(name="Nazarbayev University", short_name="NU")
    ichei = InstitutionFactory(short_name="UNESCO-ICHEI", country="CN")
    sustech = InstitutionFactory(short_name="SUSTech", country="CN")
    memorandum = SignedMemorandumFactory(
        reference="MOU-2023-0001",
        title="Trilateral Memorandum of Understanding",
        summary="Capacity building, teaching, research.",
        visibility=Memorandum.Visibility.CONFIDENTIAL,
        signed_on=datetime.date(2023, 5, 29),
        expires_on=datetime.date(2028, 5, 28),
        renewal_notice_days=120,
        owner_unit=OrganisationalUnitFactory(institution=nu, name="International Office"),
        owner_email="intl@nu.edu.kz",
        parties=[],
    )
    Party.objects.create(memorandum=memorandum, institution=nu, role="coordinator", order=0)
    Party.objects.create(memorandum=memorandum, institution=sustech, role="party", order=2)
    Party.objects.create(memorandum=memorandum, institution=ichei, role="party", order=1)
    memorandum.cooperation_areas.set(
        CooperationArea.objects.filter(code__in=["capacity-building", "research"])
    )
    memorandum.sdgs.set([4, 17])
    memorandum.tags.set(["trilateral", "iioe"])
    SignatoryFactory(memorandum=memorandum, institution=nu, party=None)
    CommitmentFactory(
        memorandum=memorandum,
        title="Micro-certification launch",
        responsible_institution=ichei,
        due_on=datetime.date(2023, 7, 15),
        status="done",
        completed_on=datetime.date(2023, 7, 15),
    )
    CommitmentFactory(
        memorandum=memorandum,
        title="IIOE Global Partners Summit",
        due_on=datetime.date(2023, 12, 10),
        status="in_progress",
    )
    return memorandum


def parts(memorandum):
    return {
        "parties": list(
            memorandum.parties.order_by("order").values_list("institution", "role", "order")
        ),
        "areas": sorted(memorandum.cooperation_areas.values_list("code", flat=True)),
        "sdgs": sorted(memorandum.sdgs.values_list("number", flat=True)),
        "tags": sorted(memorandum.tags.names()),
    }


def test_renew_copies_parties_areas_and_commitments_into_a_draft_that_supersedes(original, editor):
    renewal = memorandum_renew(memorandum=original, actor=editor)

    renewal.refresh_from_db()
    assert renewal.kind == Memorandum.Kind.RENEWAL
    assert renewal.stage == Memorandum.Stage.DRAFT
    assert renewal.supersedes == original
    assert renewal.title == "Renewal of Trilateral Memorandum of Understanding"
    assert renewal.reference.startswith("MOU-") and renewal.reference != original.reference
    assert renewal.visibility == Memorandum.Visibility.CONFIDENTIAL
    assert (renewal.owner_unit.name, renewal.owner_email) == (
        "International Office",
        "intl@nu.edu.kz",
    )
    assert renewal.renewal_notice_days == 120
    assert (renewal.signed_on, renewal.effective_from, renewal.expires_on) == (None, None, None)
    assert renewal.created_by == editor
    assert parts(renewal) == parts(original)
    assert list(renewal.signatories.all()) == []
    assert list(
        renewal.commitments.order_by("due_on").values_list(
            "title", "responsible_institution__short_name", "due_on", "status", "completed_on"
        )
    ) == [
        ("Micro-certification launch", "UNESCO-ICHEI", datetime.date(2023, 7, 15), "planned", None),
        ("IIOE Global Partners Summit", None, datetime.date(2023, 12, 10), "planned", None),
    ]
    # The creation is one history entry, by the editor.
    (entry,) = Memorandum.history.filter(id=renewal.pk)
    assert entry.history_user == editor


def test_the_original_stays_active_until_the_renewal_is_signed(original, editor):
    def status(memorandum):
        return Memorandum.objects.with_status(datetime.date(2025, 3, 3)).get(pk=memorandum.pk)

    renewal = memorandum_renew(memorandum=original, actor=editor)
    assert status(original).status == "active"

    renewal.stage = Memorandum.Stage.SIGNED
    renewal.signed_on = datetime.date(2025, 3, 1)
    renewal.save()
    assert status(original).status == "superseded"


def test_a_second_renewal_while_one_is_in_preparation_is_refused(original, editor):
    memorandum_renew(memorandum=original, actor=editor)

    with pytest.raises(ValidationError, match="already has a renewal"):
        memorandum_renew(memorandum=original, actor=editor)


@pytest.mark.parametrize("stage", ["draft", "negotiation", "terminated"])
def test_only_a_signed_memorandum_is_renewed(stage, editor):
    memorandum = SignedMemorandumFactory(stage=stage)

    with pytest.raises(ValidationError, match="only a signed memorandum"):
        memorandum_renew(memorandum=memorandum, actor=editor)
    assert Memorandum.objects.count() == 1


def test_the_action_renews_and_opens_the_new_draft(client, original, editor):
    client.force_login(editor)

    response = client.post(
        CHANGELIST, {"action": "renew_selected", "_selected_action": [original.pk]}
    )

    renewal = Memorandum.objects.get(supersedes=original)
    assert response.status_code == 302
    assert response["Location"] == change_url(renewal)
    (message,) = get_messages(response.wsgi_request)
    assert f"Created the draft renewal {renewal.reference} of MOU-2023-0001" in str(message)
    assert client.get(response["Location"]).status_code == 200


def test_the_action_on_several_reports_each_and_stays_on_the_list(client, original, editor):
    other = SignedMemorandumFactory()
    draft = SignedMemorandumFactory(stage="draft")
    client.force_login(editor)

    response = client.post(
        CHANGELIST,
        {"action": "renew_selected", "_selected_action": [original.pk, other.pk, draft.pk]},
        follow=True,
    )

    assert Memorandum.objects.filter(kind="renewal").count() == 2
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert sum("Created the draft renewal" in text for text in texts) == 2
    assert any("only a signed memorandum" in text for text in texts)


def test_the_change_page_has_a_renew_button_that_confirms_then_creates(client, original, editor):
    client.force_login(editor)

    page = client.get(change_url(original)).content.decode()
    assert renew_url(original) in page

    confirmation = client.get(renew_url(original))
    assert confirmation.status_code == 200
    assert Memorandum.objects.count() == 1
    assert "Create the draft renewal" in confirmation.content.decode()

    response = client.post(renew_url(original))
    renewal = Memorandum.objects.get(supersedes=original)
    assert response["Location"] == change_url(renewal)


def test_no_renew_button_on_a_draft(client, editor):
    draft = SignedMemorandumFactory(stage="draft")
    client.force_login(editor)

    assert renew_url(draft) not in client.get(change_url(draft)).content.decode()


def test_a_viewer_cannot_renew(client, original):
    viewer = UserFactory(username="viewer", is_staff=True, groups=["registry-viewer"])
    original.visibility = Memorandum.Visibility.INTERNAL
    original.save()
    client.force_login(viewer)

    assert renew_url(original) not in client.get(change_url(original)).content.decode()
    assert client.post(renew_url(original)).status_code == 403
    assert client.post(
        CHANGELIST, {"action": "renew_selected", "_selected_action": [original.pk]}
    ).status_code in (200, 302)
    assert Memorandum.objects.count() == 1


def test_a_memorandum_the_user_may_not_read_is_a_404(client, original):
    viewer = UserFactory(username="viewer", is_staff=True, groups=["registry-viewer"])
    client.force_login(viewer)  # the original is confidential

    assert client.get(renew_url(original)).status_code == 404
    assert client.post(renew_url(original)).status_code == 404
