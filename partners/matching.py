"""Finding the institution a name means, and the ones it might be a duplicate of.

Exact matches compare names, acronyms and aliases case- and accent-insensitively. Near matches
compare the distinctive words of names (`Institution.match_key`) by trigram similarity:
PostgreSQL's pg_trgm `similarity()` over a trigram index there, and on SQLite a Python port of
the same measure, so both databases give the same answers.
"""

import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection

from .models import Institution, InstitutionAlias
from .names import match_key, normalise, trigram_similarity
from .validators import ROR_PATTERN

NEAR_MATCH_THRESHOLD = 0.5
ROR_URL = re.compile(r"^(?:https?://)?ror\.org/", re.IGNORECASE)


def ror_id_in(text: str) -> str | None:
    candidate = ROR_URL.sub("", text.strip()).lower()
    return candidate if ROR_PATTERN.fullmatch(candidate) else None


@dataclass
class NearMatch:
    institution: Institution
    similarity: float

    def __str__(self):
        country = self.institution.country.code
        return (
            f"{self.institution.name} ({country}, id {self.institution.pk}, {self.similarity:.2f})"
        )


@dataclass
class InstitutionMatcher:
    """Every institution's names held once, so that an import of many rows asks no more."""

    by_ror: dict[str, Institution] = field(default_factory=dict)
    by_name: dict[str, list[Institution]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "InstitutionMatcher":
        matcher = cls()
        aliases: dict[int, list[str]] = {}
        for institution_id, name in InstitutionAlias.objects.values_list("institution_id", "name"):
            aliases.setdefault(institution_id, []).append(name)
        for institution in Institution.objects.all():
            matcher._index(institution, aliases.get(institution.pk, []))
        return matcher

    def add(self, institution: Institution) -> None:
        """Know an institution made after `load` (an import's new partner)."""
        self._index(institution, [alias.name for alias in institution.aliases.all()])

    def _index(self, institution: Institution, aliases: list[str]) -> None:
        if institution.ror_id:
            self.by_ror[institution.ror_id] = institution
        names = [institution.name, institution.short_name, *aliases]
        for key in dict.fromkeys(normalise(name) for name in names if name):
            self.by_name.setdefault(key, []).append(institution)

    def exact(self, label: str, country: str | None = None) -> list[Institution]:
        """The institutions `label` names: by ROR id, else by name, acronym or alias (in
        `country` when one is given and several share the name)."""
        ror_id = ror_id_in(label)
        if ror_id:
            return [self.by_ror[ror_id]] if ror_id in self.by_ror else []
        matches = self.by_name.get(normalise(label), [])
        if country and len(matches) > 1:
            return [match for match in matches if match.country.code == country]
        return list(matches)

    def near(self, label: str, country: str | None = None) -> list[NearMatch]:
        """Institutions whose name is trigram-similar to `label`, most similar first."""
        key = match_key(label)
        if connection.vendor == "postgresql":
            candidates = Institution.objects.annotate(
                similarity=TrigramSimilarity("match_key", key)
            )
            candidates = candidates.filter(similarity__gte=NEAR_MATCH_THRESHOLD)
            if country:
                candidates = candidates.filter(country=country)
            found = [NearMatch(i, i.similarity) for i in candidates.order_by("-similarity", "id")]
        else:
            seen = {
                institution.pk: institution
                for institutions in self.by_name.values()
                for institution in institutions
                if not country or institution.country.code == country
            }
            found = [
                NearMatch(institution, similarity)
                for institution in seen.values()
                if (similarity := trigram_similarity(institution.match_key, key))
                >= NEAR_MATCH_THRESHOLD
            ]
            found.sort(key=lambda match: (-match.similarity, match.institution.pk))
        return found
