"""Reads of memoranda: every list, page and export asks `memorandum_visible_to` first."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.utils import timezone
from django_countries import countries

from partners.models import Institution, InstitutionAlias, OrganisationalUnit, PartnerLink, Person
from partners.selectors import localized_name
from registry import roles
from registry.caching import remembered
from registry.history import historical_m2m_rows, history_entries

from .fingerprint import stored_fingerprint
from .models import (
    Acknowledgement,
    ApprovalDecision,
    Commitment,
    CooperationArea,
    Document,
    Memorandum,
    Party,
    Signatory,
)
from .querysets import status_expression


def partner_institution_id(user) -> int | None:
    """The institution a partner client reads for, or None for any other user."""
    if not user.is_authenticated:
        return None
    cached = getattr(user, "_partner_institution_id", False)
    if cached is False:
        cached = (
            PartnerLink.objects.filter(user=user).values_list("institution_id", flat=True).first()
        )
        user._partner_institution_id = cached
    return cached


def memorandum_visibility_q(user) -> Q | None:
    """What `user` may read of memoranda, as a filter; None means everything."""
    if roles.reads_everything(user):
        return None
    allowed = Q(visibility=Memorandum.Visibility.PUBLIC)
    if roles.is_viewer(user):
        allowed |= Q(visibility=Memorandum.Visibility.INTERNAL)
    institution_id = partner_institution_id(user)
    if institution_id is not None:
        allowed |= Exists(
            Party.objects.filter(memorandum=OuterRef("pk"), institution_id=institution_id)
        )
    return allowed


def reader_audience(user) -> str:
    """What `memorandum_visibility_q` lets `user` read, in a few words: a file made for them
    (a background export) is served again only while these are the same (`JOBS_AUDIENCE`)."""
    if not user.is_active:
        return "nothing"
    if roles.reads_everything(user):
        return "everything"
    parts = ["public"]
    if roles.is_viewer(user):
        parts.append("internal")
    institution_id = partner_institution_id(user)
    if institution_id is not None:
        parts.append(f"partner:{institution_id}")
    return " ".join(parts)


def memorandum_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """The one gate for reading memoranda: lists, details, exports, statistics, feeds."""
    queryset = Memorandum.objects.all() if queryset is None else queryset
    allowed = memorandum_visibility_q(user)
    return queryset if allowed is None else queryset.filter(allowed)


def memorandum_list(user, *, acknowledgements: bool = True) -> QuerySet:
    """Visible memoranda with their status and everything a list row shows, in fixed queries:
    unless `acknowledgements=False` (as an export, which has no use for them), the
    acknowledgements come prefetched too. The fingerprint is stored on the memorandum.

    `supersedes_visible` says whether the user may see the memorandum this one supersedes, so
    that a public amendment never reveals the id of a confidential original; `approvals_visible`
    whether the user reads where memoranda stand in their sign-off routes (staff only).
    """
    allowed = memorandum_visibility_q(user)
    supersedes_visible = (
        Value(True)
        if allowed is None
        else Exists(Memorandum.objects.filter(allowed, pk=OuterRef("supersedes_id")))
    )
    acknowledgement_prefetches = (
        [
            Prefetch(
                "acknowledgements",
                queryset=Acknowledgement.objects.order_by("acknowledged_at", "id"),
            )
        ]
        if acknowledgements
        else []
    )
    return (
        memorandum_visible_to(user)
        .with_status()
        .annotate(
            supersedes_visible=supersedes_visible,
            approvals_visible=Value(is_registry_staff(user)),
        )
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=Party.objects.select_related("institution").order_by("order", "id"),
            ),
            Prefetch(
                "signatories",
                queryset=Signatory.objects.select_related("person", "institution"),
            ),
            "cooperation_areas",
            "sdgs",
            Prefetch("tags", to_attr="tag_list"),
            *acknowledgement_prefetches,
        )
        .select_related("created_by", "updated_by", "supersedes")
    )


def restrict_to_visible_memoranda(user, queryset: QuerySet, field: str = "memorandum") -> QuerySet:
    """Rows of `queryset` whose memorandum (through `field`) the user may read."""
    allowed = memorandum_visibility_q(user)
    if allowed is None:
        return queryset
    return queryset.filter(**{f"{field}__in": Memorandum.objects.filter(allowed).values("pk")})


def is_registry_staff(user) -> bool:
    """The institution's own staff: the registry's groups or a staff account, never anonymous
    visitors nor partner clients (a user linked to a partner institution reads for it)."""
    if roles.reads_everything(user):
        return True
    return (roles.is_viewer(user) or user.is_staff) and partner_institution_id(user) is None


def can_read_staff_names(user) -> bool:
    """Who created, changed or uploaded a record (`created_by`, `updated_by`, `uploaded_by`)
    is the staff's business."""
    return is_registry_staff(user)


def can_read_internal_notes(user) -> bool:
    """Internal notes are for the institution's own staff: never anonymous or partner clients."""
    return roles.reads_everything(user) or (
        roles.is_viewer(user) and partner_institution_id(user) is None
    )


def institutions_with_active_agreements(user) -> QuerySet:
    """Ids of institutions party to an active memorandum that `user` may read."""
    active = memorandum_visible_to(user).with_status().filter(status=Memorandum.Status.ACTIVE)
    return Party.objects.filter(memorandum__in=active.values("pk")).values("institution_id")


def commitment_visible_to(user) -> QuerySet:
    """Commitments of memoranda the user may read; anonymous visitors see none."""
    if not user.is_authenticated:
        return Commitment.objects.none()
    return restrict_to_visible_memoranda(user, Commitment.objects.all())


def document_visible_to(user) -> QuerySet:
    """The one gate for documents, wherever they are listed or downloaded: staff read those of
    the memoranda they may read; a partner client only those of memoranda its own institution
    is a party of (not those of every public one); anyone else none."""
    if is_registry_staff(user):
        return restrict_to_visible_memoranda(user, Document.objects.all())
    own = partner_institution_id(user)
    if own is None:
        return Document.objects.none()
    return Document.objects.filter(
        Exists(Party.objects.filter(memorandum=OuterRef("memorandum_id"), institution_id=own))
    )


# Choices of the pages' filter forms. The querysets they take are visible to the reader
# (`memorandum_visible_to`) and filtered by the `MemorandumFilterSet`.


def party_countries(queryset: QuerySet) -> list[tuple[str, str]]:
    """(code, name) of the countries of the parties of `queryset`, by name: the data version,
    then (unless cached for that version) one query."""
    codes = (
        Party.objects.filter(memorandum__in=queryset.order_by().values("pk"))
        .values_list("institution__country", flat=True)
        .distinct()
        .order_by()
    )
    return remembered(
        "party-countries",
        codes,
        lambda: sorted(((code, countries.name(code)) for code in codes), key=lambda c: c[1]),
    )


def cooperation_areas() -> list[CooperationArea]:
    """Every cooperation area by name, for a filter's choices: one query."""
    return list(CooperationArea.objects.order_by("name", "id"))


def ordered_parties() -> Prefetch:
    """The parties in their order, each with its institution and that institution's name in
    the active language (`institution_localized_name`, in the same query)."""
    return Prefetch(
        "parties",
        queryset=Party.objects.select_related("institution")
        .annotate(institution_localized_name=localized_name("institution"))
        .order_by("order", "id"),
    )


def memorandum_history(memorandum: Memorandum) -> list[dict]:
    """The memorandum's own changes and those of its parts, newest first."""
    sources = [
        Memorandum.history.filter(id=memorandum.pk),
        *(
            model.history.filter(memorandum_id=memorandum.pk)
            for model in (Party, Signatory, Commitment, Document, Acknowledgement, ApprovalDecision)
        ),
    ]
    entries = [entry for records in sources for entry in history_entries(records)]
    return sorted(entries, key=lambda entry: (entry["at"], entry["history_id"]), reverse=True)


def end_of(day: datetime.date) -> datetime.datetime:
    """The last moment of `day`."""
    midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(midnight) - datetime.timedelta(microseconds=1)


def history_as_of(model, moment: datetime.datetime) -> QuerySet:
    """The records of `model`'s history that held at `moment`: the latest of each row, unless
    it was deleted by then."""
    return model.history.filter(history_date__lte=moment).latest_of_each().exclude(history_type="-")


def memoranda_as_of(day: datetime.date) -> QuerySet:
    """The memoranda as they stood at the end of `day` (records of their history), each with
    its `status` on that day: superseded by the memoranda signed by then."""
    as_of = history_as_of(Memorandum, end_of(day))
    successors = as_of.filter(supersedes_id=OuterRef("id"), stage=Memorandum.Stage.SIGNED)
    return as_of.annotate(status=status_expression(day, Exists(successors)))


def memorandum_register_as_of(
    day: datetime.date, *, ordering: list[str] = ("-signed_on",)
) -> list[Memorandum]:
    """The register as it stood at the end of `day`, rebuilt from the history.

    Each memorandum comes with its parties, signatories, areas, SDGs, commitments, documents
    and acknowledgements of that moment (and its status on that day) in the shape
    `memorandum_list` gives, with the fingerprint of its terms then; tags, which are not
    historised, and institution names are today's.
    """
    moment = end_of(day)
    records = list(memoranda_as_of(day))
    memoranda = [record.instance for record in records]
    ids = [memorandum.pk for memorandum in memoranda]
    parties = _parts_as_of(Party, ids, moment)
    signatories = _parts_as_of(Signatory, ids, moment)
    commitments = _parts_as_of(Commitment, ids, moment)
    documents = _parts_as_of(Document, ids, moment)
    acknowledgements = _parts_as_of(Acknowledgement, ids, moment)
    commitment_areas = CooperationArea.objects.in_bulk({c.area_id for c in commitments} - {None})
    institution_ids = {p.institution_id for p in parties} | {s.institution_id for s in signatories}
    institutions = Institution.objects.in_bulk(institution_ids)
    people = Person.objects.in_bulk({signatory.person_id for signatory in signatories})
    users = get_user_model().objects.in_bulk(
        ({m.created_by_id for m in memoranda} | {m.updated_by_id for m in memoranda}) - {None}
    )
    history_ids = {record.id: record.history_id for record in records}
    areas = _m2m_as_of(Memorandum.history.model, "cooperation_areas", history_ids)
    sdgs = _m2m_as_of(Memorandum.history.model, "sdgs", history_ids)
    tags = {
        memorandum.pk: memorandum.tag_list
        for memorandum in Memorandum.objects.filter(pk__in=ids).prefetch_related(
            Prefetch("tags", to_attr="tag_list")
        )
    }
    for party in parties:
        party.institution = institutions[party.institution_id]
    for signatory in signatories:
        signatory.institution = institutions[signatory.institution_id]
        signatory.person = people[signatory.person_id]
    for commitment in commitments:
        commitment.area = commitment_areas.get(commitment.area_id)
    by_id = {memorandum.pk: memorandum for memorandum in memoranda}
    for record, memorandum in zip(records, memoranda, strict=True):
        if memorandum.supersedes_id:
            memorandum.supersedes = by_id.get(memorandum.supersedes_id)
        memorandum.status = record.status
        memorandum.created_by = users.get(memorandum.created_by_id)
        memorandum.updated_by = users.get(memorandum.updated_by_id)
        memorandum.tag_list = tags.get(memorandum.pk, [])
        memorandum._prefetched_objects_cache = {
            "parties": sorted(
                (p for p in parties if p.memorandum_id == memorandum.pk),
                key=lambda party: (party.order, party.pk),
            ),
            "signatories": sorted(
                (s for s in signatories if s.memorandum_id == memorandum.pk),
                key=lambda signatory: signatory.pk,
            ),
            "cooperation_areas": areas.get(memorandum.pk, []),
            "sdgs": sdgs.get(memorandum.pk, []),
            **{
                name: sorted(
                    (part for part in parts if part.memorandum_id == memorandum.pk),
                    key=lambda part: part.pk,
                )
                for name, parts in (
                    ("commitments", commitments),
                    ("documents", documents),
                    ("acknowledgements", acknowledgements),
                )
            },
        }
        # The fingerprint of the terms as they stood then, not the one stored for today's.
        memorandum.fingerprint = stored_fingerprint(memorandum)
    return _ordered(memoranda, ordering)


def _ordered(memoranda: list[Memorandum], ordering) -> list[Memorandum]:
    """The list's ordering done in Python: empty values last, ties broken by id."""
    memoranda = sorted(memoranda, key=lambda m: m.pk, reverse=ordering[-1].startswith("-"))
    for key in reversed(ordering):
        name = key.lstrip("-")
        present = [m for m in memoranda if getattr(m, name) is not None]
        missing = [m for m in memoranda if getattr(m, name) is None]
        present.sort(key=lambda m: getattr(m, name), reverse=key.startswith("-"))
        memoranda = present + missing
    return memoranda


def _parts_as_of(model, memorandum_ids, moment) -> list:
    return [
        record.instance
        for record in history_as_of(model, moment).filter(memorandum_id__in=memorandum_ids)
    ]


def _m2m_as_of(historical_model, field_name, history_ids: dict[int, int]) -> dict[int, list]:
    """memorandum id → the related objects its recorded state held in `field_name`."""
    rows = historical_m2m_rows(historical_model, field_name, history_ids.values())
    related_model = Memorandum._meta.get_field(field_name).related_model
    related = related_model.objects.in_bulk({related_id for _, related_id in rows})
    memorandum_of = {history_id: pk for pk, history_id in history_ids.items()}
    by_memorandum: dict[int, list] = {}
    for history_id, related_id in rows:
        by_memorandum.setdefault(memorandum_of[history_id], []).append(related[related_id])
    return by_memorandum


# Institutions and people: staff see the whole directory; others those of what they may read.


def _sees_whole_directory(user) -> bool:
    return roles.reads_everything(user) or (
        roles.is_viewer(user) and partner_institution_id(user) is None
    )


def institution_visible_to(user) -> QuerySet:
    """Everyone on staff sees every institution; others only those party to what they may read."""
    if _sees_whole_directory(user):
        return Institution.objects.all()
    parties = restrict_to_visible_memoranda(user, Party.objects.all())
    allowed = Q(pk__in=parties.values("institution_id"))
    own = partner_institution_id(user)
    if own is not None:
        allowed |= Q(pk=own)
    return Institution.objects.filter(allowed)


def organisational_unit_visible_to(user) -> QuerySet:
    """Everyone on staff sees every unit; others the units of the institutions they see and
    the units that own or are party to a memorandum they may read."""
    if _sees_whole_directory(user):
        return OrganisationalUnit.objects.all()
    owners = memorandum_visible_to(user).exclude(owner_unit=None).values("owner_unit_id")
    party_units = restrict_to_visible_memoranda(user, Party.objects.exclude(unit=None))
    return OrganisationalUnit.objects.filter(
        Q(institution__in=institution_visible_to(user).values("pk"))
        | Q(pk__in=owners)
        | Q(pk__in=party_units.values("unit_id"))
    )


def organisational_unit_list(user) -> QuerySet:
    """Visible units, each with `parent_visible` (a parent is of the same institution, but a
    reader who sees a unit through one memorandum need not see its parent)."""
    return organisational_unit_visible_to(user).annotate(
        parent_visible=_readable(user, organisational_unit_visible_to, "parent_id")
    )


def person_visible_to(user) -> QuerySet:
    """Everyone on staff sees every person; others only the signatories of what they may read."""
    if _sees_whole_directory(user):
        return Person.objects.all()
    signatories = restrict_to_visible_memoranda(user, Signatory.objects.all())
    return Person.objects.filter(pk__in=signatories.values("person_id"))


def _readable(user, gate, field: str):
    """Whether the row that `field` refers to passes `gate` for `user`, as an annotation: the
    list shows a related object (even its id) only to whoever may read it."""
    if _sees_whole_directory(user):
        return Value(True)
    return Exists(gate(user).filter(pk=OuterRef(field)))


def institution_list(user) -> QuerySet:
    """Visible institutions with their aliases, each with `parent_visible`."""
    return (
        institution_visible_to(user)
        .annotate(parent_visible=_readable(user, institution_visible_to, "parent_id"))
        .prefetch_related(
            Prefetch("aliases", queryset=InstitutionAlias.objects.order_by("name", "id"))
        )
    )


def person_list(user) -> QuerySet:
    """Visible people, each with `institution_visible`: the institution a person belongs to
    now need not be one they signed for."""
    return (
        person_visible_to(user)
        .annotate(institution_visible=_readable(user, institution_visible_to, "institution_id"))
        .select_related("institution")
    )


# Any model's gate, for pages that show related objects of many kinds (the admin).


def _parts_of_visible_memoranda(model):
    return lambda user: restrict_to_visible_memoranda(user, model.objects.all())


def _staff_accounts(user) -> QuerySet:
    users = get_user_model().objects.all()
    return users if can_read_staff_names(user) else users.none()


# model → (its gate, whether a user reads all of it): the gate need not be asked then.
GATES = {
    Memorandum: (memorandum_visible_to, roles.reads_everything),
    Party: (_parts_of_visible_memoranda(Party), roles.reads_everything),
    Signatory: (_parts_of_visible_memoranda(Signatory), roles.reads_everything),
    Acknowledgement: (_parts_of_visible_memoranda(Acknowledgement), roles.reads_everything),
    Commitment: (commitment_visible_to, roles.reads_everything),
    Document: (document_visible_to, roles.reads_everything),
    Institution: (institution_visible_to, _sees_whole_directory),
    Person: (person_visible_to, _sees_whole_directory),
    OrganisationalUnit: (organisational_unit_visible_to, _sees_whole_directory),
    get_user_model(): (_staff_accounts, can_read_staff_names),
}


def reads_all_of(user, model) -> bool:
    """Whether `user` may read every row of `model`. A model without a gate here (cooperation
    areas, SDGs, tags; groups and the like, whose pages only administrators open) is read by
    whoever reaches the page that shows it."""
    gate = GATES.get(model)
    return gate is None or gate[1](user)


def visible_rows(user, model) -> QuerySet:
    """The rows of `model` that `user` may read, through the model's gate."""
    if reads_all_of(user, model):
        return model._default_manager.all()
    return GATES[model][0](user)
