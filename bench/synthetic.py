"""Realistic synthetic data in bulk, for benchmarks and load tests (`manage.py seed_bulk`).

Rows go in with `bulk_create` in batches, without the per-row services, validation and history
an edit gets: this is a way to fill a database fast, not a way to enter agreements. The data
derived from the rows (the fingerprints) is computed by the services' own helper, as a bulk
import has it computed.
"""

import datetime
import random
from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import BigIntegerField, Max
from django.db.models.functions import Cast, Substr
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from agreements.models import CooperationArea, Memorandum, Party, Signatory
from agreements.services import memorandum_derived_data_refresh
from partners.models import Institution, InstitutionAlias, Person
from partners.names import match_key
from registry.caching import data_changed

BATCH = 5_000
COUNTRIES = [
    "KZ", "CN", "DE", "FR", "GB", "US", "JP", "KR", "SG", "AU", "CA", "BR", "IN", "ZA", "TR",
    "IT", "ES", "NL", "SE", "CH", "UZ", "KG", "RU", "PL", "MX",
]  # fmt: skip
SYLLABLES = [
    "al", "bar", "cen", "dor", "el", "far", "gan", "hel", "is", "jor", "kal", "lin", "mar",
    "nor", "os", "pol", "quin", "ros", "sal", "tor", "ur", "val", "wes", "xan", "yor", "zel",
]  # fmt: skip
FORMS = [
    "University of {}",
    "{} University",
    "{} Institute of Technology",
    "{} State University",
    "{} Academy of Sciences",
    "National University of {}",
]
TITLES = ["Memorandum of understanding", "Exchange agreement", "Framework agreement"]
SUBJECTS = ["research", "student exchange", "joint programmes", "online education"]
TAGS = ["exchange", "research", "erasmus", "iioe", "stem", "summer-school", "climate", "health"]
FIRST = ["Aigerim", "Wei", "Anna", "Hiroshi", "Maria", "John", "Priya", "Olga", "Ahmed", "Lena"]
LAST = ["Sarsenova", "Zhang", "Müller", "Tanaka", "Silva", "Smith", "Sharma", "Ivanova", "Ali"]


def _place(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def seed_bulk(
    *,
    memoranda: int,
    seed: int = 2023,
    report: Callable[[str], None] = lambda message: None,
    progress: Callable[[int], None] = lambda added: None,
) -> dict[str, int]:
    """Add `memoranda` memoranda with about 3 parties and 2 signatories each, among
    `memoranda * 0.3` institutions (at least 50), in every status and visibility. `report`
    says what each step made; `progress` is told how many memoranda each batch added."""
    rng = random.Random(seed)
    today = timezone.localdate()
    institutions_wanted = max(50, memoranda * 3 // 10)
    counts = {}
    with transaction.atomic():
        # A benchmark's loader, not a door: it writes in bulk, and tells the cache itself.
        data_changed()
        names = set(Institution.objects.values_list("name", flat=True))
        new_institutions = []
        while len(new_institutions) < institutions_wanted:
            name = rng.choice(FORMS).format(_place(rng))
            if name in names:
                continue
            names.add(name)
            new_institutions.append(
                Institution(
                    name=name,
                    short_name="".join(word[0] for word in name.split() if word[0].isupper()),
                    country=rng.choice(COUNTRIES),
                    city=_place(rng),
                    kind=rng.choice(["university"] * 8 + ["research_institute", "government"]),
                )
            )
        for institution in new_institutions:
            institution.match_key = match_key(institution.name)
        institutions = Institution.objects.bulk_create(new_institutions, batch_size=BATCH)
        InstitutionAlias.objects.bulk_create(
            (
                InstitutionAlias(institution=institution, name=f"{institution.name} (alias)")
                for institution in institutions[::10]
            ),
            batch_size=BATCH,
        )
        counts["institutions"] = len(institutions)
        report(f"{len(institutions)} institutions")

        people = Person.objects.bulk_create(
            (
                Person(
                    honorific=rng.choice(["Prof.", "Dr.", ""]),
                    full_name=f"{rng.choice(FIRST)} {rng.choice(LAST)} {index}",
                    position=rng.choice(["Rector", "Vice-Rector", "Dean", "Provost"]),
                    institution=institution,
                    email=f"person{index}@example.org",
                )
                for index, institution in enumerate(institutions)
            ),
            batch_size=BATCH,
        )
        person_of = {person.institution_id: person for person in people}
        counts["people"] = len(people)
        report(f"{len(people)} people")

        areas = list(CooperationArea.objects.all())
        tags = [Tag.objects.get_or_create(name=name, defaults={"slug": name})[0] for name in TAGS]
        counts["memoranda"] = counts["parties"] = counts["signatories"] = 0
        first = _next_synthetic_number()
        for start in range(first, first + memoranda, BATCH):
            size = min(BATCH, first + memoranda - start)
            batch = [_memorandum(rng, today, start + offset) for offset in range(size)]
            batch = Memorandum.objects.bulk_create(batch, batch_size=BATCH)
            parties, signatories, area_links, sdg_links, tag_links = [], [], [], [], []
            for memorandum in batch:
                chosen = rng.sample(institutions, rng.choice([2, 3, 3, 4]))
                for order, institution in enumerate(chosen):
                    parties.append(
                        Party(memorandum=memorandum, institution=institution, order=order)
                    )
                for institution in chosen[:2]:
                    signatories.append(
                        Signatory(
                            memorandum=memorandum,
                            person=person_of[institution.pk],
                            institution=institution,
                            signed_on=memorandum.signed_on,
                            mode=rng.choice(["in_person", "in_person", "remote"]),
                        )
                    )
                for area in rng.sample(areas, rng.randint(1, 3)):
                    area_links.append(
                        Memorandum.cooperation_areas.through(
                            memorandum_id=memorandum.pk, cooperationarea_id=area.pk
                        )
                    )
                sdg_links.append(
                    Memorandum.sdgs.through(
                        memorandum_id=memorandum.pk,
                        sustainabledevelopmentgoal_id=rng.choice([4, 4, 9, 13, 17]),
                    )
                )
                tag_links.append(TaggedItem(content_object=memorandum, tag=rng.choice(tags)))
            Party.objects.bulk_create(parties, batch_size=BATCH)
            Signatory.objects.bulk_create(signatories, batch_size=BATCH)
            Memorandum.cooperation_areas.through.objects.bulk_create(area_links, batch_size=BATCH)
            Memorandum.sdgs.through.objects.bulk_create(sdg_links, batch_size=BATCH)
            TaggedItem.objects.bulk_create(tag_links, batch_size=BATCH)
            memorandum_derived_data_refresh(memoranda=batch)
            counts["memoranda"] += len(batch)
            counts["parties"] += len(parties)
            counts["signatories"] += len(signatories)
            progress(len(batch))
    if connection.vendor == "postgresql":
        # Planner statistics for what was just loaded: without them the first queries plan as
        # if the tables were empty, until autovacuum gets round to them.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        report("analyzed")
    return counts


def _next_synthetic_number() -> int:
    """The number after the highest synthetic memorandum's (`SYN-<year>-<number>`), so that
    seeding a database that already holds some adds after them."""
    highest = (
        Memorandum.objects.filter(reference__regex=r"^SYN-[0-9]{4}-[0-9]+$")
        .annotate(number=Cast(Substr("reference", len("SYN-2023-") + 1), BigIntegerField()))
        .aggregate(highest=Max("number"))["highest"]
    )
    return 0 if highest is None else highest + 1


def _memorandum(rng: random.Random, today: datetime.date, index: int) -> Memorandum:
    stage = rng.choices(["signed", "draft", "negotiation", "terminated"], weights=[85, 6, 5, 4])[0]
    signed_on = today - datetime.timedelta(days=rng.randint(-60, 3650))
    signed = stage in ("signed", "terminated")
    expires_on = signed_on + datetime.timedelta(days=rng.choice([365, 1095, 1825, 3650]))
    return Memorandum(
        reference=f"SYN-{signed_on.year}-{index:07d}",
        title=f"{rng.choice(TITLES)} on {rng.choice(SUBJECTS)} no. {index}",
        kind=rng.choice(["mou", "mou", "exchange", "framework", "moa", "letter_of_intent"]),
        stage=stage,
        summary="Cooperation in teaching, research and the exchange of students and staff.",
        signed_on=signed_on if signed else None,
        effective_from=signed_on if signed else None,
        expires_on=expires_on if rng.random() > 0.15 else None,
        auto_renew=rng.random() < 0.1,
        visibility=rng.choices(["public", "internal", "confidential"], weights=[50, 40, 10])[0],
        owner_email="intl-office@example.org",
    )
