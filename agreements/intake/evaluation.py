"""How well intake reads: precision and recall of the parties, the signatories and the signing
date over a corpus of announcements labelled by hand.

A corpus is a JSON file: `institutions` (each `name`, `short_name`, `country`, `aliases`), the
register as an office would know it before reading, and `announcements` (each `id`, `text`,
`parties`, `signatories` and `signed_on`). A party is named as registered, or as written when
the register does not know it; a signatory by the full name as written.
`manage.py intake_scores FILE` registers the institutions in a transaction it rolls back,
reads every announcement and prints the figures.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from agreements.intake.proposal import Directory, Proposal, is_whole_name, propose
from partners.names import normalise
from partners.services import institution_create

CATEGORIES = ("parties", "signatories", "signed_on")


def load_corpus(path: str | Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def register_institutions(corpus: dict, *, actor) -> None:
    """The corpus's register, through the institution service."""
    for institution in corpus["institutions"]:
        institution_create(
            actor=actor,
            name=institution["name"],
            short_name=institution.get("short_name", ""),
            country=institution["country"],
            aliases=institution.get("aliases", []),
        )


@dataclass
class Count:
    right: int = 0
    proposed: int = 0
    expected: int = 0

    @property
    def precision(self) -> float:
        return self.right / self.proposed if self.proposed else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.expected if self.expected else 1.0


@dataclass
class Reading:
    """One announcement read: what was proposed against what was expected, per category."""

    id: str
    found: dict[str, set[str]]
    wanted: dict[str, set[str]]
    also_mentioned: list[str]

    def misses(self) -> dict[str, tuple[list[str], list[str]]]:
        """Per category with an error: (proposed but not expected, expected but not found)."""
        return {
            category: (
                sorted(self.found[category] - self.wanted[category]),
                sorted(self.wanted[category] - self.found[category]),
            )
            for category in CATEGORIES
            if self.found[category] != self.wanted[category]
        }


@dataclass
class Scores:
    counts: dict[str, Count] = field(default_factory=lambda: {c: Count() for c in CATEGORIES})
    readings: list[Reading] = field(default_factory=list)
    # Signatories proposed that are not a whole name ("M", "John C").
    fragments: list[str] = field(default_factory=list)

    def add(self, reading: Reading) -> None:
        self.readings.append(reading)
        for category, count in self.counts.items():
            found, wanted = reading.found[category], reading.wanted[category]
            count.right += len(found & wanted)
            count.proposed += len(found)
            count.expected += len(wanted)

    def table(self) -> str:
        lines = [f"{'':12} {'precision':>9} {'recall':>6}"]
        for category, count in self.counts.items():
            lines.append(f"{category:12} {count.precision:9.2f} {count.recall:6.2f}")
        lines.append(f"announcements: {len(self.readings)}; fragments: {len(self.fragments)}")
        return "\n".join(lines)


def read_announcement(announcement: dict, directory: Directory) -> tuple[Proposal, Reading]:
    proposal = propose(announcement["text"], directory=directory)
    found = {
        "parties": {normalise(party.name) for party in proposal.parties},
        "signatories": {normalise(person.full_name) for person in proposal.signatories},
        "signed_on": {proposal.signed_on.isoformat()} if proposal.signed_on else set(),
    }
    wanted = {
        "parties": {normalise(name) for name in announcement["parties"]},
        "signatories": {normalise(name) for name in announcement["signatories"]},
        "signed_on": {announcement["signed_on"]} if announcement.get("signed_on") else set(),
    }
    mentioned = [party.name for party in proposal.also_mentioned]
    return proposal, Reading(announcement["id"], found, wanted, mentioned)


def evaluate(corpus: dict) -> Scores:
    """Read every announcement of the corpus against the register as it is now."""
    directory = Directory()
    scores = Scores()
    for announcement in corpus["announcements"]:
        proposal, reading = read_announcement(announcement, directory)
        scores.add(reading)
        scores.fragments += [
            person.full_name
            for person in proposal.signatories
            if not is_whole_name(person.full_name)
        ]
    return scores
