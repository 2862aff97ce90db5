"""Who reads and writes what through /api/v1/: the roles, endpoint by endpoint.

The world: six institutions and four signed, active memoranda.

    public           public        NU + SUSTech   signed by Shigeo Katsu (NU), Lu Chun (SUSTech)
    internal         internal      NU + QI        signed by Quinn Quiet (QI)
    nu_confidential  confidential  NU + VA        signed by Vera Vault (VA)
    confidential     confidential  KI + SUSTech   signed by Kai Kestrel (KI)

UC (Unrelated College) is party to nothing: it is the institution of the unrelated partner
client. Nora Nosign (NU) signs nothing. Each memorandum has one commitment and one document,
created, changed and uploaded by the staff user "office-clerk". NU's parent is QI; Lu Chun, who
signed for SUSTech, has since moved to KI.
"""

from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agreements.models import Commitment, CooperationArea, Document, Memorandum
from partners.models import Institution, PartnerLink, Person, UnitEditorGrant
from tests.factories.agreements import (
    CommitmentFactory,
    DocumentFactory,
    MemorandumFactory,
    SignatoryFactory,
    SignedMemorandumFactory,
)
from tests.factories.partners import (
    InstitutionFactory,
    OrganisationalUnitFactory,
    PersonFactory,
)
from tests.factories.users import UserFactory
from tests.support import keys_listed

API = "/api/v1/"

ROLES = [
    "anonymous",
    "viewer",
    "unit_editor",
    "editor",
    "auditor",
    "admin",
    "superuser",
    "partner_nu",
    "partner_other",
]
STAFF = ("editor", "auditor", "admin", "superuser")
# A unit editor reads what a viewer reads (it writes more: see WRITES).
VIEWERS = ("viewer", "unit_editor")
GROUPS = {
    "viewer": ["registry-viewer"],
    "unit_editor": ["registry-unit-editor"],
    "editor": ["registry-editor"],
    "auditor": ["registry-auditor"],
    "admin": ["registry-admin"],
}
PARTNER_OF = {"partner_nu": "NU", "partner_other": "UC"}

# --- What each role may read ----------------------------------------------------------------

ALL_MEMORANDA = {"public", "internal", "nu_confidential", "confidential"}
MEMORANDA_SEEN = {
    "anonymous": {"public"},
    **dict.fromkeys(VIEWERS, {"public", "internal"}),
    **dict.fromkeys(STAFF, ALL_MEMORANDA),
    "partner_nu": {"public", "internal", "nu_confidential"},
    "partner_other": {"public"},
}

ALL_INSTITUTIONS = {"NU", "SUSTech", "QI", "VA", "KI", "UC"}
INSTITUTIONS_SEEN = {
    "anonymous": {"NU", "SUSTech"},
    **dict.fromkeys(VIEWERS, ALL_INSTITUTIONS),
    **dict.fromkeys(STAFF, ALL_INSTITUTIONS),
    "partner_nu": {"NU", "SUSTech", "QI", "VA"},
    "partner_other": {"NU", "SUSTech", "UC"},
}
# Parties of the active memoranda the role may read.
ACTIVE_PARTIES_SEEN = {
    "anonymous": {"NU", "SUSTech"},
    **dict.fromkeys(VIEWERS, {"NU", "SUSTech", "QI"}),
    **dict.fromkeys(STAFF, {"NU", "SUSTech", "QI", "VA", "KI"}),
    "partner_nu": {"NU", "SUSTech", "QI", "VA"},
    "partner_other": {"NU", "SUSTech"},
}

ALL_PEOPLE = {"Shigeo Katsu", "Lu Chun", "Quinn Quiet", "Vera Vault", "Kai Kestrel", "Nora Nosign"}
PEOPLE_SEEN = {
    "anonymous": {"Shigeo Katsu", "Lu Chun"},
    **dict.fromkeys(VIEWERS, ALL_PEOPLE),
    **dict.fromkeys(STAFF, ALL_PEOPLE),
    "partner_nu": {"Shigeo Katsu", "Lu Chun", "Quinn Quiet", "Vera Vault"},
    "partner_other": {"Shigeo Katsu", "Lu Chun"},
}

# Commitments and documents: those of the memoranda the role reads; none for anonymous.
PARTS_SEEN = {role: set() if role == "anonymous" else MEMORANDA_SEEN[role] for role in ROLES}
# Documents: a partner client's only of the memoranda its own institution is a party of (NU is
# party to all but `confidential`; UC to none), not those of every public one.
DOCUMENTS_SEEN = PARTS_SEEN | {
    "partner_nu": {"public", "internal", "nu_confidential"},
    "partner_other": set(),
}

# What a filter or a search may reveal: only what the role reads.
CONFIDENTIAL_SEEN = {
    role: seen & {"nu_confidential", "confidential"} for role, seen in MEMORANDA_SEEN.items()
}
KESTREL_INSTITUTIONS_SEEN = {role: seen & {"KI"} for role, seen in INSTITUTIONS_SEEN.items()}
KESTREL_PEOPLE_SEEN = {role: seen & {"Kai Kestrel"} for role, seen in PEOPLE_SEEN.items()}
# Institutions without an active agreement that the role reads.
INACTIVE_PARTIES_SEEN = {
    role: INSTITUTIONS_SEEN[role] - ACTIVE_PARTIES_SEEN[role] for role in ROLES
}

# Units: NU's (every role reads NU), and KI's lab for those who read KI.
UNITS_SEEN = {
    role: {"Faculty", "Department", "Other School"}
    | ({"Kestrel Lab"} if "KI" in INSTITUTIONS_SEEN[role] else set())
    for role in ROLES
}

SEES_INTERNAL_NOTES = {*VIEWERS, *STAFF}
SEES_STAFF_NAMES = {*VIEWERS, *STAFF}
SEES_CONTACT_DETAILS = set(ROLES) - {"anonymous"}

# --- The world -----------------------------------------------------------------------------------


@pytest.fixture
def world(db):
    inst = {
        "NU": InstitutionFactory(name="Nazarbayev University", short_name="NU", country="KZ"),
        "SUSTech": InstitutionFactory(
            name="Southern University of Science and Technology",
            short_name="SUSTech",
            country="CN",
        ),
        "QI": InstitutionFactory(name="Quiet Institute", short_name="QI", country="DE"),
        "VA": InstitutionFactory(name="Vault Academy", short_name="VA", country="JP"),
        "KI": InstitutionFactory(name="Kestrel Institute", short_name="KI", country="FR"),
        "UC": InstitutionFactory(name="Unrelated College", short_name="UC", country="US"),
    }
    memoranda = {}

    def agreement(key, title, visibility, parties, signers):
        memorandum = SignedMemorandumFactory(
            title=title,
            visibility=visibility,
            parties=[inst[name] for name in parties],
            summary=f"The {key} agreement.",
            internal_notes=f"Internal note on the {key} agreement.",
            owner_email=f"{key}@registry.example.org",
        )
        for full_name, institution in signers:
            party = memorandum.parties.get(institution=inst[institution])
            SignatoryFactory(party=party, person__full_name=full_name)
        CommitmentFactory(memorandum=memorandum, title=f"Commitment of {key}")
        DocumentFactory(memorandum=memorandum, title=f"Signed copy of {key}")
        memoranda[key] = memorandum

    agreement(
        "public",
        "Trilateral memorandum on teaching",
        Memorandum.Visibility.PUBLIC,
        ["NU", "SUSTech"],
        [("Shigeo Katsu", "NU"), ("Lu Chun", "SUSTech")],
    )
    agreement(
        "internal",
        "Internal staff mobility memorandum",
        Memorandum.Visibility.INTERNAL,
        ["NU", "QI"],
        [("Quinn Quiet", "QI")],
    )
    agreement(
        "nu_confidential",
        "Obsidian research pact",
        Memorandum.Visibility.CONFIDENTIAL,
        ["NU", "VA"],
        [("Vera Vault", "VA")],
    )
    agreement(
        "confidential",
        "Kestrel quantum pact",
        Memorandum.Visibility.CONFIDENTIAL,
        ["KI", "SUSTech"],
        [("Kai Kestrel", "KI")],
    )
    memoranda["public"].cooperation_areas.set(
        CooperationArea.objects.filter(code__in=["research", "teaching"])
    )
    PersonFactory(full_name="Nora Nosign", institution=inst["NU"])
    # The unit editor's grant is the faculty: it edits what the faculty or its department owns.
    units = {
        "Faculty": OrganisationalUnitFactory(institution=inst["NU"], name="Faculty"),
        "Other School": OrganisationalUnitFactory(institution=inst["NU"], name="Other School"),
        "Kestrel Lab": OrganisationalUnitFactory(institution=inst["KI"], name="Kestrel Lab"),
    }
    units["Department"] = OrganisationalUnitFactory(
        institution=inst["NU"], parent=units["Faculty"], name="Department"
    )
    Memorandum.objects.filter(pk=memoranda["public"].pk).update(owner_unit=units["Department"])
    Memorandum.objects.filter(pk=memoranda["internal"].pk).update(owner_unit=units["Other School"])
    Institution.objects.filter(pk=inst["NU"].pk).update(parent=inst["QI"])
    Person.objects.filter(full_name="Lu Chun").update(institution=inst["KI"])
    clerk = UserFactory(username="office-clerk", is_staff=True, groups=["registry-editor"])
    Memorandum.objects.update(created_by=clerk, updated_by=clerk)
    Document.objects.update(uploaded_by=clerk)
    people = {person.full_name: person for person in Person.objects.all()}
    return SimpleNamespace(inst=inst, memoranda=memoranda, people=people, units=units)


@pytest.fixture
def as_role(world):
    """An API client for a role: anonymous, or a user of that role with its own token."""

    def client_for(role):
        client = APIClient()
        if role == "anonymous":
            return client
        user = UserFactory(
            username=f"{role}-client",
            groups=GROUPS.get(role),
            is_superuser=role == "superuser",
        )
        if role in PARTNER_OF:
            PartnerLink.objects.create(user=user, institution=world.inst[PARTNER_OF[role]])
        if role == "unit_editor":
            UnitEditorGrant.objects.create(user=user, unit=world.units["Faculty"])
        token = Token.objects.create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return client_for


def memoranda_listed(world, response) -> set[str]:
    return keys_listed(response, world.memoranda)


def count(response):
    assert response.status_code == 200, response.content
    return response.json()["count"]


# --- Lists and details ---------------------------------------------------------------------------


# (the list, its query, which of its rows each role sees)
LISTS = [
    ("memoranda", {}, MEMORANDA_SEEN),
    ("memoranda", {"status": "active"}, MEMORANDA_SEEN),
    ("memoranda", {"visibility": "confidential"}, CONFIDENTIAL_SEEN),
    ("institutions", {}, INSTITUTIONS_SEEN),
    ("institutions", {"q": "Kestrel"}, KESTREL_INSTITUTIONS_SEEN),
    ("institutions", {"has_active_agreements": "true"}, ACTIVE_PARTIES_SEEN),
    ("institutions", {"has_active_agreements": "false"}, INACTIVE_PARTIES_SEEN),
    ("people", {}, PEOPLE_SEEN),
    ("people", {"q": "Kestrel"}, KESTREL_PEOPLE_SEEN),
]
# The world's rows each list holds, and the field that names a row: people by their names.
ROWS_OF = {
    "memoranda": ("memoranda", "id"),
    "institutions": ("inst", "id"),
    "people": ("people", "full_name"),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("path", "query", "seen"),
    [pytest.param(*case, id=f"{case[0]}?{urlencode(case[1])}") for case in LISTS],
)
def test_a_list_shows_exactly_and_counts_only_what_the_role_may_read(
    role, path, query, seen, world, as_role
):
    response = as_role(role).get(f"{API}{path}/", query)

    rows, field = ROWS_OF[path]
    assert keys_listed(response, getattr(world, rows), field) == seen[role]


# (the world's rows, the path of a row's detail)
DETAILS = {
    "an institution": ("inst", lambda institution: f"institutions/{institution.pk}/"),
    "a person": ("people", lambda person: f"people/{person.pk}/"),
    "a commitment, by its memorandum": (
        "memoranda",
        lambda memorandum: f"commitments/{memorandum.commitments.get().pk}/",
    ),
}
EVERY = {"inst": ALL_INSTITUTIONS, "people": ALL_PEOPLE, "memoranda": ALL_MEMORANDA}
READS = {"inst": INSTITUTIONS_SEEN, "people": PEOPLE_SEEN, "memoranda": PARTS_SEEN}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("rows", "path_of"), [pytest.param(*case, id=name) for name, case in DETAILS.items()]
)
def test_a_detail_is_404_unless_the_role_may_read_it(role, rows, path_of, world, as_role):
    client = as_role(role)

    statuses = {
        key: client.get(API + path_of(row)).status_code for key, row in getattr(world, rows).items()
    }

    assert statuses == {key: 200 if key in READS[rows][role] else 404 for key in EVERY[rows]}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", sorted(ALL_MEMORANDA))
def test_memorandum_detail_is_404_unless_the_role_may_read_it(role, key, world, as_role):
    memorandum = world.memoranda[key]

    response = as_role(role).get(f"{API}memoranda/{memorandum.pk}/")

    assert response.status_code == (200 if key in MEMORANDA_SEEN[role] else 404)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("institution", ["KI", "VA", "QI"])
def test_party_filter_does_not_reveal_hidden_memoranda(role, institution, world, as_role):
    response = as_role(role).get(f"{API}memoranda/", {"party": world.inst[institution].pk})

    expected = {
        key
        for key in MEMORANDA_SEEN[role]
        if world.memoranda[key].parties.filter(institution=world.inst[institution]).exists()
    }
    assert memoranda_listed(world, response) == expected


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("word", "key"),
    [
        ("Kestrel", "confidential"),  # title, party name and signatory of the hidden one
        ("Obsidian", "nu_confidential"),
        ("Quinn", "internal"),
    ],
)
def test_searching_for_a_hidden_memorandum_finds_nothing(role, word, key, world, as_role):
    response = as_role(role).get(f"{API}memoranda/", {"q": word})

    expected = {key} & MEMORANDA_SEEN[role]
    assert memoranda_listed(world, response) == expected


# --- Memoranda: fields and nested objects --------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("field", "readers", "value"),
    [
        pytest.param(
            "internal_notes",
            SEES_INTERNAL_NOTES,
            "Internal note on the public agreement.",
            id="internal notes only for the institution's own staff",
        ),
        pytest.param(
            "owner_email",
            SEES_CONTACT_DETAILS,
            "public@registry.example.org",
            id="owner email hidden from anonymous visitors only",
        ),
    ],
)
def test_a_memorandums_restricted_field_is_shown_only_to_its_readers(
    role, field, readers, value, world, as_role
):
    client = as_role(role)
    rows = client.get(f"{API}memoranda/").json()["results"]
    detail = client.get(f"{API}memoranda/{world.memoranda['public'].pk}/").json()

    expected = role in readers
    assert {(field in row) for row in rows} == {expected}
    assert (field in detail) is expected
    assert detail.get(field, value) == value


@pytest.mark.parametrize("role", ROLES)
def test_nested_signatories_never_carry_email_or_phone(role, world, as_role):
    rows = as_role(role).get(f"{API}memoranda/").json()["results"]

    signatories = [signatory for row in rows for signatory in row["signatories"]]
    assert signatories
    for signatory in signatories:
        assert "email" not in signatory
        assert "phone" not in signatory
        assert signatory["full_name"] in PEOPLE_SEEN[role]


@pytest.mark.parametrize("role", ROLES)
def test_memorandum_reads_with_parties_signatories_and_area_codes(role, world, as_role):
    nu, sustech = world.inst["NU"], world.inst["SUSTech"]

    body = as_role(role).get(f"{API}memoranda/{world.memoranda['public'].pk}/").json()

    parties = [
        {key: party[key] for key in ("institution", "name", "short_name", "country", "role")}
        for party in body["parties"]
    ]
    assert parties == [
        {
            "institution": nu.pk,
            "name": "Nazarbayev University",
            "short_name": "NU",
            "country": "KZ",
            "role": "party",
        },
        {
            "institution": sustech.pk,
            "name": "Southern University of Science and Technology",
            "short_name": "SUSTech",
            "country": "CN",
            "role": "party",
        },
    ]
    assert [s["full_name"] for s in body["signatories"]] == ["Shigeo Katsu", "Lu Chun"]
    assert [s["institution"] for s in body["signatories"]] == [nu.pk, sustech.pk]
    assert sorted(body["cooperation_areas"]) == ["research", "teaching"]
    assert body["status"] == "active"
    assert body["version"] == 1


@pytest.mark.parametrize("role", ["partner_nu", *STAFF])
def test_confidential_memorandum_of_nu_reads_whole_for_those_who_may(role, world, as_role):
    body = as_role(role).get(f"{API}memoranda/{world.memoranda['nu_confidential'].pk}/").json()

    assert body["title"] == "Obsidian research pact"
    assert [party["short_name"] for party in body["parties"]] == ["NU", "VA"]
    assert [s["full_name"] for s in body["signatories"]] == ["Vera Vault"]


# --- People --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_an_institutions_parent_is_shown_only_to_whoever_may_read_it(role, world, as_role):
    client = as_role(role)
    nu = world.inst["NU"]

    row = next(r for r in client.get(f"{API}institutions/").json()["results"] if r["id"] == nu.pk)
    detail = client.get(f"{API}institutions/{nu.pk}/").json()
    jsonld = client.get(f"{API}institutions/{nu.pk}/", {"format": "jsonld"}).json()

    shown = "QI" in INSTITUTIONS_SEEN[role]
    assert row["parent"] == detail["parent"] == (world.inst["QI"].pk if shown else None)
    parent_url = f"http://testserver/api/v1/institutions/{world.inst['QI'].pk}/"
    assert jsonld.get("parentOrganization") == ({"@id": parent_url} if shown else None)


@pytest.mark.parametrize("role", ROLES)
def test_a_persons_institution_is_shown_only_to_whoever_may_read_it(role, world, as_role):
    client = as_role(role)
    lu = Person.objects.get(full_name="Lu Chun")

    row = next(r for r in client.get(f"{API}people/").json()["results"] if r["id"] == lu.pk)
    detail = client.get(f"{API}people/{lu.pk}/").json()

    shown = "KI" in INSTITUTIONS_SEEN[role]
    assert row["institution"] == detail["institution"] == (world.inst["KI"].pk if shown else None)


@pytest.mark.parametrize("role", ROLES)
def test_people_filtered_by_a_hidden_institution_are_none(role, world, as_role):
    response = as_role(role).get(f"{API}people/", {"institution": world.inst["KI"].pk})

    expected = {"Kai Kestrel", "Lu Chun"} & PEOPLE_SEEN[role]
    assert keys_listed(response, world.people, "full_name") == (
        expected if "KI" in INSTITUTIONS_SEEN[role] else set()
    )


@pytest.mark.parametrize("role", ROLES)
def test_people_emails_and_phones_hidden_from_anonymous_visitors(role, world, as_role):
    client = as_role(role)
    rows = client.get(f"{API}people/").json()["results"]
    katsu = Person.objects.get(full_name="Shigeo Katsu")
    detail = client.get(f"{API}people/{katsu.pk}/").json()

    expected = role in SEES_CONTACT_DETAILS
    for person in [*rows, detail]:
        assert ("email" in person) is expected
        assert ("phone" in person) is expected


# --- Cooperation areas ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_the_cooperation_areas(role, world, as_role):
    response = as_role(role).get(f"{API}cooperation-areas/", {"page_size": 500})

    assert count(response) == CooperationArea.objects.count()
    assert "research" in {row["code"] for row in response.json()["results"]}


# --- Commitments ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_commitments_list_only_those_of_readable_memoranda(role, world, as_role):
    response = as_role(role).get(f"{API}commitments/")

    titles = {row["title"] for row in response.json()["results"]}
    assert titles == {f"Commitment of {key}" for key in PARTS_SEEN[role]}
    assert count(response) == len(PARTS_SEEN[role])


@pytest.mark.parametrize("role", ROLES)
def test_commitment_memorandum_filter_does_not_reveal_hidden_ones(role, world, as_role):
    hidden = world.memoranda["confidential"]

    response = as_role(role).get(f"{API}commitments/", {"memorandum": hidden.pk})

    assert count(response) == (1 if "confidential" in PARTS_SEEN[role] else 0)


# --- Documents -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_memorandum_documents_list_follows_the_document_rule(role, world, as_role):
    client = as_role(role)

    listed = {}
    for key, memorandum in world.memoranda.items():
        response = client.get(f"{API}memoranda/{memorandum.pk}/documents/")
        listed[key] = (
            [row["title"] for row in response.json()]
            if response.status_code == 200
            else response.status_code
        )

    assert listed == {
        key: (
            ([f"Signed copy of {key}"] if key in DOCUMENTS_SEEN[role] else [])
            if key in MEMORANDA_SEEN[role]
            else 404
        )
        for key in ALL_MEMORANDA
    }


@pytest.mark.parametrize("role", ROLES)
def test_document_download_is_404_unless_the_role_may_read_the_document(role, world, as_role):
    client = as_role(role)

    statuses = {
        key: client.get(f"{API}documents/{memorandum.documents.get().pk}/download/").status_code
        for key, memorandum in world.memoranda.items()
    }

    assert statuses == {key: 200 if key in DOCUMENTS_SEEN[role] else 404 for key in ALL_MEMORANDA}


@pytest.mark.parametrize("role", [*VIEWERS, "partner_nu", *STAFF])
def test_document_download_is_an_attachment_with_the_file(role, world, as_role):
    document = world.memoranda["public"].documents.get()

    response = as_role(role).get(f"{API}documents/{document.pk}/download/")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == b"%PDF-1.4 signed copy"


# --- Writes --------------------------------------------------------------------------------------

WRITERS = {"editor", "admin", "superuser"}
ADMINS = {"admin", "superuser"}


def a_file():
    return SimpleUploadedFile("annex.pdf", b"%PDF-1.4 annex", content_type="application/pdf")


def nu_pk(w):
    return w.inst["NU"].pk


def public_pk(w):
    return w.memoranda["public"].pk


def quiet_institute(w):
    return f"institutions/{w.inst['QI'].pk}/"


def spare_institution(w):
    spare = InstitutionFactory(name="Institution nobody refers to", country="KZ")
    return f"institutions/{spare.pk}/"


def nora(w):
    return f"people/{Person.objects.get(full_name='Nora Nosign').pk}/"


def unused_area(w):
    area = CooperationArea.objects.create(code="unused-area", name="Unused area")
    return f"cooperation-areas/{area.pk}/"


def public_memorandum(w):
    return f"memoranda/{public_pk(w)}/"


def abandoned_draft(w):
    return (
        f"memoranda/{MemorandumFactory(title='An abandoned draft', visibility='confidential').pk}/"
    )


def a_unit(w):
    return f"organisational-units/{w.units['Other School'].pk}/"


def public_commitment(w):
    return f"commitments/{Commitment.objects.get(memorandum=w.memoranda['public']).pk}/"


# (operation, who may, status when they do, path, body): the path and the body are each
# given as they are or as a function of the world.
WRITES = [
    ("POST institutions", WRITERS, 201,
     "institutions/", {"name": "Freshly Founded University", "country": "KZ"}),
    ("PUT institutions/{id}", WRITERS, 200,
     quiet_institute, {"name": "Quiet Institute", "country": "DE", "kind": "research_institute"}),
    ("PATCH institutions/{id}", WRITERS, 200, quiet_institute, {"city": "Bonn"}),
    ("DELETE institutions/{id}", ADMINS, 204, spare_institution, None),
    ("POST people", WRITERS, 201,
     "people/", lambda w: {"full_name": "New Person", "institution": nu_pk(w)}),
    ("PUT people/{id}", WRITERS, 200,
     nora, lambda w: {"full_name": "Nora Nosign", "institution": nu_pk(w), "position": "Provost"}),
    ("PATCH people/{id}", WRITERS, 200, nora, {"position": "Provost"}),
    ("DELETE people/{id}", ADMINS, 204, nora, None),
    ("POST organisational-units", WRITERS, 201,
     "organisational-units/", lambda w: {"institution": nu_pk(w), "name": "New Centre"}),
    ("PATCH organisational-units/{id}", WRITERS, 200, a_unit, {"short_name": "OS"}),
    ("DELETE organisational-units/{id}", ADMINS, 204,
     lambda w: f"organisational-units/{w.units['Kestrel Lab'].pk}/", None),
    ("POST cooperation-areas", ADMINS, 201,
     "cooperation-areas/", {"code": "space-research", "name": "Space research"}),
    ("PUT cooperation-areas/{id}", ADMINS, 200,
     unused_area, {"code": "unused-area", "name": "Still unused"}),
    ("PATCH cooperation-areas/{id}", ADMINS, 200, unused_area, {"name": "Still unused"}),
    ("DELETE cooperation-areas/{id}", ADMINS, 204, unused_area, None),
    ("POST memoranda", WRITERS, 201,
     "memoranda/", lambda w: {"title": "A fresh draft",
                              "parties": [{"institution": nu_pk(w), "role": "party"}]}),
    ("PUT memoranda/{id}", WRITERS, 200,
     public_memorandum, {"title": "Trilateral memorandum on teaching", "kind": "mou",
                         "stage": "signed", "signed_on": "2023-05-29", "visibility": "public",
                         "version": 1}),
    ("PATCH memoranda/{id}", WRITERS, 200,
     public_memorandum, {"summary": "Changed.", "version": 1}),
    ("DELETE memoranda/{id} (a draft)", WRITERS, 204, abandoned_draft, None),
    ("POST memoranda/{id}/documents (multipart)", WRITERS, 201,
     lambda w: f"memoranda/{public_pk(w)}/documents/",
     lambda w: {"title": "Annex", "kind": "annex", "language": "en", "file": a_file()}),
    ("POST commitments", WRITERS, 201,
     "commitments/", lambda w: {"memorandum": public_pk(w), "title": "Joint summer school"}),
    ("PUT commitments/{id} (not offered)", WRITERS, 405,
     public_commitment, lambda w: {"memorandum": public_pk(w), "title": "Joint summer school"}),
    ("PATCH commitments/{id}", WRITERS, 200, public_commitment, {"status": "in_progress"}),
    ("DELETE commitments/{id}", WRITERS, 204, public_commitment, None),
]  # fmt: skip


# A unit editor writes the public memorandum (its faculty's department owns it) and its parts;
# a memorandum without an owner of its units is refused on owner_unit; the confidential draft
# is not even readable to it; the directory is not its to write.
UNIT_EDITOR_WRITES = {
    "POST memoranda": 400,
    "PUT memoranda/{id}": 200,
    "PATCH memoranda/{id}": 200,
    "DELETE memoranda/{id} (a draft)": 404,
    "POST memoranda/{id}/documents (multipart)": 201,
    "POST commitments": 201,
    "PUT commitments/{id} (not offered)": 405,
    "PATCH commitments/{id}": 200,
    "DELETE commitments/{id}": 204,
}


def of_the(world, value):
    return value(world) if callable(value) else value


def expected_write_status(role, operation, allowed, success):
    if role == "anonymous":
        return 401
    if role == "unit_editor":
        return UNIT_EDITOR_WRITES.get(operation, 403)
    return success if role in allowed else 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("operation", "allowed", "success", "path", "body"),
    [pytest.param(*row, id=row[0]) for row in WRITES],
)
def test_write_matrix(role, operation, allowed, success, path, body, world, as_role):
    client = as_role(role)
    method = operation.split()[0].lower()
    path, body = of_the(world, path), of_the(world, body)

    send = getattr(client, method)
    if method == "post" and "documents" in path:
        response = send(API + path, body, format="multipart")
    elif body is None:
        response = send(API + path)
    else:
        response = send(API + path, body, format="json")

    expected = expected_write_status(role, operation, allowed, success)
    assert response.status_code == expected, response.content


def test_anonymous_write_is_told_to_authenticate_with_a_token(world, as_role):
    response = as_role("anonymous").post(
        f"{API}institutions/", {"name": "Anon U", "country": "KZ"}, format="json"
    )

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


@pytest.mark.parametrize("role", ["anonymous", "viewer", "auditor", "partner_nu", "partner_other"])
def test_a_refused_write_changes_nothing(role, world, as_role):
    client = as_role(role)
    public = world.memoranda["public"]

    client.patch(f"{API}memoranda/{public.pk}/", {"title": "Hijacked", "version": 1})
    client.post(f"{API}institutions/", {"name": "Sneaky U", "country": "KZ"})
    client.delete(f"{API}memoranda/{public.pk}/")

    public.refresh_from_db()
    assert public.title == "Trilateral memorandum on teaching"
    assert public.version == 1
    assert not Institution.objects.filter(name="Sneaky U").exists()


@pytest.mark.parametrize("role", ROLES)
def test_units_list_only_those_the_role_may_read(role, world, as_role):
    rows = as_role(role).get(f"{API}organisational-units/").json()["results"]
    assert {row["name"] for row in rows} == UNITS_SEEN[role]


def test_a_unit_editor_may_not_write_a_memorandum_of_another_unit(world, as_role):
    internal = world.memoranda["internal"]  # readable to it, owned by the Other School
    client = as_role("unit_editor")

    patched = client.patch(f"{API}memoranda/{internal.pk}/", {"summary": "Mine.", "version": 1})
    moved = client.patch(
        f"{API}memoranda/{world.memoranda['public'].pk}/",
        {"owner_unit": world.units["Other School"].pk, "version": 1},
        format="json",
    )
    created = client.post(
        f"{API}memoranda/",
        {"title": "Owned by the department", "owner_unit": world.units["Department"].pk},
        format="json",
    )

    assert patched.status_code == 403
    assert moved.status_code == 400 and list(moved.json()) == ["owner_unit"]
    assert created.status_code == 201, created.content
    internal.refresh_from_db()
    assert (internal.summary, internal.version) == ("The internal agreement.", 1)


@pytest.mark.parametrize("role", sorted(WRITERS))
def test_deleting_a_signed_memorandum_is_refused_with_a_message_on_stage(role, world, as_role):
    signed = world.memoranda["public"]

    response = as_role(role).delete(f"{API}memoranda/{signed.pk}/")

    assert response.status_code == 400
    assert response.json()["stage"]
    assert Memorandum.objects.filter(pk=signed.pk).exists()


# --- Optimistic locking on memoranda ------------------------------------------------------------


def test_memorandum_detail_carries_its_etag(world, as_role):
    public = world.memoranda["public"]

    response = as_role("editor").get(f"{API}memoranda/{public.pk}/")

    assert response["ETag"] == f'"m{public.pk}-v1"'


@pytest.mark.parametrize("method", ["put", "patch"])
def test_memorandum_update_without_version_or_if_match_is_refused_on_version(
    method, world, as_role
):
    public = world.memoranda["public"]
    body = {"title": "Renamed", "kind": "mou", "stage": "signed", "signed_on": "2023-05-29"}

    response = getattr(as_role("editor"), method)(f"{API}memoranda/{public.pk}/", body)

    assert response.status_code == 400
    assert response.json()["version"]
    public.refresh_from_db()
    assert public.title == "Trilateral memorandum on teaching"


def test_memorandum_update_with_the_etag_from_get_as_if_match_succeeds(world, as_role):
    client = as_role("editor")
    url = f"{API}memoranda/{world.memoranda['public'].pk}/"
    etag = client.get(url)["ETag"]

    response = client.patch(url, {"summary": "Changed."}, HTTP_IF_MATCH=etag)

    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    assert response.json()["summary"] == "Changed."


def test_memorandum_update_with_a_stale_version_is_409_and_changes_nothing(world, as_role):
    public = world.memoranda["public"]
    Memorandum.objects.filter(pk=public.pk).update(version=2)

    response = as_role("editor").patch(
        f"{API}memoranda/{public.pk}/", {"summary": "Changed.", "version": 1}
    )

    assert response.status_code == 409
    public.refresh_from_db()
    assert public.summary == "The public agreement."


def test_memorandum_update_with_a_stale_if_match_is_412_and_changes_nothing(world, as_role):
    public = world.memoranda["public"]

    response = as_role("editor").patch(
        f"{API}memoranda/{public.pk}/",
        {"summary": "Changed."},
        HTTP_IF_MATCH=f'"m{public.pk}-v0"',
    )

    assert response.status_code == 412
    public.refresh_from_db()
    assert public.summary == "The public agreement."


# --- Who created, changed and uploaded -----------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_staff_user_names_are_shown_to_staff_only(role, world, as_role):
    client = as_role(role)
    public = world.memoranda["public"]

    rows = client.get(f"{API}memoranda/").json()["results"]
    detail = client.get(f"{API}memoranda/{public.pk}/").json()
    documents = client.get(f"{API}memoranda/{public.pk}/documents/").json()

    name = "office-clerk" if role in SEES_STAFF_NAMES else None
    for memorandum in [*rows, detail]:
        assert (memorandum["created_by"], memorandum["updated_by"]) == (name, name)
    assert [document["uploaded_by"] for document in documents] == (
        [name] if "public" in DOCUMENTS_SEEN[role] else []
    )
