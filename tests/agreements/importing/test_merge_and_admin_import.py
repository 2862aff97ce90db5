import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from agreements.models import Memorandum
from partners.models import Institution, PartnerLink, Person
from tests.agreements.importing.support import csv_file, row
from tests.factories.agreements import CommitmentFactory, SignatoryFactory, SignedMemorandumFactory
from tests.factories.partners import InstitutionFactory, PersonFactory
from tests.factories.users import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def duplicate_pair():
    keep = InstitutionFactory(name="Nazarbayev University", short_name="NU", country="KZ")
    duplicate = InstitutionFactory(
        name="Nazarbayev Univ.", short_name="NazU", country="KZ", ror_id="052bx8q98"
    )
    duplicate.aliases.create(name="Назарбаев Университет")
    return keep, duplicate


def test_merge_moves_every_link_and_keeps_the_names_as_aliases(duplicate_pair):
    keep, duplicate = duplicate_pair
    other = InstitutionFactory()
    both = SignedMemorandumFactory(parties=[keep, duplicate, other])
    only_duplicate = SignedMemorandumFactory(parties=[duplicate, other])
    signatory = SignatoryFactory(party=only_duplicate.parties.get(institution=duplicate))
    person = signatory.person
    commitment = CommitmentFactory(memorandum=only_duplicate, responsible_institution=duplicate)
    child = InstitutionFactory(parent=duplicate)
    link = PartnerLink.objects.create(user=UserFactory(), institution=duplicate)

    call_command("merge_institutions", str(keep.pk), "NazU", verbosity=0)

    assert not Institution.objects.filter(pk=duplicate.pk).exists()
    assert [p.institution for p in both.parties.all()] == [keep, other]
    assert only_duplicate.parties.first().institution == keep
    signatory.refresh_from_db()
    person.refresh_from_db()
    commitment.refresh_from_db()
    child.refresh_from_db()
    link.refresh_from_db()
    assert signatory.institution == person.institution == keep
    assert commitment.responsible_institution == keep
    assert child.parent == keep
    assert link.institution == keep
    keep.refresh_from_db()
    assert keep.ror_id == "052bx8q98"
    assert set(keep.aliases.values_list("name", flat=True)) == {
        "Nazarbayev Univ.",
        "NazU",
        "Назарбаев Университет",
    }
    moved = [h.history_type for h in keep.parties.model.history.filter(institution_id=keep.pk)]
    assert "~" in moved


def test_merge_action_in_the_admin_asks_which_to_keep(client, duplicate_pair):
    keep, duplicate = duplicate_pair
    client.force_login(UserFactory(is_staff=True, groups=["registry-admin"]))
    url = "/admin/partners/institution/"
    selected = {"action": "merge_institutions", "_selected_action": [keep.pk, duplicate.pk]}

    question = client.post(url, selected)
    done = client.post(url, {**selected, "keep": keep.pk})

    assert "Choose the institution to keep" in question.content.decode()
    assert done.status_code == 302
    assert list(Institution.objects.all()) == [keep]


def test_editors_cannot_merge(client, duplicate_pair, editor):
    keep, duplicate = duplicate_pair
    client.force_login(editor)

    client.post(
        "/admin/partners/institution/",
        {
            "action": "merge_institutions",
            "_selected_action": [keep.pk, duplicate.pk],
            "keep": keep.pk,
        },
    )

    assert Institution.objects.count() == 2


def test_admin_import_uploads_previews_then_confirms(client, editor):
    InstitutionFactory(name="Nazarbayev University", short_name="NU", country="KZ")
    InstitutionFactory(name="SUSTech University", short_name="SUSTech", country="CN")
    client.force_login(editor)
    upload = SimpleUploadedFile("memoranda.csv", csv_file(row()).getvalue())

    preview = client.post("/admin/agreements/memorandum/import/", {"file": upload})

    assert preview.status_code == 200
    assert "To create: MOU-2023-0001" in preview.content.decode()
    assert not Memorandum.objects.exists()
    token = preview.context["token"]

    confirmed = client.post("/admin/agreements/memorandum/import/", {"token": token})

    assert confirmed.status_code == 302
    memorandum = Memorandum.objects.get()
    assert memorandum.created_by == editor
    again = client.post("/admin/agreements/memorandum/import/", {"token": token})
    assert again.status_code == 302
    assert Memorandum.objects.count() == 1


def test_admin_import_lists_the_bad_rows_and_offers_no_confirmation(client, editor):
    client.force_login(editor)
    upload = SimpleUploadedFile("memoranda.csv", csv_file(row(kind="treaty")).getvalue())

    preview = client.post("/admin/agreements/memorandum/import/", {"file": upload})

    content = preview.content.decode()
    assert "unknown kind “treaty”" in content
    assert "Confirm import" not in content


def test_admin_import_refuses_other_files(client, editor):
    client.force_login(editor)
    upload = SimpleUploadedFile("memoranda.pdf", io.BytesIO(b"%PDF").getvalue())

    response = client.post("/admin/agreements/memorandum/import/", {"file": upload})

    assert "Choose a .csv or .xlsx file." in response.content.decode()


def test_people_keep_their_names_after_a_merge(duplicate_pair):
    keep, duplicate = duplicate_pair
    PersonFactory(full_name="Shigeo Katsu", institution=duplicate)

    call_command("merge_institutions", "NU", str(duplicate.pk), verbosity=0)

    assert Person.objects.get().institution == keep
