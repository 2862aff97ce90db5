"""Intake from an announcement: the proposal for each announcement, its precision and recall,
who may ask, and that nothing is saved."""

import datetime

import pytest

from agreements.demo import load_demo_directory
from agreements.intake.proposal import find_dates, find_kind, propose
from agreements.models import Commitment, Memorandum
from partners.models import Institution, PartnerLink, Person
from tests.factories import InstitutionFactory, UserFactory
from tests.support import api_client

from .announcements import ANNOUNCEMENTS, FURTHER_ANNOUNCEMENTS

pytestmark = pytest.mark.django_db

INTAKE = "/api/v1/memoranda/intake/"


@pytest.fixture
def directory(db):
    """The demo's institutions, aliases and people: what the announcements are read against."""
    return load_demo_directory()


@pytest.mark.parametrize("key", ANNOUNCEMENTS)
def test_the_proposal_for_each_announcement(key, directory, editor):
    expected = ANNOUNCEMENTS[key]

    response = api_client(editor).post(INTAKE, {"text": expected["text"]})

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {
        "memorandum",
        "also_mentioned",
        "unknown_institutions",
        "possible_duplicates",
    }
    memorandum = body["memorandum"]
    assert set(memorandum) == {
        "title", "kind", "signed_on", "parties", "signatories", "cooperation_areas", "commitments",
    }  # fmt: skip
    assert memorandum["kind"] == expected["kind"]
    assert memorandum["signed_on"] == expected["signed_on"].isoformat()
    assert [party["name"] for party in memorandum["parties"]] == expected["institutions"]
    for party in memorandum["parties"]:
        assert set(party) == {"institution", "name", "short_name", "country"}
        registered = Institution.objects.filter(name=party["name"]).first()
        assert party["institution"] == (registered.pk if registered else None)
        assert party["country"] == (registered.country.code if registered else None)
    assert body["unknown_institutions"] == expected["unknown_institutions"]
    assert [
        (s["full_name"], s["honorific"], s["position"], s["institution_name"], s["mode"])
        for s in memorandum["signatories"]
    ] == expected["people"]
    assert sorted(memorandum["cooperation_areas"]) == expected["areas"]
    assert [(c["title"], c["due_on"]) for c in memorandum["commitments"]] == [
        (title, due_on.isoformat()) for title, due_on in expected["commitments"]
    ]


def test_the_reference_case_reads_as_the_spec_records_it(directory, editor):
    body = api_client(editor).post(
        INTAKE, {"text": ANNOUNCEMENTS["reference_press_release"]["text"]}
    )
    memorandum = body.json()["memorandum"]

    assert memorandum["title"] == "Memorandum of understanding between NU, UNESCO-ICHEI and SUSTech"
    assert [p["short_name"] for p in memorandum["parties"]] == ["NU", "UNESCO-ICHEI", "SUSTech"]
    assert [p["country"] for p in memorandum["parties"]] == ["KZ", "CN", "CN"]
    assert body.json()["possible_duplicates"] == []


# --- Precision and recall ------------------------------------------------------------------------


def items(proposal) -> dict[str, set]:
    data = proposal.as_dict()["memorandum"]
    return {
        "institutions": {party["name"] for party in data["parties"]},
        "people": {(s["full_name"], s["institution_name"]) for s in data["signatories"]},
        "areas": set(data["cooperation_areas"]),
        "dates": ({proposal.signed_on} if proposal.signed_on else set())
        | {commitment.due_on for commitment in proposal.commitments},
    }


def labelled(expected) -> dict[str, set]:
    return {
        "institutions": set(expected["institutions"]),
        "people": {(person[0], person[-2]) for person in expected["people"]},
        "areas": set(expected["areas"]),
        "dates": {expected["signed_on"]} | {due_on for _, due_on in expected["commitments"]},
    }


def scores(announcements) -> dict[str, tuple[float, float]]:
    """Micro-averaged precision and recall per category over the announcements."""
    counts = {category: [0, 0, 0] for category in ("institutions", "people", "areas", "dates")}
    for expected in announcements.values():
        found, wanted = items(propose(expected["text"])), labelled(expected)
        for category, (true, proposed, relevant) in counts.items():
            counts[category] = [
                true + len(found[category] & wanted[category]),
                proposed + len(found[category]),
                relevant + len(wanted[category]),
            ]
    return {
        category: (true / proposed if proposed else 1.0, true / relevant if relevant else 1.0)
        for category, (true, proposed, relevant) in counts.items()
    }


def test_precision_and_recall_on_the_five_announcements(directory):
    figures = scores(ANNOUNCEMENTS)

    # docs/features.md, "Intake from an announcement": 1.00 / 1.00 in every category.
    for category, (precision, recall) in figures.items():
        assert precision >= 0.8, (category, figures)
        assert recall >= 0.8, (category, figures)
    assert figures == dict.fromkeys(figures, (1.0, 1.0))


def test_precision_and_recall_on_the_further_announcements(directory):
    figures = scores(FURTHER_ANNOUNCEMENTS)

    # docs/features.md: institutions P 0.91 R 1.00 (Университет Цинхуа taken for a new institution),
    # areas P 1.00 R 0.91 (the summer school), people and dates 1.00 / 1.00.
    for category, (precision, recall) in figures.items():
        assert precision >= 0.8, (category, figures)
        assert recall >= 0.8, (category, figures)


def test_modes_on_all_announcements(directory):
    for expected in [*ANNOUNCEMENTS.values(), *FURTHER_ANNOUNCEMENTS.values()]:
        data = propose(expected["text"]).as_dict()["memorandum"]
        modes = {s["full_name"]: s["mode"] for s in data["signatories"]}
        assert modes == {person[0]: person[-1] for person in expected["people"]}


# --- Who may ask, and nothing saved --------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("viewer", 403),
        ("auditor", 403),
        ("partner", 403),
        ("editor", 200),
        ("admin", 200),
        ("superuser", 200),
    ],
)
def test_editors_and_admins_only(role, status, directory):
    user = None
    if role in {"viewer", "auditor", "editor", "admin"}:
        user = UserFactory(username=role, groups=[f"registry-{role}"])
    elif role == "superuser":
        user = UserFactory(username=role, is_superuser=True)
    elif role == "partner":
        user = UserFactory(username=role)
        PartnerLink.objects.create(user=user, institution=Institution.objects.first())

    response = api_client(user).post(INTAKE, {"text": "NU and SUSTech signed an MoU."})

    assert response.status_code == status


def test_nothing_is_saved(directory, editor):
    counts = [model.objects.count() for model in (Memorandum, Institution, Person, Commitment)]
    history = [model.history.count() for model in (Memorandum, Institution, Person)]

    for expected in ANNOUNCEMENTS.values():
        assert api_client(editor).post(INTAKE, {"text": expected["text"]}).status_code == 200

    assert [model.objects.count() for model in (Memorandum, Institution, Person, Commitment)] == (
        counts
    )
    assert [model.history.count() for model in (Memorandum, Institution, Person)] == history


@pytest.mark.parametrize("text", ["", "   ", "x" * 50_001])
def test_a_missing_or_too_long_text_is_a_400_on_text(text, editor):
    response = api_client(editor).post(INTAKE, {"text": text})

    assert response.status_code == 400
    assert "text" in response.json()


def test_a_text_without_a_signing_proposes_an_empty_draft(directory, editor):
    response = api_client(editor).post(INTAKE, {"text": "The weather in Astana was fine."})

    memorandum = response.json()["memorandum"]
    assert memorandum["parties"] == [] and memorandum["signed_on"] is None
    assert memorandum["title"] == "Agreement (from an announcement)"


def test_a_near_duplicate_is_flagged_not_taken_for_the_registered_one(directory, editor):
    text = (
        "Al-Farabi Kazakh State University and Nazarbayev University signed a memorandum of "
        "understanding on 1 March 2024."
    )

    body = api_client(editor).post(INTAKE, {"text": text}).json()

    assert body["unknown_institutions"] == ["Al-Farabi Kazakh State University"]
    assert body["memorandum"]["parties"][0] == {
        "institution": None,
        "name": "Al-Farabi Kazakh State University",
        "short_name": "",
        "country": None,
    }
    kaznu = Institution.objects.get(short_name="KazNU")
    [duplicate] = body["possible_duplicates"]
    assert duplicate["name"] == "Al-Farabi Kazakh State University"
    assert duplicate["institution"] == kaznu.pk
    assert duplicate["institution_name"] == kaznu.name
    assert duplicate["country"] == "KZ"
    assert 0.5 <= duplicate["similarity"] < 1


# --- The rules, one at a time --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "date"),
    [
        ("May 29, 2023", datetime.date(2023, 5, 29)),
        ("May 29 2023", datetime.date(2023, 5, 29)),
        ("29 May 2023", datetime.date(2023, 5, 29)),
        ("29th of May, 2023", datetime.date(2023, 5, 29)),
        ("Sept. 3, 2023", datetime.date(2023, 9, 3)),
        ("2023-05-29", datetime.date(2023, 5, 29)),
        ("29.05.2023", datetime.date(2023, 5, 29)),
        ("12.03.2024", datetime.date(2024, 3, 12)),  # day first
        ("05/29/2023", datetime.date(2023, 5, 29)),  # month first only when it must be
        ("29 мая 2023 г.", datetime.date(2023, 5, 29)),
        ("3 сентября 2023 года", datetime.date(2023, 9, 3)),
    ],
)
def test_dates_in_their_usual_forms(written, date):
    [mention] = find_dates(f"It was signed on {written} in Astana.")

    assert mention.date == date
    assert not mention.month_only


def test_a_month_is_due_on_its_last_day_and_a_day_takes_the_year_of_a_dateline():
    dates = find_dates("ASTANA, March 2, 2024 — signed on February 28. Summit in February 2024.")

    assert [(m.date, m.month_only) for m in dates] == [
        (datetime.date(2024, 3, 2), False),
        (datetime.date(2024, 2, 28), False),
        (datetime.date(2024, 2, 29), True),
    ]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("They signed a Memorandum of Understanding.", "mou"),
        ("The MoU was signed.", "mou"),
        ("A memorandum of agreement was concluded.", "moa"),
        ("The universities signed a framework agreement.", "framework"),
        ("A letter of intent was signed.", "letter_of_intent"),
        ("A student exchange agreement was signed.", "exchange"),
        ("They renewed their memorandum.", "renewal"),
        ("An amendment to the MoU was signed.", "amendment"),
        ("Подписано рамочное соглашение.", "framework"),
        ("They signed an agreement.", "other"),
    ],
)
def test_the_kind(text, kind):
    assert find_kind(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "NU's President signed the memorandum with SUSTech.",
        "Delegations of Nazarbayev University and of the Southern University of Science and "
        "Technology met.",
        "Назарбаев Университета и SUSTech",
        "ODTÜ and Nazarbayev University",
    ],
)
def test_registered_institutions_anywhere_in_the_text(text, directory):
    names = [party.name for party in propose(text).parties]

    assert "Nazarbayev University" in names or "Middle East Technical University" in names
    assert all(party.institution is not None for party in propose(text).parties)


def test_x_university_is_university_of_x(directory):
    [party] = propose("Cambridge University signed.").parties

    assert party.name == "University of Cambridge"


def test_an_acronym_is_compared_case_sensitively(directory):
    assert propose("Nu, that was fast.").parties == []


def test_remote_participation(directory):
    text = (
        "Prof. Ada Byron of NU was present. Dr. Alan Turing of SUSTech joined remotely, and "
        "Ms. Grace Hopper of NU took part via video link."
    )

    modes = {person.full_name: person.mode for person in propose(text).signatories}

    assert modes == {"Ada Byron": "in_person", "Alan Turing": "remote", "Grace Hopper": "remote"}


# --- The admin's intake page ---------------------------------------------------------------------


@pytest.fixture
def staff_client(client, directory):
    client.force_login(UserFactory(username="office", is_staff=True, groups=["registry-editor"]))
    return client


def test_the_changelist_links_to_the_intake_page(staff_client):
    page = staff_client.get("/admin/agreements/memorandum/")

    assert "/admin/agreements/memorandum/intake/" in page.content.decode()


def test_the_intake_page_proposes_then_creates_the_draft(staff_client):
    text = ANNOUNCEMENTS["numeric_date_and_unknown_party"]["text"]

    proposed = staff_client.post("/admin/agreements/memorandum/intake/", {"text": text})

    assert proposed.status_code == 200
    html = proposed.content.decode()
    assert 'id="intake-proposal"' in html
    assert "Kazakh-British Technical University" in html
    assert Memorandum.objects.count() == 0
    form = proposed.context["form"]
    kaznu = Institution.objects.get(short_name="KazNU")

    created = staff_client.post(
        "/admin/agreements/memorandum/intake/",
        {
            "text": text,
            "create": "1",
            "title": form["title"].initial,
            "kind": "moa",
            "signed_on": "2024-03-12",
            "visibility": "internal",
            "source_url": "",
            "parties": [str(kaznu.pk)],
            "cooperation_areas": ["student-mobility", "joint-programmes"],
            "commitments": ["1"],
            "new_0_create": "on",
            "new_0_name": "Kazakh-British Technical University",
            "new_0_short_name": "KBTU",
            "new_0_country": "KZ",
            "new_0_kind": "university",
        },
    )

    assert created.status_code == 302, created.context["form"].errors if created.context else ""
    memorandum = Memorandum.objects.get()
    assert created["Location"] == f"/admin/agreements/memorandum/{memorandum.pk}/change/"
    assert memorandum.stage == "draft"
    assert memorandum.kind == "moa"
    assert memorandum.signed_on == datetime.date(2024, 3, 12)
    assert [p.institution.label for p in memorandum.parties.order_by("order")] == ["KBTU", "KazNU"]
    assert sorted(memorandum.cooperation_areas.values_list("code", flat=True)) == [
        "joint-programmes",
        "student-mobility",
    ]
    assert list(memorandum.commitments.values_list("title", "due_on")) == [
        ("Joint workshop on curriculum design", datetime.date(2024, 5, 15))
    ]
    kbtu = Institution.objects.get(short_name="KBTU")
    assert kbtu.country.code == "KZ"
    assert memorandum.history.get().history_user.username == "office"


def test_creating_an_unknown_institution_needs_its_country(staff_client):
    text = ANNOUNCEMENTS["numeric_date_and_unknown_party"]["text"]

    response = staff_client.post(
        "/admin/agreements/memorandum/intake/",
        {
            "text": text,
            "create": "1",
            "title": "Draft",
            "kind": "moa",
            "visibility": "internal",
            "new_0_create": "on",
            "new_0_name": "Kazakh-British Technical University",
            "new_0_kind": "university",
        },
    )

    assert response.status_code == 200
    assert "Choose the country" in response.content.decode()
    assert not Memorandum.objects.exists()
    assert not Institution.objects.filter(name="Kazakh-British Technical University").exists()


def test_a_viewer_may_not_use_the_intake_page(client, directory):
    client.force_login(UserFactory(username="reader", is_staff=True, groups=["registry-viewer"]))

    assert client.get("/admin/agreements/memorandum/intake/").status_code == 403


# --- Who signs, and who is only mentioned ---------------------------------------------------------


def names(parties) -> list[str]:
    return [party.name for party in parties]


@pytest.mark.parametrize(
    "text",
    [
        "Nazarbayev University and SUSTech signed a memorandum of understanding.",
        "A memorandum of understanding between Nazarbayev University and SUSTech was signed.",
        "Nazarbayev University signed a memorandum of understanding with SUSTech.",
        "The memorandum was signed by Nazarbayev University and SUSTech.",
        "The parties to the agreement are Nazarbayev University and SUSTech.",
        "Nazarbayev University has entered into an agreement with SUSTech.",
    ],
)
def test_a_party_signs_concludes_enters_into_or_is_said_to_be_one(text, directory):
    proposal = propose(text)

    assert names(proposal.parties) == [
        "Nazarbayev University",
        "Southern University of Science and Technology",
    ]
    assert proposal.also_mentioned == []


def test_institutions_only_named_are_also_mentioned_never_parties(directory, editor):
    text = (
        "Nazarbayev University and SUSTech signed a memorandum of understanding on 3 May 2024. "
        "The programme is funded by the Kazakhstan Science Foundation, and both are members of "
        "a network with Seoul National University and ETH Zurich. Prof. Ada Lovelace of NU, a "
        "former professor at the University of Cambridge, signed for NU."
    )

    body = api_client(editor).post(INTAKE, {"text": text}).json()

    assert [p["name"] for p in body["memorandum"]["parties"]] == [
        "Nazarbayev University",
        "Southern University of Science and Technology",
    ]
    assert [p["name"] for p in body["also_mentioned"]] == [
        "Kazakhstan Science Foundation",
        "Seoul National University",
        "ETH Zurich",
        "University of Cambridge",
    ]
    assert body["also_mentioned"][1]["institution"] == Institution.objects.get(short_name="SNU").pk
    # Only a party the register does not know is proposed for creation.
    assert body["unknown_institutions"] == []
    assert body["memorandum"]["title"] == ("Memorandum of understanding between NU and SUSTech")


def test_without_a_word_of_signing_the_headline_names_the_parties(directory):
    proposal = propose(
        "NU and SUSTech: a new chapter\n\nThe rectors met in Astana with ETH Zurich."
    )

    assert names(proposal.parties) == [
        "Nazarbayev University",
        "Southern University of Science and Technology",
    ]
    assert names(proposal.also_mentioned) == ["ETH Zurich"]


@pytest.mark.parametrize(
    "written",
    [
        "International Center for Higher Education Innovation under the auspices of UNESCO",
        "the International Centre for Higher Education Innovation Under The Auspices Of UNESCO",
    ],
)
def test_a_registered_name_in_another_spelling(written, directory):
    [party] = propose(f"{written} and NU signed an agreement.").parties[:1]

    assert party.institution == Institution.objects.get(short_name="UNESCO-ICHEI")


def test_and_written_as_an_ampersand(directory):
    Institution.objects.filter(short_name="SUSTech").update(
        name="Southern University of Science & Technology"
    )

    proposal = propose("Southern University of Science and Technology and NU signed an MoU.")

    assert [party.short_name for party in proposal.parties] == ["SUSTech", "NU"]


def test_a_name_that_closely_resembles_one_registered_is_that_one(directory):
    mit = InstitutionFactory(
        name="Massachusetts Institute of Technology", short_name="", country="US"
    )

    proposal = propose("Massachusets Institute of Technology and NU signed an agreement.")

    assert [party.institution for party in proposal.parties][0] == mit
    assert proposal.unknown_parties == []


def test_a_title_and_a_person_are_not_part_of_an_institution(directory):
    text = (
        "Kenyatta University Vice Chancellor and Chief Executive Officer Prof Dr Jane Wambui "
        "Mwangi and Nazarbayev University signed a memorandum of understanding."
    )

    proposal = propose(text)

    assert names(proposal.parties) == ["Kenyatta University", "Nazarbayev University"]
    [person] = proposal.signatories
    assert (person.full_name, person.honorific, person.institution_name) == (
        "Jane Wambui Mwangi",
        "Prof. Dr.",
        "Kenyatta University",
    )


@pytest.mark.parametrize(
    ("text", "people"),
    [
        (
            "NU and SUSTech signed the MoU. It was signed by John C. Smith, Mary Ann Lee and Li "
            "Wei.",
            ["John C. Smith", "Mary Ann Lee", "Li Wei"],
        ),
        (
            "The MoU was signed by Anna Berg, Rector of NU, and Tomas Lind, for SUSTech.",
            ["Anna Berg", "Tomas Lind"],
        ),
        ("On behalf of NU, Daniyar Sadykov signed the memorandum.", ["Daniyar Sadykov"]),
        ("Sigrid Lindqvist, President of NU, signed the memorandum.", ["Sigrid Lindqvist"]),
        ("It was signed by Rector of KBTU Yerlan Temirbekov.", ["Yerlan Temirbekov"]),
        (
            "On behalf of SNU, Vice President for International Affairs Choi Min-seo signed.",
            ["Choi Min-seo"],
        ),
        ("Документ подписал ректор ТГУ Андрей Волков.", ["Андрей Волков"]),
        ("Документ подписала ректор КазНУ профессор Жанар Бекова.", ["Жанар Бекова"]),
        (
            "The agreement was signed by Mr Thomas Becker and Dr Hanna Kowalski.",
            [
                "Thomas Becker",
                "Hanna Kowalski",
            ],
        ),
        ("王晓明教授与NU签署了备忘录。", ["王晓明"]),
    ],
)
def test_signatories_in_lists_after_titles_and_honorifics_in_several_orders(
    text, people, directory
):
    assert [person.full_name for person in propose(text).signatories] == people


@pytest.mark.parametrize(
    "text",
    [
        "Prof. M signed the memorandum.",
        "Dr. John C attended the signing.",
        "It was signed by Smith.",
        "Prof. Whitfield signed.",
    ],
)
def test_a_fragment_of_a_name_is_not_a_person(text, directory):
    assert propose(text).signatories == []


def test_a_surname_alone_is_the_person_named_in_full(directory):
    text = "Prof. Ruiz Navarro signed for NU. Dr. Alejandro Ruiz Navarro, Rector of NU, said so."

    [person] = propose(text).signatories

    assert person.full_name == "Alejandro Ruiz Navarro"


def test_the_intake_page_shows_who_is_only_mentioned(staff_client):
    text = (
        "Nazarbayev University and SUSTech signed a memorandum of understanding, funded by "
        "the Kazakhstan Science Foundation."
    )

    page = staff_client.post("/admin/agreements/memorandum/intake/", {"text": text})

    html = page.content.decode()
    mentioned = html[html.index('id="intake-also-mentioned"') :]
    assert "Kazakhstan Science Foundation" in mentioned[: mentioned.index("</div>")]
    assert [label for _, label in page.context["form"].fields["parties"].choices] == [
        str(Institution.objects.get(short_name="NU")),
        str(Institution.objects.get(short_name="SUSTech")),
    ]
    assert page.context["form"].unknown_rows == []
