"""How institution names are compared: folded, and reduced to the words that tell them apart."""

import re
import unicodedata

WORD = re.compile(r"[^\W_]+")
# Words (and their abbreviations) that many institutions share: "University of Tokyo" and
# "University of Kyoto" differ only in the rest, so only the rest is compared.
COMMON_WORDS = {
    "a", "academy", "and", "at", "college", "de", "del", "der", "des", "di", "du", "for",
    "fur", "hochschule", "in", "inst", "institut", "institute", "instituto", "la", "le", "of",
    "school", "the", "uni", "univ", "universidad", "universidade", "universita", "universitat",
    "universite", "university", "universiteit", "und", "y",
}  # fmt: skip


def normalise(name: str) -> str:
    """Case- and accent-insensitive, whitespace-collapsed: how names are compared."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.split())


def match_key(name: str) -> str:
    """The distinctive words of a name, e.g. "Nazarbayev Univ." → "nazarbayev"."""
    words = WORD.findall(normalise(name))
    distinctive = [word for word in words if word not in COMMON_WORDS]
    return " ".join(distinctive or words)


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams: each alphanumeric word, lower-cased, padded "  word "."""
    grams: set[str] = set()
    for word in WORD.findall(text.lower()):
        padded = f"  {word} "
        grams.update(padded[index : index + 3] for index in range(len(padded) - 2))
    return grams


def trigram_similarity(first: str, second: str) -> float:
    """pg_trgm's `similarity()`: shared trigrams over all distinct trigrams of both."""
    a, b = trigrams(first), trigrams(second)
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)
