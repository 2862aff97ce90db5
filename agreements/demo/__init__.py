"""The demo data in `data.json`: the reference case in full and a few dozen more agreements.

Apart from the reference case (Nazarbayev University, UNESCO-ICHEI and SUSTech, 2023-05-29),
the agreements, their terms and the people who sign them are illustrative: the institutions are
real, the memoranda between them are not. ROR ids are given only where they are known to be
the institution's own; the others are left blank.

In the data, records name institutions, people and units by their `key` and areas by their
code; a parent comes before the institutions (or units) that name it, and a memorandum before
the one that `supersedes` it. The units are faculties and offices of Nazarbayev University, the
demo's own institution (`REGISTRY_HOME_INSTITUTION=NU`), that own its memoranda. Signatories
sign for their person's institution on the day of signing.

`load_demo()` is idempotent: institutions are matched by (name, country), people by (full
name, institution), and memoranda by what they are: the same parties and the same title or
reference. An institution or person that differs from the data here is updated in place; a
memorandum already there is left alone, so that a second run changes nothing and creates
nothing. A reference is no proof on its own: a registry may have given the demo's reference to
a memorandum of its own, and the demo's is then loaded under a fresh reference.

An alias is a name alone, or `{"name": ..., "language": ...}` for the institution's name in
one of the interface's languages (shown to readers of that language): the reference case's
three institutions are named in Kazakh, Russian and Chinese besides their official English.

A few dates are relative to the day of loading (`{"days_from_today": N}`), so that a fresh
load always has pending agreements and agreements expiring within 90 and 180 days. They are
resolved once, when the memorandum is created; signing dates are fixed, so that a reference's
year is always the year of signing.
"""

import datetime
import json
from collections import Counter
from importlib import resources
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from partners.models import Institution, OrganisationalUnit, Person
from partners.names import normalise
from partners.services import (
    institution_create,
    institution_update,
    organisational_unit_create,
    organisational_unit_update,
    person_create,
    person_update,
)

from ..approvals.services import (
    approval_approve,
    approval_route_create,
    approval_submit,
    approver_ensure,
)
from ..models import ApprovalRoute, CooperationArea, Memorandum
from ..services import memorandum_create, reference_counters_raise

DATA = json.loads(resources.files(__name__).joinpath("data.json").read_text(encoding="utf-8"))
REFERENCE_CASE: str = DATA["reference_case"]
DATES = {"established_on", "signed_on", "effective_from", "expires_on", "due_on", "completed_on"}
# Every field the data may set, so that one it leaves out is reset to the model's default.
INSTITUTION_FIELDS = (
    "name short_name kind country city website ror_id hei_id erasmus_code established_on "
    "description"
)
UNIT_FIELDS = "short_name kind ounit_id ounit_code"
PERSON_FIELDS = "honorific position email phone"
COUNTS = (
    "institutions",
    "aliases",
    "people",
    "units",
    "memoranda",
    "renumbered",
    "updated",
    "skipped",
    "routes",
    "approvers",
)
# Keys of memoranda and commitments that name other records rather than give their own fields.
REFERRING = {
    "parties",
    "signatories",
    "commitments",
    "areas",
    "supersedes",
    "area",
    "responsible",
    "owner_unit",
}


def _dates(data: dict[str, Any], today: datetime.date) -> dict[str, Any]:
    def date(value):
        if isinstance(value, dict):
            return today + datetime.timedelta(days=value["days_from_today"])
        return datetime.date.fromisoformat(value)

    return {key: date(value) if key in DATES else value for key, value in data.items()}


def _values(model, data: dict[str, Any], names: str) -> dict[str, Any]:
    fields = (model._meta.get_field(name) for name in names.split())
    return {field.name: data.get(field.name, field.get_default()) for field in fields}


def _changes(obj, values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if getattr(obj, name) != value}


def _alias(alias: str | dict) -> tuple[str, str]:
    """(name, language) of an alias in the data; a name alone has no language."""
    return (alias, "") if isinstance(alias, str) else (alias["name"], alias.get("language", ""))


def _load_institutions(counts: dict, actor) -> dict[str, Institution]:
    institutions: dict[str, Institution] = {}
    for data in DATA["institutions"]:
        values = _values(Institution, _dates(data, timezone.localdate()), INSTITUTION_FIELDS)
        values["parent_id"] = institutions[data["parent"]].pk if "parent" in data else None
        institution = Institution.objects.filter(
            name__iexact=data["name"], country=data["country"]
        ).first()
        if institution is None and values["ror_id"]:
            institution = Institution.objects.filter(ror_id=values["ror_id"]).first()
        existing = list(institution.aliases.values_list("name", "language")) if institution else []
        known = {(normalise(name), language) for name, language in existing}
        missing = [
            alias
            for alias in map(_alias, data.get("aliases", ()))
            if (normalise(alias[0]), alias[1]) not in known
        ]
        counts["aliases"] += len(missing)
        if institution is None:
            institution = institution_create(actor=actor, aliases=missing, **values)
            counts["institutions"] += 1
        elif (changes := _changes(institution, values)) or missing:
            # The service sets the aliases as a whole: keep those added by hand.
            aliases = existing + missing if missing else None
            institution_update(institution=institution, actor=actor, aliases=aliases, **changes)
            counts["updated"] += bool(changes)
        institutions[data["key"]] = institution
    return institutions


def _load_people(institutions: dict[str, Institution], counts: dict, actor) -> dict[str, Person]:
    people: dict[str, Person] = {}
    for data in DATA["people"]:
        found = {"full_name": data["full_name"], "institution": institutions[data["institution"]]}
        values = _values(Person, data, PERSON_FIELDS)
        person = Person.objects.filter(**found).first()
        if person is None:
            person = person_create(actor=actor, **found, **values)
            counts["people"] += 1
        elif changes := _changes(person, values):
            person_update(person=person, actor=actor, **changes)
            counts["updated"] += 1
        people[data["key"]] = person
    return people


def _load_units(
    institutions: dict[str, Institution], counts: dict, actor
) -> dict[str, OrganisationalUnit]:
    units: dict[str, OrganisationalUnit] = {}
    for data in DATA["units"]:
        institution = institutions[data["institution"]]
        values = _values(OrganisationalUnit, data, UNIT_FIELDS)
        values["parent"] = units[data["parent"]] if "parent" in data else None
        unit = OrganisationalUnit.objects.filter(
            institution=institution, name__iexact=data["name"]
        ).first()
        if unit is None:
            unit = organisational_unit_create(
                actor=actor, institution=institution, name=data["name"], **values
            )
            counts["units"] += 1
        elif changes := _changes(unit, values):
            organisational_unit_update(organisational_unit=unit, actor=actor, **changes)
            counts["updated"] += 1
        units[data["key"]] = unit
    return units


def _memorandum_arguments(
    data, *, institutions, people, units, areas, loaded, today
) -> dict[str, Any]:
    data = _dates(data, today)
    signers = [(people[signer["person"]], signer["mode"]) for signer in data.get("signatories", ())]
    signatories = [
        {
            "person": person,
            "institution": person.institution,
            "position_at_signing": person.position,
            "signed_on": data["signed_on"],
            "mode": mode,
        }
        for person, mode in signers
    ]
    commitments = [
        {
            **{k: v for k, v in _dates(commitment, today).items() if k not in REFERRING},
            "area": areas[commitment["area"]] if "area" in commitment else None,
            "responsible_institution": institutions[commitment["responsible"]],
        }
        for commitment in data.get("commitments", ())
    ]
    defaults = DATA["memorandum_defaults"]
    return {
        **{key: value for key, value in defaults.items() if key not in REFERRING},
        **{key: value for key, value in data.items() if key not in REFERRING},
        "owner_unit": units[data.get("owner_unit", defaults["owner_unit"])],
        "supersedes": loaded[data["supersedes"]] if "supersedes" in data else None,
        "parties": [
            {"institution": institutions[party["institution"]], "role": party["role"]}
            for party in data["parties"]
        ],
        "signatories": signatories,
        "commitments": commitments,
        "cooperation_areas": [areas[code] for code in data.get("areas", ())],
    }


def load_demo_directory() -> tuple[dict[str, Institution], dict[str, Person]]:
    """Only the demo's institutions (with aliases) and people, by key: the directory that
    announcements are read against in the intake tests. Idempotent, like `load_demo`."""
    with transaction.atomic():
        institutions = _load_institutions(Counter(), actor=None)
        return institutions, _load_people(institutions, Counter(), actor=None)


def _memoranda_present(institutions: dict[str, Institution]) -> dict[str, Memorandum]:
    """The data's memoranda already in the database, by their reference in the data: those
    with the data's parties and its title, or its reference (a title changed by hand since)."""
    candidates = Memorandum.objects.filter(
        Q(title__in=[data["title"] for data in DATA["memoranda"]])
        | Q(reference__in=[data["reference"] for data in DATA["memoranda"]])
    ).prefetch_related("parties")
    parties_of = {
        memorandum: {party.institution_id for party in memorandum.parties.all()}
        for memorandum in candidates
    }
    present: dict[str, Memorandum] = {}
    for data in DATA["memoranda"]:
        parties = {institutions[party["institution"]].pk for party in data["parties"]}
        matches = [
            memorandum
            for memorandum, its_parties in parties_of.items()
            if its_parties == parties
            and (memorandum.title == data["title"] or memorandum.reference == data["reference"])
        ]
        if matches:
            # One with the title before one with only the reference.
            found = min(matches, key=lambda m: (m.title != data["title"], m.pk))
            present[data["reference"]] = found
            del parties_of[found]
    return present


def _load_approvals(loaded: dict[str, Memorandum], counts: dict, actor) -> None:
    """The sign-off routes, the users who decide their steps, and memoranda on their way
    through them. The routes come after the memoranda: the demo's signed ones were signed
    before any route applied to them. A route for a kind that already has one is left alone,
    and a memorandum already submitted is left where it stands."""
    approvers = {}
    for data in DATA["approvers"]:
        approvers[data["username"]], created = approver_ensure(actor=actor, **data)
        counts["approvers"] += created
    routed = set(ApprovalRoute.objects.filter(owner_unit=None).values_list("kind", flat=True))
    for data in DATA["approval_routes"]:
        if data["kind"] in routed:
            continue
        steps = [
            {"name": step["name"], "group": Group.objects.get(name=step["group"])}
            for step in data["steps"]
        ]
        approval_route_create(name=data["name"], kind=data["kind"], steps=steps, actor=actor)
        counts["routes"] += 1
    for data in DATA["in_approval"]:
        memorandum = loaded.get(data["reference"])
        if memorandum is None or hasattr(memorandum, "approval"):
            continue
        approval_submit(memorandum=memorandum, actor=actor)
        for username in data["approved_by"]:
            approval_approve(memorandum=memorandum, actor=approvers[username])


def load_demo(*, actor=None) -> dict[str, int]:
    """Load the demo data; running it again creates and changes nothing.

    Returns how many institutions, aliases, people and memoranda were created (`renumbered`:
    how many of those memoranda got a fresh reference because another memorandum has theirs),
    how many institutions and people were `updated` to match the data here, and how many
    memoranda were `skipped` because they are already there, and how many approval `routes`
    and `approvers` (users who decide their steps) were created.
    """
    counts = dict.fromkeys(COUNTS, 0)
    today = timezone.localdate()
    with transaction.atomic():
        institutions = _load_institutions(counts, actor)
        people = _load_people(institutions, counts, actor)
        units = _load_units(institutions, counts, actor)
        areas = CooperationArea.objects.in_bulk(DATA["area_codes"], field_name="code")
        # References generated for the renumbered ones come after the data's fixed ones.
        highest: dict[int, int] = {}
        for data in DATA["memoranda"]:
            year, sequence = map(int, data["reference"].split("-")[1:])
            highest[year] = max(highest.get(year, 0), sequence)
        reference_counters_raise(highest=highest)
        loaded = _memoranda_present(institutions)
        counts["skipped"] = len(loaded)
        taken = set(
            Memorandum.objects.filter(
                reference__in=[data["reference"] for data in DATA["memoranda"]]
            ).values_list("reference", flat=True)
        )
        for data in DATA["memoranda"]:
            if data["reference"] in loaded:
                continue
            arguments = _memorandum_arguments(
                data,
                institutions=institutions,
                people=people,
                units=units,
                areas=areas,
                loaded=loaded,
                today=today,
            )
            if data["reference"] in taken:
                arguments["reference"] = ""  # a fresh one from the year's counter
                counts["renumbered"] += 1
            loaded[data["reference"]] = memorandum_create(actor=actor, **arguments)
            counts["memoranda"] += 1
        _load_approvals(loaded, counts, actor)
    return counts
