"""Intake from an announcement: a draft memorandum proposed from a press release.

`propose(text)` reads the text with deterministic rules, asks only this registry's database (no
external service, no model), and saves nothing; a person confirms the proposal in the admin
("Intake from announcement") or uses `POST /api/v1/memoranda/intake/`.

What it finds, and how:

- **Institutions** the registry knows, by name, acronym or alias, case- and accent-insensitively
  (acronyms case-sensitively, so that "NU" is not the word "nu"), anywhere in the text: inside
  longer phrases, in the possessive ("NU's"), "University of X" written "X University", and
  names in Cyrillic with Russian case endings ("Назарбаев Университета"). The longest name
  wins where names overlap ("UNESCO-ICHEI" over "UNESCO"). A registered parent body mentioned
  beside its own centre (UNESCO beside UNESCO-ICHEI) is taken as context, not as a party.
- **Unknown institutions**: runs of capitalised words around an institution word ("University
  of X", "X Institute", "X Technical University", "Ministry of …") and names followed by an
  acronym in parentheses ("Kazakh-British Technical University (KBTU)"), ended by a title or
  an honorific ("X University Vice Chancellor … Prof Dr Y" is X University).
- **Who signs** (`signing_parties`): the subject of a verb of signing and the names listed
  with it, the names after "between", "with", "signed … by", "for", "on behalf of" in a
  sentence about the agreement, and the institution of a person named in a sentence of
  signing; else the headline's. Only these are parties; the others are `also_mentioned`.
  An unknown party that one registered institution closely resembles is that one
  (`_registered_by_likeness`); the other unknown parties are compared with the registry by
  trigram similarity (`partners.matching`; the first 20 of them), near ones listed in
  `possible_duplicates`.
- **The signing date**, written "May 29, 2023", "29 May 2023", "29th of May 2023",
  "2023-05-29", "29.05.2023" (day first; "05/29/2023" is read as month first only when the
  day cannot be a month), "29 мая 2023 г." or "May 29" (the year taken from the nearest full
  date, e.g. a dateline): the date nearest a word of signing ("signed", "signing", "inked",
  "подписали") in its sentence, else the first date of the text.
- **People** after honorifics (one or several, with or without full stops: "Prof Dr"), a
  title (also "Title for <field> Name", "Title of <institution> Name"), before an apposed
  title ("Name, President of X"), in lists after "signed by", after "on behalf of X,", and
  Chinese names before their honorific: the honorific; the position from an apposition
  ("Prof. Han Wei, Executive Deputy Director of UNESCO-ICHEI"), a parenthesis, or the title
  ("NU President Shigeo Katsu"); the institution from the same phrase ("of X", "at X", "X's",
  "X President …"; not "a former professor at X"), else from the registry's record of the
  person, else the nearest institution in the clause. Only whole names (`is_whole_name`) are
  people. "online", "via video link", "remotely", "virtually", "онлайн" … near a person make
  their mode `remote`.
- **Cooperation areas** by their names and synonyms (`AREA_SYNONYMS`: "third-party training"
  → capacity-building, "IIOE" → online-education, "consultancies" → joint-bidding, "student
  exchange" → student-mobility …), outside institution names and outside the sentences' clauses
  about follow-up events (those are commitments, not areas).
- **The kind**: memorandum of agreement → moa, memorandum of understanding / MoU → mou,
  framework agreement, letter of intent, exchange agreement, amendment, renewal; "agreement"
  alone → other.
- **Commitments**: follow-up events with a month ("the launching ceremony … in July 2023") or
  a date ("a workshop will be held on 15 May 2024") in a sentence about what will happen
  (invited, will, scheduled, planned …). A month is due on its **last day** (2023-07-31): the
  event falls within the month, so the end of the month is the first day by which it is
  certainly due, and a reminder before it is never too late.
- **The title**: "<kind> between <parties>", e.g. "Memorandum of understanding between NU,
  UNESCO-ICHEI and SUSTech".
"""

import bisect
import calendar
import datetime
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from nameparser import HumanName
from nameparser.config import CONSTANTS as NAME_CONSTANTS

from agreements.models import CooperationArea, Memorandum
from partners.matching import InstitutionMatcher
from partners.models import Institution, Person
from partners.names import normalise

MAX_NAME_TOKENS = 16
# Unknown institutions compared with every registered one for likeness, in the order named: an
# announcement names a handful, and a text naming thousands would compare for minutes.
COMPARED_UNKNOWN_INSTITUTIONS = 20
# The longest name an institution may have: a longer run of capitalised words is not one.
NAME_LENGTH = Institution._meta.get_field("name").max_length

# --- Text ----------------------------------------------------------------------------------------

QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "“": '"', "”": '"', "«": '"', "»": '"'})


# "&" between words is "and": "Science & Technology" is "Science and Technology".
AMPERSAND = re.compile(r"(?<=\w)[^\S\n]+&[^\S\n]+(?=\w)")


def clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(QUOTES)
    text = re.sub(r"[\u00a0\u2007\u202f\t]", " ", text)
    text = AMPERSAND.sub(" and ", text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


WORD = re.compile(r"[^\W_]+")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Russian case endings, already folded as `normalise` folds them (й → и, ё → е).
RU_ENDINGS = sorted(
    [
        "ого",
        "его",
        "ому",
        "ему",
        "ыми",
        "ими",
        "ами",
        "ями",
        "ои",
        "еи",
        "ии",
        "ыи",
        "ая",
        "яя",
        "ую",
        "юю",
        "ое",
        "ее",
        "ом",
        "ем",
        "ым",
        "им",
        "ых",
        "их",
        "ов",
        "ев",
        "ам",
        "ям",
        "ах",
        "ях",
        "а",
        "я",
        "у",
        "ю",
        "е",
        "ы",
        "и",
        "о",
        "ь",
    ],
    key=len,
    reverse=True,
)


# American spellings as British ones, so that a name matches however it is spelt ("Center",
# "Organization", "Program"): whole words, then "-ization".
SPELLINGS = {
    "center": "centre", "centers": "centres", "program": "programme", "programs": "programmes",
    "defense": "defence", "labor": "labour", "theater": "theatre", "catalog": "catalogue",
    "fiber": "fibre", "meter": "metre", "color": "colour", "behavior": "behaviour",
}  # fmt: skip
AMERICAN_SUFFIX = re.compile(r"iz(?=ations?$)")


def fold(token: str) -> str:
    """A word as names are compared: case- and accent-insensitive, British spelling; Russian
    words stemmed."""
    folded = normalise(token)
    if folded in SPELLINGS:
        return SPELLINGS[folded]
    if folded.endswith(("ization", "izations")):
        folded = AMERICAN_SUFFIX.sub("is", folded)
    if len(folded) > 4 and CYRILLIC.search(folded):
        for ending in RU_ENDINGS:
            if folded.endswith(ending) and len(folded) - len(ending) >= 3:
                return folded[: -len(ending)]
    return folded


def gap_signature(gap: str) -> str:
    """What separates two words of a name, ignoring spaces and hyphens ("UNESCO-ICHEI" is
    "UNESCO ICHEI"), but not other punctuation ("Co., Ltd.")."""
    return "".join(gap.split()).replace("-", "")


LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip


def transliterate(word: str) -> str:
    """Cyrillic letters in Latin ones, keeping case: Russian texts write registered acronyms in
    Cyrillic ("КазНУ" for KazNU, "ЕНУ" for ENU)."""
    if not CYRILLIC.search(word):
        return word
    letters = []
    for char in word:
        latin = LATIN.get(char.lower(), char)
        letters.append(latin.capitalize() if char.isupper() else latin)
    return "".join(letters)


@dataclass
class Token:
    start: int
    end: int
    text: str
    folded: str
    latin: str = ""

    def __post_init__(self):
        self.latin = self.latin or transliterate(self.text)


def tokens_of(text: str) -> list[Token]:
    folded: dict[str, str] = {}  # each distinct word folded once
    tokens = []
    for match in WORD.finditer(text):
        word = match.group()
        if word not in folded:
            folded[word] = fold(word)
        tokens.append(Token(match.start(), match.end(), word, folded[word]))
    return tokens


def name_key(name: str, *, exact: bool) -> tuple:
    """Words and the punctuation between them, e.g. ("l", ".", "n", ".", "gumilyov", …)."""
    words = list(WORD.finditer(name))
    key: list[str] = []
    for index, match in enumerate(words):
        if index:
            key.append(gap_signature(name[words[index - 1].end() : match.start()]))
        key.append(match.group() if exact else fold(match.group()))
    return tuple(key)


def is_acronym(name: str) -> bool:
    """Names compared case-sensitively: acronyms (NU, SUSTech, UNESCO-ICHEI, U of T)."""
    capitals = sum(char.isupper() for char in name)
    return (capitals >= 2 and len(name) <= 15) or len(name) <= 4


# A line break ends a sentence when a capital or a digit starts the next line (a headline, a
# dateline); a blank line always does. Other line breaks are wrapping.
# A run of punctuation is tried from its first mark only, and whole: a long run that no space
# follows costs one pass, not one per mark.
SENTENCE_END = re.compile(r"(?<![.!?…])[.!?…]++[\"')\]]*+\s+|\n\s*\n\s*|\n(?=[^\W_a-zа-яё])")
LAST_WORD = re.compile(r"[^\W\d_]+(?:\.[^\W\d_]+)*$")
# How far back a sentence's last word is looked for: more than the longest abbreviation.
LAST_WORD_REACH = 24
ABBREVIATIONS = {
    "prof", "dr", "mr", "mrs", "ms", "st", "no", "co", "ltd", "inc", "jr", "sr", "vs", "e.g",
    "i.e", "approx", "dept", "univ", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "г", "гг", "проф", "им", "ул", "h.e", "acad",
}  # fmt: skip


def _ends_with_abbreviation(text: str, start: int, end: int) -> bool:
    """Whether the sentence text[start:end] ends with an abbreviation ("Prof", "e.g") or an
    initial, so that the full stop after it does not end the sentence."""
    reach = max(start, end - LAST_WORD_REACH)
    last = LAST_WORD.search(text, reach, end)
    if last is None:
        return False
    if last.start() == reach > start and (text[reach - 1] == "." or text[reach - 1].isalpha()):
        return False  # the word began before the reach: longer than any abbreviation
    word = last.group().lower()
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; lines (headlines, datelines) end sentences too."""
    spans = []
    start = 0
    for match in SENTENCE_END.finditer(text):
        if "\n" not in match.group() and _ends_with_abbreviation(text, start, match.start()):
            continue
        if text[start : match.start()].strip():
            spans.append((start, match.start() + len(match.group().rstrip())))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def sentence_at(spans: list[tuple[int, int]], position: int) -> tuple[int, int]:
    index = bisect.bisect_right(spans, (position, float("inf"))) - 1
    if index >= 0 and spans[index][0] <= position < spans[index][1]:
        return spans[index]
    return (0, 0)


class Spans:
    """Stretches of the text (institutions' names, people's), merged and sorted, asked in
    logarithmic time whether they cover a position or overlap a stretch."""

    def __init__(self, spans: Iterable[tuple[int, int]]):
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [start for start, _ in merged]
        self.ends = [end for _, end in merged]

    def covers(self, position: int) -> bool:
        index = bisect.bisect_right(self.starts, position) - 1
        return index >= 0 and position < self.ends[index]

    def overlaps(self, start: int, end: int) -> bool:
        index = bisect.bisect_right(self.ends, start)
        return index < len(self.starts) and self.starts[index] < end

    def end_at(self, start: int) -> int | None:
        """The end of the stretch that starts at `start`, if one does."""
        index = bisect.bisect_left(self.starts, start)
        if index < len(self.starts) and self.starts[index] == start:
            return self.ends[index]
        return None


def masked(text: str, spans) -> str:
    characters = list(text)
    for start, end in spans:
        characters[start:end] = " " * (end - start)
    return "".join(characters)


# --- Institutions --------------------------------------------------------------------------------


@dataclass(eq=False)
class FoundParty:
    """An institution the text names: a registered one, or a candidate for creation."""

    name: str
    institution: Institution | None = None
    short_name: str = ""
    country: str | None = None
    first_at: int = 0
    ambiguous: list[Institution] = field(default_factory=list)
    context_only: bool = False
    # Registered institutions an unknown party resembles (`partners.matching.NearMatch`).
    resembles: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.short_name or self.name


# Institutions named only after these words witness, host or support a signing: not parties.
CONTEXT_BEFORE = re.compile(
    r"(?i)\b(?:in the presence of|witnessed by|with the (?:support|participation) of|supported by"
    r"|sponsored by|funded by|observed by|under the auspices of)\s+(?:(?:the\s+)?(?:"
    r"representatives?|officials?|a delegation|delegations?|members?)\s+(?:of|from)\s+)?"
    r"(?:the\s+)?$"
)


# The longest phrase CONTEXT_BEFORE reads ("with the participation of the representatives
# of the "), with room to spare: it is looked for in this many characters before a name.
CONTEXT_REACH = 160


def _context_before(text: str, spans, position: int) -> bool:
    """Whether the name at `position` follows a phrase of CONTEXT_BEFORE in its sentence."""
    start = max(sentence_at(spans, position)[0], position - CONTEXT_REACH)
    return CONTEXT_BEFORE.search(text, start, position) is not None


SAME_LINE_SPACE = re.compile(r"[^\S\n]+")
AT_OR_OF = re.compile(r"\s+(?:at|of)\s+(?:the\s+)?")


@dataclass
class Mention:
    start: int
    end: int
    party: FoundParty


class Mentions:
    """The names of institutions in the text, sorted and not overlapping, found by position
    in logarithmic time."""

    def __init__(self, mentions: list[Mention]):
        self.mentions = mentions
        self.starts = [mention.start for mention in mentions]
        self.by_institution: dict[int, Mention] = {}
        for mention in mentions:
            if mention.party.institution is not None:
                self.by_institution.setdefault(mention.party.institution.pk, mention)

    def first_of_institution(self, institution_id: int) -> Mention | None:
        return self.by_institution.get(institution_id)

    def last_inside(self, start: int, end: int) -> Mention | None:
        """The last name that lies wholly within text[start:end]."""
        index = bisect.bisect_right(self.starts, end) - 1
        while index >= 0 and self.mentions[index].start >= start:
            if self.mentions[index].end <= end:
                return self.mentions[index]
            index -= 1
        return None

    def nearest(self, start: int, end: int, position: int) -> Mention | None:
        """The name starting within [start, end) nearest `position` (the earlier of two as
        near)."""
        low = bisect.bisect_left(self.starts, start)
        high = bisect.bisect_left(self.starts, end)
        middle = bisect.bisect_left(self.starts, position, low, high)
        around = [self.mentions[i] for i in (middle - 1, middle) if low <= i < high]
        return min(around, key=lambda m: abs(m.start - position)) if around else None


class Directory:
    """Every registered institution's names, and every person's, indexed by their words."""

    def __init__(self):
        self.folded: dict[tuple, list[Institution]] = {}
        self.exact: dict[tuple, list[Institution]] = {}
        self.people: dict[tuple, list[Person]] = {}
        self.longest = 1
        self.matcher = InstitutionMatcher()
        for institution in Institution.objects.prefetch_related("aliases"):
            self.matcher.add(institution)
            self._add_institution(institution)
        for person in Person.objects.select_related("institution"):
            key = name_key(person.full_name, exact=False)
            if len(key) >= 3:  # at least two words
                self.people.setdefault(key, []).append(person)
        # Every beginning of every name's key, word by word: a window of the text that is none
        # of these grows into no name, so the scan stops there.
        self.prefixes = tuple(
            {key[:end] for key in index for end in range(1, len(key) + 1, 2)}
            for index in (self.exact, self.folded)
        )
        self.people_prefixes = {
            key[:end] for key in self.people for end in range(1, len(key) + 1, 2)
        }

    def _add_institution(self, institution: Institution) -> None:
        names = [institution.name, institution.short_name]
        names += [alias.name for alias in institution.aliases.all()]
        for name in filter(None, names):
            exact = is_acronym(name)
            keys = {name_key(name, exact=exact)}
            if not exact:
                keys |= variants(name_key(name, exact=False))
            for key in keys:
                if not key:
                    continue
                index = self.exact if exact else self.folded
                found = index.setdefault(key, [])
                if institution not in found:
                    found.append(institution)
                self.longest = max(self.longest, len(key))

    def scan(self, text: str, tokens: list[Token]) -> list[tuple[int, int, list[Institution]]]:
        """(start, end, institutions) of each name in the text, longest first, left to right."""
        gaps = _gaps(text, tokens)
        exact_words = [token.latin for token in tokens]
        folded_words = [token.folded for token in tokens]
        exact_prefixes, folded_prefixes = self.prefixes
        found = []
        index = 0
        while index < len(tokens):
            match = self._longest_at(
                index,
                gaps,
                (
                    (exact_words, self.exact, exact_prefixes),
                    (folded_words, self.folded, folded_prefixes),
                ),
            )
            if match is None:
                index += 1
                continue
            length, institutions = match
            found.append((tokens[index].start, tokens[index + length - 1].end, institutions))
            index += length
        return found

    def _longest_at(self, index: int, gaps: list[tuple[str, int]], ways):
        """The longest name (in words) starting at token `index`, an acronym's exact key
        before a folded one of the same length; each window grows a word at a time while it
        is the beginning of some name, and no gap between its words is longer than 4."""
        words = min((self.longest + 1) // 2, MAX_NAME_TOKENS, len(gaps) - index)
        best = None
        for priority, (values, names, prefixes) in enumerate(ways):
            key: tuple = ()
            for length in range(1, words + 1):
                position = index + length - 1
                if length > 1:
                    signature, gap_length = gaps[position]
                    if gap_length > 4:
                        break
                    key += (signature,)
                key += (values[position],)
                if key not in prefixes:
                    break
                institutions = names.get(key)
                if institutions and (best is None or (length, -priority) > best[:2]):
                    best = (length, -priority, institutions)
        return None if best is None else (best[0], best[2])

    def people_in(self, text: str, tokens: list[Token]) -> list[tuple[int, int, Person]]:
        """(start, end, person) of each registered person named by two to four words, the
        longest name at each word."""
        gaps = _gaps(text, tokens)
        found = []
        for index in range(len(tokens)):
            key: tuple = (tokens[index].folded,)
            longest = None
            for end in range(index + 1, min(index + 4, len(tokens))):
                key += (gaps[end][0], tokens[end].folded)
                if key not in self.people_prefixes:
                    break
                if key in self.people:
                    longest = (tokens[index].start, tokens[end].end, self.people[key][0])
            if longest is not None:
                found.append(longest)
        return found


def _gaps(text: str, tokens: list[Token]) -> list[tuple[str, int]]:
    """(signature, length) of the gap before each token ("", 0 before the first)."""
    return [("", 0)] + [
        (gap_signature(text[previous.end : token.start]), token.start - previous.end)
        for previous, token in zip(tokens, tokens[1:], strict=False)
    ]


def variants(key: tuple) -> set[tuple]:
    """Other ways of writing a name: without "The"; "University of X" ↔ "X University"."""
    words = [word for index, word in enumerate(key) if index % 2 == 0]
    result = set()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
        result.add(_plain_key(words))
    if len(words) > 2 and words[0] == "university" and words[1] == "of":
        result.add(_plain_key([*words[2:], "university"]))
    elif len(words) > 1 and words[-1] == "university" and "of" not in words:
        result.add(_plain_key(["university", "of", *words[:-1]]))
    return result


def _plain_key(words: list[str]) -> tuple:
    key: list[str] = []
    for index, word in enumerate(words):
        if index:
            key.append("")
        key.append(word)
    return tuple(key)


ORG_WORDS = {
    "university", "universitat", "universite", "universidad", "universidade", "universiteit",
    "universita", "uniwersytet", "institute", "institut", "instituto", "istituto", "college",
    "academy", "akademie", "academia", "polytechnic", "politecnico", "polytechnique", "school",
    "ministry", "agency", "foundation", "council", "association", "corporation", "company",
    "ltd", "inc", "llc", "gmbh", "bank", "hospital", "laboratory", "laboratories", "centre",
    "center", "observatory", "museum", "library", "consortium", "alliance", "federation",
    "society", "commission", "authority", "organisation", "organization", "hub", "secretariat",
    "conservatory", "conservatoire", "seminary", "universities",
    # Russian, stemmed as `fold` stems them.
    "университет", "институт", "академи", "министерств", "колледж", "фонд", "центр",
    "ассоциаци", "компани", "консорциум",
}  # fmt: skip
NOT_INSTITUTION_WORDS = {
    "memorandum", "agreement", "summit", "ceremony", "programme", "program", "conference",
    "forum", "day", "week", "goal", "goals", "award", "prize", "declaration", "strategy",
    "project", "initiative", "course", "courses", "degree", "scholarship", "letter", "year",
    "games", "olympiad", "festival", "fair", "expo", "exhibition", "report", "ranking",
    "rankings", "workshop", "seminar", "network",
}  # fmt: skip
CONNECTORS = {"of", "and", "for", "the", "de", "la", "du", "des", "di", "für", "fur", "und", "y",
              "in", "on", "&", "del", "der", "at", "es", "da", "do", "dos", "das", "e",
              "van", "von", "zu"}  # fmt: skip
# Capitalised words that begin a sentence or a title rather than a name.
LEADING_NOISE = {
    "the", "a", "an", "this", "that", "these", "yesterday", "today", "on", "in", "at", "as",
    "last", "next", "both", "and", "representatives", "delegations", "officials", "partners",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "joint",
    "press", "release", "news", "under", "with", "between", "from", "by", "for", "our", "its",
    "their", "new", "signing", "during", "after", "before", "while", "when", "dear",
}  # fmt: skip
MONTH_WORDS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
}  # fmt: skip
JOINED = re.compile(r"[ \-]{1,2}")
ACRONYM_IN_PARENTHESES = re.compile(r"\s*\(\s*([A-ZА-ЯЁ][A-Za-zА-Яа-яЁё&\-]{1,14})\s*\)")


def _capitalised(token: Token) -> bool:
    return token.text[:1].isupper()


def unknown_institutions(text: str, tokens: list[Token], taken) -> list[tuple[int, int, str, str]]:
    """(start, end, name, acronym) of institution-like names outside the spans `taken`."""
    taken = Spans(taken)
    runs: list[list[Token]] = []
    current: list[Token] = []
    for token in tokens:
        if taken.covers(token.start):
            if current:
                runs.append(current)
            current = []
            continue
        joined = bool(current) and JOINED.fullmatch(text, current[-1].end, token.start)
        if _capitalised(token) or (joined and token.folded in CONNECTORS):
            if current and not joined:
                runs.append(current)
                current = []
            current.append(token)
        else:
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)

    found = []
    for run in runs:
        while run and run[-1].folded in CONNECTORS:
            run = run[:-1]
        for part in _split_run(run):
            name_tokens = _institution_part(part)
            if not name_tokens:
                continue
            start, end = name_tokens[0].start, name_tokens[-1].end
            acronym_match = ACRONYM_IN_PARENTHESES.match(text, end)
            acronym = acronym_match.group(1) if acronym_match else ""
            if end - start > NAME_LENGTH or _is_area_name(text[start:end]):
                continue
            has_org_word = any(token.folded in ORG_WORDS for token in name_tokens)
            if not has_org_word and not (acronym and _initials_match(name_tokens, acronym)):
                continue
            found.append((start, end, text[start:end], acronym))
    return found


def _is_area_name(name: str) -> bool:
    """ "International Institute for Online Education" names an area (IIOE), not a party."""
    return AREA_NAME.fullmatch(name) is not None


def _split_run(run: list[Token]) -> list[list[Token]]:
    """Split "University of Tartu and Riga Technical University" in two; keep "University of
    Science and Technology" whole (its second half has no institution word). Each "and"
    with an institution word on both sides (since the last split) splits, in one pass."""
    # Whether run[index:] has an institution word.
    org_after = [False] * (len(run) + 1)
    for index in range(len(run) - 1, -1, -1):
        org_after[index] = org_after[index + 1] or run[index].folded in ORG_WORDS
    parts: list[list[Token]] = []
    start, org_before = 0, False
    for index, token in enumerate(run):
        if (
            token.folded in {"and", "&"}
            and start < index < len(run) - 1
            and org_before
            and org_after[index + 1]
        ):
            parts.append(run[start:index])
            start, org_before = index + 1, False
            continue
        org_before = org_before or token.folded in ORG_WORDS
    return [*parts, run[start:]]


def _institution_part(run: list[Token]) -> list[Token]:
    """The institution's own words in a run of capitalised words: from the capitalised words
    just before its first institution word (not across "of", "for", a title or a date) to the
    end of the run. Without an institution word, the run less its leading noise."""
    first = next((i for i, token in enumerate(run) if token.folded in ORG_WORDS), None)
    if first is None:
        start = 0
        while start < len(run) and (
            run[start].folded in LEADING_NOISE | CONNECTORS or run[start].folded in MONTH_WORDS
        ):
            start += 1
        part = run[start:]
    else:
        start = first
        while start > 0:
            before = run[start - 1]
            if (
                before.folded in CONNECTORS
                or before.folded in LEADING_NOISE
                or before.folded in MONTH_WORDS
                or TITLE_WORD.fullmatch(before.text)
            ):
                break
            start -= 1
        # A title or an honorific after the name begins a person's description ("University
        # of X Vice Chancellor and Chief Executive Officer Prof Dr Y"): the name ends there.
        end = next(
            (
                index
                for index in range(first + 1, len(run))
                if run[index].folded in TITLE_WORDS or run[index].folded in HONORIFIC_FOLDED
            ),
            len(run),
        )
        while end > first + 1 and run[end - 1].folded in CONNECTORS:
            end -= 1
        part = run[start:end]
    if any(token.folded in NOT_INSTITUTION_WORDS for token in part):
        return []
    return part if len(part) >= 2 else []


def _initials_match(tokens: list[Token], acronym: str) -> bool:
    initials = "".join(
        piece[0] for token in tokens if token.folded not in CONNECTORS for piece in [token.text]
    ).upper()
    capitals = "".join(char for char in acronym if char.isupper())
    return len(capitals) >= 2 and capitals == initials


# --- People --------------------------------------------------------------------------------------

HONORIFICS = {
    "prof.": "Prof.", "prof": "Prof.", "professor": "Prof.", "dr.": "Dr.", "dr": "Dr.",
    "doctor": "Dr.", "mr.": "Mr.", "mr": "Mr.", "mrs.": "Mrs.", "mrs": "Mrs.", "ms.": "Ms.",
    "ms": "Ms.", "sir": "Sir", "dame": "Dame", "academician": "Academician", "h.e.": "H.E.",
    "hon.": "Hon.", "hon": "Hon.", "eng.": "Eng.", "engr.": "Engr.", "engr": "Engr.",
    "associate professor": "Assoc. Prof.", "assistant professor": "Asst. Prof.",
    "assoc. prof.": "Assoc. Prof.", "проф.": "Prof.", "профессор": "Prof.", "д-р": "Dr.",
    "доктор": "Dr.", "г-н": "Mr.", "г-жа": "Ms.", "академик": "Academician",
}  # fmt: skip
HONORIFIC_FOLDED = {key.rstrip(".") for key in HONORIFICS if " " not in key}
# One honorific, with or without its full stop ("Prof", "Prof.", "Dr").
HONORIFIC_WORD = (
    r"(?:(?:Associate|Assistant|Assoc\.)[^\S\n]+(?:Professor|Prof\.?)|Professor|Prof\.?|Dr\.?"
    r"|Doctor|Mr\.?|Mrs\.?|Ms\.?|Sir|Dame|Academician|H\.E\.|Hon\.?|Eng\.|Engr\.?"
    r"|(?i:проф\.|профессор|д-р|доктор|г-н|г-жа|академик))(?![\w\-])"
)
# Honorifics in a row ("Prof. Dr.", "Prof Dr", "H.E. Dr."), three at most.
HONORIFIC = rf"{HONORIFIC_WORD}(?:[^\S\n]+{HONORIFIC_WORD}){{0,2}}"
# At most three modifiers ("Executive Deputy Vice President"): a run of them is tried from
# each of its words, so an unbounded repetition would cost the square of the run. Russian and
# Kazakh titles are in their usual cases ("ректор", "ректоры", "төрағасы").
TITLE = (
    r"(?:(?:(?:Executive|Deputy|Vice|Acting|First|Senior|Associate|Assistant|Chief|Managing"
    r"|Regional|Permanent|Interim|Group)[- ]){0,3}"
    r"(?:President|Rector|Pro-Rector|Provost|Chancellor|Vice-Chancellor|Pro-Vice-Chancellor"
    r"|Dean|Director[- ]General|Director|Chairman|Chairwoman|Chairperson|Chair|CEO|Minister"
    r"|Ambassador|Secretary[- ]General|Principal|Governor|Mayor|Akim|Head|Representative"
    r"|Officer)"
    r"|(?i:проректор|ректор\w?|президент\w?|директор\w?|декан|министр\w?|председатель"
    r"|аким|представитель|төраға\w*))"
)
TITLE_WORD = re.compile(TITLE)
ANCHOR = re.compile(
    rf"(?<![\w\-])(?:(?P<title>{TITLE})[^\S\n]+)?(?P<honorific>{HONORIFIC})[^\S\n]+"
    rf"|(?<![\w\-])(?P<title_only>{TITLE})[^\S\n]+"
)
# Words naming the field of a position, read between a title and a name ("Vice President for
# International Affairs Choi Min-seo").
FIELD_WORDS = {
    "international", "global", "external", "academic", "student", "students", "affairs",
    "relations", "research", "innovation", "development", "cooperation", "co-operation",
    "partnerships", "engagement", "education", "studies", "graduate", "undergraduate",
    "technology", "administration", "finance", "operations", "strategy", "planning", "digital",
    "science", "sciences", "internationalisation", "internationalization", "teaching",
    "learning", "quality", "enterprise", "impact", "faculty", "staff", "and", "outreach",
}  # fmt: skip
# After a title: "for <field>", "of <institution or acronym>" ("Rector of KBTU Yerlan …").
TITLE_OF = re.compile(r"(?:for|of)[^\S\n]+(?:the[^\S\n]+)?")
ACRONYM_WORD = re.compile(r"[A-ZА-ЯЁ][A-ZА-ЯЁ0-9&\-]{1,14}(?:'s)?[^\S\n]+")
AFTER_NAME = re.compile(r"(?:'s?)?[^\S\n]+")
FIELD_WORD = re.compile(r"([^\W\d_][\w\-]*)[^\S\n]+")
# A name word, or an initial with its full stop ("John C. Smith").
NAME_WORD = re.compile(r"[^\S\n]*([^\W\d_]\.(?=[^\S\n]*[^\W\d_])|[^\W\d_][\w'\-]*)")
PARTICLES = {"van", "von", "de", "der", "da", "dos", "das", "do", "bin", "ibn", "al", "el",
             "la", "le", "di", "du", "del", "ten", "ter"}  # fmt: skip
# Titles from nameparser's list (English, many fields), less the adjectives that are also
# words of institutions' names ("National", "State", "Royal" …).
TITLE_WORDS = set(NAME_CONSTANTS.titles) - {
    "national", "state", "royal", "federal", "technical", "academic", "first", "group",
    "general", "junior", "senior", "master", "lady", "king", "queen", "prince", "mother",
    "father", "brother", "sister", "bishop", "judge", "lord", "economist", "scientist",
    "united", "marshal", "imam", "rabbi", "pastor", "reverend",
}  # fmt: skip
TITLE_WORDS |= {"chancellor", "rector", "provost", "ceo", "officer", "vice", "pro"}
NOT_NAME_WORDS = (
    ORG_WORDS
    | MONTH_WORDS
    | {
        "the", "of", "and", "for", "said", "says", "noted", "added", "was", "is", "who", "from",
        "national", "state", "international", "vice", "deputy", "executive", "president",
        "rector", "dean", "director", "minister", "chancellor", "provost", "university's",
        # Words of companies' names ("Huawei Technologies Uganda").
        "technologies", "technology", "systems", "group", "holdings", "solutions", "services",
        "industries", "networks", "limited", "plc", "corp", "sciences", "pharmaceuticals",
    }
)  # fmt: skip
POSITION_WORDS = re.compile(
    r"(?i)\b(?:president|rector|director|dean|chancellor|provost|minister|head|chair\w*|"
    r"officer|secretary|manager|coordinator|professor|vice|deputy|ceo|founder|ambassador|"
    r"principal|chief|governor|lead|leader|representative|counsellor|adviser|advisor|"
    r"проректор|ректор|директор|декан|президент|министр|руководител\w*|заведующ\w*|"
    r"председател\w*|заместител\w*)"
)
REMOTE = re.compile(
    r"(?i)\b(?:on-?line(?![\s\-]*(?:education|learning|course|courses|programmes?|programs?|"
    r"platform|teaching|degrees?|resources|university))|via video[- ]?(?:link|conference|call)|"
    r"by video[- ]?(?:link|conference)|videoconferenc\w*|video[- ]?link|remotely|virtually|"
    r"via zoom|via teams|by zoom|онлайн(?![\s\-]*(?:образовани|обучени|курс))|дистанционно|"
    r"по видеосвязи|в режиме видеоконференции|в онлайн-формате)"
)
APPOSITION_END = re.compile(
    r"(?:,|;|\)|\.(?:\s|$)|\s+(?:was|were|is|has|had|took|joined|signed|attended|said|noted|"
    r"hosted|welcomed|participated|spoke|added|who|and\s+(?=" + HONORIFIC + r"))\b|\n|$)"
)


@dataclass
class FoundPerson:
    full_name: str
    start: int
    end: int
    honorific: str = ""
    position: str = ""
    party: FoundParty | None = None
    institution_name: str | None = None
    mode: str = "in_person"


def _name_after(text: str, position: int, *, minimum: int, taken) -> tuple[int, int] | None:
    """The span of 1–4 capitalised name words starting at `position` (particles such as
    "de" inside it), or None when fewer than `minimum`."""
    words: list[tuple[int, int]] = []
    cursor = position
    pending_particle = None
    while len(words) < 4:
        match = NAME_WORD.match(text, cursor)
        if not match:
            break
        word = match.group(1)
        start, end = match.start(1), match.end(1)
        if taken.covers(start):
            break
        if word.lower() in PARTICLES and words and pending_particle is None:
            pending_particle = (start, end)
            cursor = end
            continue
        if not (word[0].isupper() and not word.isupper() or (len(word) <= 3 and word.istitle())):
            break
        if normalise(word).strip("'") in NOT_NAME_WORDS or TITLE_WORD.fullmatch(word):
            break
        words.append((start, end))
        pending_particle = None
        cursor = end
    if len(words) < minimum:
        return None
    return words[0][0], words[-1][1]


CJK_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")
INITIAL = re.compile(r"[^\W\d_]\.?")


def is_whole_name(name: str) -> bool:
    """A given and a family name at least (initials allowed before the family name): never
    "M" or "John C". A Chinese name written in characters is whole in two to four of them."""
    if CJK_NAME.fullmatch(name):
        return True
    if len(name.split()) < 2:
        return False
    parsed = HumanName(name)
    return bool(parsed.first and parsed.last) and not INITIAL.fullmatch(parsed.last)


def _after_title(text: str, position: int, taken) -> int:
    """Where a name may start after a title's complement: "for International Affairs", "of
    KBTU", "of <a named institution>", or an institution right after the title as Russian
    writes it ("ректор ТГУ Андрей Волков"); `position` itself when there is none."""
    of = TITLE_OF.match(text, position)
    cursor = of.end() if of else position
    if (end := taken.end_at(cursor)) is not None:
        space = AFTER_NAME.match(text, end)
        return space.end() if space else position
    if acronym := ACRONYM_WORD.match(text, cursor):
        return acronym.end()
    fields = 0
    while of and fields < 4 and (word := FIELD_WORD.match(text, cursor)):
        if normalise(word.group(1)) not in FIELD_WORDS:
            break
        cursor, fields = word.end(), fields + 1
    return cursor if fields else position


def _honorific(written: str) -> str:
    words = re.findall(r"(?:Associate|Assistant|Assoc\.)\s+(?:Professor|Prof\.?)|\S+", written)
    return " ".join(HONORIFICS.get(" ".join(word.lower().split()), word) for word in words)


def find_people(text: str, taken) -> list[FoundPerson]:
    """People after an honorific or a title (also "Title for Field Name", "Title of X Name"),
    before an apposed title ("Name, President of X"), in lists after "signed by" and after
    "on behalf of X," — and Chinese names in characters before their honorific."""
    taken = Spans(taken)
    people = []
    for anchor in ANCHOR.finditer(text):
        title = anchor.group("title") or anchor.group("title_only") or ""
        honorific_text = anchor.group("honorific") or ""
        start = anchor.end()
        span = _name_after(text, start, minimum=1 if honorific_text else 2, taken=taken)
        if span is None and not honorific_text:
            start = _after_title(text, anchor.end(), taken)
            if LEADING_HONORIFIC.match(text, start):
                continue  # the honorific's own anchor reads this person
            span = (
                _name_after(text, start, minimum=2, taken=taken) if start > anchor.end() else None
            )
        if span is None:
            continue
        people.append(
            FoundPerson(
                full_name=text[span[0] : span[1]],
                start=anchor.start(),
                end=span[1],
                honorific=_honorific(honorific_text),
                position=_tidy(title),
            )
        )
    people += _people_before_titles(text, taken)
    people += _listed_people(text, taken)
    for match in CJK_PERSON.finditer(text):
        people.append(
            FoundPerson(
                full_name=match.group("name"),
                start=match.start(),
                end=match.end(),
                position=CJK_POSITIONS.get(match.group("title"), ""),
                honorific=CJK_HONORIFICS.get(match.group("title"), ""),
            )
        )
    return people


# "Sigrid Lindqvist, President of KTH": two to four name words, then a comma and a title.
NAME_TOKEN = r"[A-ZÀ-ÖØ-ÞА-ЯЁ][\w'\-]*"
APPOSED_TITLE = re.compile(
    rf"(?<![\w\-'.])(?P<name>{NAME_TOKEN}(?:[^\S\n]+(?:(?:{'|'.join(PARTICLES)})[^\S\n]+)?"
    rf"{NAME_TOKEN}){{1,3}}),[^\S\n]+(?:(?:the|its|a|an)[^\S\n]+)?(?:{TITLE})(?![\w\-])"
)


LEADING_HONORIFIC = re.compile(rf"(?:{HONORIFIC})[^\S\n]+")


def _people_before_titles(text: str, taken) -> list[FoundPerson]:
    people = []
    for match in APPOSED_TITLE.finditer(text):
        start, end = match.span("name")
        if taken.overlaps(start, end) or LEADING_HONORIFIC.match(text, start):
            continue  # an honorific's anchor reads this one
        span = _name_after(text, start, minimum=2, taken=taken)
        if span is None or span[1] != end:
            continue
        people.append(FoundPerson(full_name=text[start:end], start=start, end=end))
    return people


# "signed by A, B and C", "signatories were A and B", "on behalf of X, A": the list starts here.
LIST_CUE = re.compile(
    r"(?i)\b(?:(?:signed|initialled|countersigned|inked)\b[^.;,\n]{0,80}?\bby"
    r"|signatories\s+(?:were|are|included|include))[^\S\n]+"
)
ON_BEHALF = re.compile(r"(?i)\bon behalf of[^\S\n]+(?:the[^\S\n]+)?")
COMMA = re.compile(r"[^\S\n]*,[^\S\n]+")
LIST_SEPARATOR = re.compile(r"[^\S\n]*(?:,[^\S\n]*(?:and[^\S\n]+)?|[^\S\n]+and[^\S\n]+)")
LIST_ITEM_LEAD = re.compile(
    rf"(?:the[^\S\n]+)?(?:(?:{TITLE})[^\S\n]+)?(?:(?:{HONORIFIC})[^\S\n]+)?"
)
# An apposition skipped between two names of a list ("A, Rector of X, and B"), this long at most.
LIST_APPOSITION = re.compile(r"[^,;.\n]{1,120}?(?=,|;|\.|\n|$)")
LIST_ITEMS = 8


def _listed_people(text: str, taken) -> list[FoundPerson]:
    """Bare names in a list after LIST_CUE, or right after "on behalf of X,"; an apposition
    with a position between two names is skipped."""
    starts = [cue.end() for cue in LIST_CUE.finditer(text)]
    for cue in ON_BEHALF.finditer(text):
        end = taken.end_at(cue.end())
        comma = COMMA.match(text, end) if end is not None else None
        if comma:
            starts.append(comma.end())
    people = []
    for cursor in starts:
        for _ in range(LIST_ITEMS):
            lead = LIST_ITEM_LEAD.match(text, cursor)
            span = _name_after(text, lead.end(), minimum=2, taken=taken)
            if span is None or _runs_into_institution(text, span[1]):
                break
            people.append(
                FoundPerson(full_name=text[span[0] : span[1]], start=span[0], end=span[1])
            )
            separator = LIST_SEPARATOR.match(text, span[1])
            if separator is None:
                break
            cursor = separator.end()
            # "A, Rector of X, and B": the apposition, then the next separator.
            if (
                not separator.group().strip(" ,")
                and (apposition := LIST_APPOSITION.match(text, cursor))
                and POSITION_WORDS.search(apposition.group())
                and (after := LIST_SEPARATOR.match(text, apposition.end()))
            ):
                cursor = after.end()
    return people


def _runs_into_institution(text: str, end: int) -> bool:
    """Whether the words just read as a name go on as an institution's ("Riga Technical
    University")."""
    following = NAME_WORD.match(text, end)
    return following is not None and fold(following.group(1)) in ORG_WORDS


CJK_HONORIFICS = {"教授": "Prof.", "博士": "Dr.", "先生": "Mr.", "女士": "Ms."}
CJK_POSITIONS = {"校长": "President", "院长": "Dean", "主任": "Director", "书记": "Secretary"}
CJK_PERSON = re.compile(
    r"(?<![\u4e00-\u9fff])(?P<name>[\u4e00-\u9fff]{2,3})"
    rf"(?P<title>{'|'.join([*CJK_HONORIFICS, *CJK_POSITIONS])})"
)


def _tidy(phrase: str) -> str:
    phrase = " ".join(phrase.split()).strip(" ,;:-")
    phrase = re.sub(r"(?i)^(?:the|a|an)\s+", "", phrase)
    return phrase[:1].upper() + phrase[1:] if phrase else ""


# --- Dates ---------------------------------------------------------------------------------------

EN_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
RU_MONTHS = {
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6, "июл": 7, "август": 8,
    "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12,
}  # fmt: skip
EN_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
RU_MONTH = (
    r"(?i:январ[ьяе]|феврал[ьяе]|март[ае]?|апрел[ьяе]|ма[йяе]|июн[ьяе]|июл[ьяе]|август[ае]?"
    r"|сентябр[ьяе]|октябр[ьяе]|ноябр[ьяе]|декабр[ьяе])"
)
MONTH = rf"(?:{EN_MONTH}|{RU_MONTH})"
DAY = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th)?"
YEAR = r"(?P<y>(?:19|20)\d{2})"
YEAR_WORD = r"(?:\s*(?:г\.|года|год)(?!\w))?"
FULL_DATES = [
    re.compile(r"(?<![\d.])(?P<y>(?:19|20)\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?![\d])"),
    re.compile(r"(?<![\d.])(?P<a>\d{1,2})[./](?P<b>\d{1,2})[./](?P<y>(?:19|20)\d{2})(?![\d])"),
    re.compile(rf"(?<!\w){DAY}(?:\s+of)?\s+(?P<m>{MONTH}),?\s+{YEAR}{YEAR_WORD}(?!\d)"),
    re.compile(rf"(?<!\w)(?P<m>{EN_MONTH})\s+{DAY},?\s+{YEAR}(?!\d)"),
]
MONTH_YEAR = re.compile(rf"(?<!\w)(?P<m>{MONTH}),?\s+{YEAR}{YEAR_WORD}(?!\d)")
DAY_MONTH = [
    re.compile(rf"(?<!\w){DAY}(?:\s+of)?\s+(?P<m>{MONTH})(?!\w)"),
    re.compile(rf"(?<!\w)(?P<m>{EN_MONTH})\s+{DAY}(?![\d\w])"),
]
SIGNING = re.compile(
    r"(?i)\b(?:sign(?:ed|ing|s)?|inked|concluded|entered into|renew(?:ed|s)?|подписал\w*"
    r"|подписан\w*)\b"
)
FOLLOW_UP = re.compile(
    r"(?i)\b(?:will|shall|invited|invitation|invites?|upcoming|scheduled|planned|plans?|next|"
    r"expected|forthcoming|to be held|договорились|планиру\w*|состоится|пройд\w*|приглас\w*)\b"
)


def _month_number(name: str) -> int:
    lowered = name.lower().rstrip(".")
    if lowered[:3] in EN_MONTHS and not CYRILLIC.search(lowered):
        return EN_MONTHS[lowered[:3]]
    for stem, number in sorted(RU_MONTHS.items(), key=lambda item: -len(item[0])):
        if lowered.startswith(stem):
            return number
    raise ValueError(name)


@dataclass
class DateMention:
    start: int
    end: int
    date: datetime.date | None  # None for a day and month whose year is not known
    month_only: bool = False
    day: int = 0
    month: int = 0


def find_dates(text: str) -> list[DateMention]:
    found: list[DateMention] = []
    # The spans of `found`, sorted: they never overlap.
    occupied: list[tuple[int, int]] = []

    def free(start, end):
        index = bisect.bisect_left(occupied, (start, end))
        return not (
            (index > 0 and occupied[index - 1][1] > start)
            or (index < len(occupied) and occupied[index][0] < end)
        )

    def add(mention: DateMention) -> None:
        found.append(mention)
        bisect.insort(occupied, (mention.start, mention.end))

    for pattern in FULL_DATES:
        for match in pattern.finditer(text):
            if not free(match.start(), match.end()):
                continue
            groups = match.groupdict()
            try:
                year = int(groups["y"])
                if "a" in groups and groups.get("a"):
                    first, second = int(groups["a"]), int(groups["b"])
                    day, month = (second, first) if second > 12 >= first else (first, second)
                else:
                    day = int(groups["d"])
                    month = (
                        int(groups["m"]) if groups["m"].isdigit() else _month_number(groups["m"])
                    )
                value = datetime.date(year, month, day)
            except ValueError:
                continue
            add(DateMention(match.start(), match.end(), value))
    for match in MONTH_YEAR.finditer(text):
        if free(match.start(), match.end()):
            month, year = _month_number(match.group("m")), int(match.group("y"))
            last = calendar.monthrange(year, month)[1]
            add(DateMention(match.start(), match.end(), datetime.date(year, month, last), True))
    for pattern in DAY_MONTH:
        for match in pattern.finditer(text):
            if not free(match.start(), match.end()):
                continue
            try:
                day, month = int(match.group("d")), _month_number(match.group("m"))
            except ValueError:
                continue
            if not 1 <= day <= 31:
                continue
            add(DateMention(match.start(), match.end(), None, day=day, month=month))
    found.sort(key=lambda mention: mention.start)
    # A day and month take the year of the nearest full date (a dateline, usually).
    dated = [m for m in found if m.date is not None]
    dated_starts = [m.start for m in dated]
    for mention in found:
        if mention.date is None and dated:
            middle = bisect.bisect_left(dated_starts, mention.start)
            around = [dated[i] for i in (middle - 1, middle) if 0 <= i < len(dated)]
            nearest = min(around, key=lambda m: abs(m.start - mention.start))
            try:
                mention.date = datetime.date(nearest.date.year, mention.month, mention.day)
            except ValueError:
                mention.date = None
    return [mention for mention in found if mention.date is not None]


# --- Areas and kinds -----------------------------------------------------------------------------

AREA_SYNONYMS: dict[str, list[str]] = {
    "capacity-building": [
        r"capacity[- ]building", r"capacity development", r"third[- ]party training",
        r"повышени\w* потенциала",
    ],
    "teaching": [
        r"teaching(?! staff)", r"guest lectures?", r"curriculum development", r"co-teaching",
        r"преподавани\w*",
    ],
    "research": [
        r"research", r"(?:joint |co-)supervision", r"научн\w* исследовани\w*", r"исследовани\w*",
    ],
    "knowledge-dissemination": [
        r"dissemination of knowledge", r"knowledge dissemination",
        r"knowledge (?:sharing|exchange|transfer)", r"распространени\w* знаний",
    ],
    "online-education": [
        r"IIOE", r"international institute for online education",
        r"online (?:education|learning|courses?|teaching)", r"e-learning", r"MOOCs?",
        r"онлайн[- ]?(?:образовани\w*|обучени\w*)", r"дистанционн\w* обучени\w*",
    ],
    "joint-bidding": [
        r"joint bid(?:s|ding)?", r"consultanc(?:y|ies)", r"bidding for",
        r"joint (?:grant )?(?:proposals|applications)",
    ],
    "student-mobility": [
        r"student (?:exchanges?|mobility)", r"exchange (?:of|for) students", r"exchange students",
        r"(?:academic )?mobility of students", r"visiting students", r"study abroad",
        r"academic mobility", r"internships?", r"академическ\w* мобильност\w*",
        r"студенческ\w* мобильност\w*",
        r"обмен\w* студент\w*",
    ],
    "staff-mobility": [
        r"staff (?:exchanges?|mobility)", r"faculty (?:exchanges?|mobility)",
        r"exchange of (?:academic |teaching |administrative )?(?:staff|faculty|academics|"
        r"researchers|scholars|lecturers)",
        r"visiting (?:researchers|scholars|professors|faculty)", r"обмен\w* преподавател\w*",
    ],
    "joint-programmes": [
        r"joint (?:\w+ )?(?:degree )?programm?es?", r"joint (?:\w+ )?programs?",
        r"double[- ]degrees?", r"dual[- ]degrees?", r"joint degrees?",
        r"совместн\w* (?:\w+ )?программ\w*", r"двойн\w* диплом\w*",
    ],
    "professional-development": [
        r"professional development", r"micro-?certification", r"teacher training",
        r"training (?:of|for) (?:teachers|staff|faculty)", r"upskilling",
        r"повышени\w* квалификации",
    ],
}  # fmt: skip

AREA_NAME = re.compile(
    "|".join(f"(?:{pattern})" for patterns in AREA_SYNONYMS.values() for pattern in patterns),
    re.IGNORECASE,
)

KINDS = [
    ("moa", r"memorand(?:um|a) of agreement|\bMoA\b"),
    (
        "mou",
        r"memorand(?:um|a) of understanding|\bMoUs?\b|меморандум\w* о (?:взаимопонимании|"
        r"сотрудничестве)",
    ),
    ("framework", r"framework (?:cooperation )?agreement|рамочн\w* соглашени\w*"),
    ("letter_of_intent", r"letters? of intent(?:ion)?|\bLoI\b|письм\w* о намерениях"),
    ("exchange", r"exchange agreement|соглашени\w* об обмене"),
]
KIND_CHANGES = [
    ("amendment", r"\bamendment\b|\baddendum\b|дополнительн\w* соглашени\w*"),
    (
        "renewal",
        r"\brenew(?:al|ed|s|ing)?\b(?=[^.\n]{0,80}(?:memorand|agreement|MoU|pact|partnership))"
        r"|продлени\w* (?:меморандум|соглашени)",
    ),
]
GENERIC_KINDS = [("mou", r"меморандум\w*|\bmemorandum\b"), ("other", r"agreement|соглашени\w*")]
TITLE_KINDS = {
    "mou": "Memorandum of understanding",
    "moa": "Memorandum of agreement",
    "framework": "Framework agreement",
    "exchange": "Exchange agreement",
    "amendment": "Amendment",
    "renewal": "Renewal of the agreement",
    "letter_of_intent": "Letter of intent",
    "other": "Agreement",
}


def find_kind(text: str) -> str:
    for kind, pattern in KIND_CHANGES:
        if re.search(pattern, text, re.IGNORECASE):
            return kind
    first = None
    for kind, pattern in KINDS:
        match = re.search(pattern, text, re.IGNORECASE)
        if match and (first is None or match.start() < first[0]):
            first = (match.start(), kind)
    if first:
        return first[1]
    for kind, pattern in GENERIC_KINDS:
        if re.search(pattern, text, re.IGNORECASE):
            return kind
    return Memorandum.Kind.OTHER


# --- Commitments ---------------------------------------------------------------------------------

# A run of spaces is tried from its first only: from each of them, a long run would cost its
# square.
CLAUSE_BREAK = re.compile(r";|,\s+and\s+|(?<!\s)\s+and\s+(?=to\s)|,\s+while\s+|,\s+whereas\s+")
# How far from its date an event's words are read: clauses are shorter in any real text.
CLAUSE_REACH = 200
EVENT_AS_SUBJECT = re.compile(
    r"^(?P<subject>.+?)(?:\s+(?:will|is|are|shall)\s+(?:be\s+)?(?:expected\s+to\s+(?:be\s+)?)?"
    r"|,?\s+(?=to\s+(?:be|take)\b))(?:jointly\s+)?(?:to\s+)?(?:be\s+)?(?:held|take place|"
    r"taking place|scheduled|planned|organi[sz]ed|launched|hosted|arrive|start|begin|open|"
    r"convened)\b",
    re.IGNORECASE,
)
RU_EVENT_AS_SUBJECT = re.compile(
    r"^(?P<subject>.+?)\s+(?:состоится|пройд[её]т|начн[её]тся|откроется|будет проведен\w*)\b",
    re.IGNORECASE,
)
LEAD_IN = re.compile(
    r"(?i)\b(?:invited(?:\s+\w+)?\s+to(?:\s+(?:attend|join|take part in|participate in))?|"
    r"to\s+(?:attend|join|take part in|participate in|hold|host|organi[sz]e|launch|run|convene)|"
    r"will\s+(?:jointly\s+)?(?:host|hold|organi[sz]e|launch|run|convene|attend|take part in|"
    r"participate in|meet(?:\s+again)?\s+at)|agreed\s+to\s+(?:\w+\s+)?(?:host|hold|organi[sz]e|"
    r"launch|run)|договорились\s+(?:провести|организовать)|провести|организовать|"
    r"пригласил\w*\s+(?:на|в)|примет участие в)\s+"
)


@dataclass
class FoundCommitment:
    title: str
    due_on: datetime.date
    start: int  # where the event is named
    end: int
    date_span: tuple[int, int] = (0, 0)


def find_commitments(text: str, spans, dates: list[DateMention], signed: DateMention | None):
    found: list[FoundCommitment] = []
    seen: set[tuple[datetime.date, str]] = set()
    # Each sentence read once: whether it is about what will happen, and its clause breaks.
    read: dict[tuple[int, int], tuple[bool, list[int], list[int]]] = {}
    for mention in dates:
        if mention is signed:
            continue
        start, end = sentence_at(spans, mention.start)
        if (start, end) not in read:
            breaks = list(CLAUSE_BREAK.finditer(text, start, end))
            read[start, end] = (
                FOLLOW_UP.search(text, start, end) is not None,
                [b.start() for b in breaks],
                [b.end() for b in breaks],
            )
        follow_up, break_starts, break_ends = read[start, end]
        if not follow_up:
            continue
        # The clause runs from the last break before the date to the first at or after its end.
        before = bisect.bisect_left(break_starts, mention.start) - 1
        after = bisect.bisect_left(break_starts, mention.end)
        clause_start = max(
            break_ends[before] if before >= 0 else start, mention.start - CLAUSE_REACH
        )
        clause_end = min(
            break_starts[after] if after < len(break_starts) else end, mention.end + CLAUSE_REACH
        )
        clause = text[clause_start:clause_end]
        title = _event_title(clause, text[mention.start : mention.end])
        if title and (mention.date, title.lower()) not in seen:
            seen.add((mention.date, title.lower()))
            # The event's own words (and its date) are not cooperation areas.
            at = clause.lower().find(title.lower())
            title_start = clause_start + at if at >= 0 else clause_start
            title_end = title_start + len(title) if at >= 0 else clause_end
            found.append(
                FoundCommitment(
                    title, mention.date, title_start, title_end, (mention.start, mention.end)
                )
            )
    return found


def _event_title(clause: str, date_text: str) -> str:
    without_date = re.sub(
        r"\s*[(,]?\s*(?:(?:in|on|by|during|for|scheduled for|planned for|set for|until|before|"
        r"в|до|к)\s+)?(?:the\s+)?" + re.escape(date_text) + r"\s*\)?",
        " ",
        clause,
        count=1,
        flags=re.IGNORECASE,
    )
    without_date = without_date.strip().rstrip(".")
    subject = EVENT_AS_SUBJECT.match(without_date) or RU_EVENT_AS_SUBJECT.match(without_date)
    if subject:
        # The event is the last item before the verb: "…, adding X and a summer school, to be
        # held …" → "a summer school".
        items = r",\s*|\s+and\s+(?=(?:a|an|the)\s)|\s+adding\s+"
        title = re.split(items, subject.group("subject"))[-1]
    else:
        leads = list(LEAD_IN.finditer(without_date))
        title = without_date[leads[-1].end() :] if leads else without_date
        title = re.sub(r"(?i)^(?:and\s+)?to\s+", "", title.strip())
    title = re.sub(r"\s+(?:in|at)\s+[A-ZА-Я][\w\-]+$", "", title.strip())
    return _tidy(title)[:300]


# --- Who signs -----------------------------------------------------------------------------------

# What a party does: signs, concludes, enters into, renews, partners with; or it is said to be
# a party to, a partner in or a signatory of the agreement.
SIGNING_VERB = re.compile(
    r"(?i)\b(?:sign(?:s|ed|ing)?|inks?|inked|conclude[sd]?|enter(?:s|ed)?\s+into"
    r"|renew(?:s|ed)?|partner(?:s|ed)?\s+(?:with|on|in|to)|team(?:s|ed)?\s+up"
    r"|join(?:s|ed)?\s+forces|(?:is|are|was|were|become|becomes|became)\s+(?:a\s+|the\s+)?"
    r"(?:part(?:y|ies)|partners?|signator(?:y|ies))\s+(?:to|in|of)"
    r"|подписал\w*|подписан\w*|заключил\w*)\b"
)
AGREEMENT_NOUN = re.compile(
    r"(?i)\b(?:memorand(?:um|a)|agreements?|MoUs?|MoAs?|accords?|pacts?|partnerships?"
    r"|letters?\s+of\s+intent|соглашени\w*|меморандум\w*|договор\w*)\b"
)
# Where the names of the parties follow: "between X and Y", "with X" (after a verb or noun of
# agreement), "signed … by X", "for X", "on behalf of X".
BETWEEN = re.compile(r"(?i)\b(?:between|among|amongst|между)[^\S\n]+")
WITH = re.compile(r"(?i)\b(?:with|с|со)[^\S\n]+")
SIGNED_BY = re.compile(
    r"(?i)\b(?:signed|concluded|inked|initialled|countersigned)\b[^.;,\n]{0,80}?\bby[^\S\n]+"
)
FOR_PARTY = re.compile(r"(?i)\b(?:for|on behalf of|representing|от имени)[^\S\n]+")
# "The parties to the agreement are X, Y and Z."
PARTIES_ARE = re.compile(
    r"(?i)\b(?:parties|partners|signatories)\b[^.;\n]{0,60}?\b(?:are|were|include|included)"
    r"[^\S\n]*:?[^\S\n]+"
)
# Words that may stand between the last name of the subject and its verb ("X and Y have today
# formally signed"), and between the names of one list ("X, the Y and Z").
SUBJECT_FILLER = (
    {
        "have", "has", "had", "today", "yesterday", "jointly", "formally", "officially", "also",
        "recently", "finally", "now", "will", "to", "on", "this", "last", "week", "both",
        "successfully", "together", "сегодня", "официально", "также", "совместно",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    }
    | MONTH_WORDS
)  # fmt: skip
LIST_LINKS = {"and", "the", "as", "well", "together", "with", "along", "и", "et", "y", "und"}
LIST_MARKS = set(",–—-/")
PARENTHESES = re.compile(r"\([^()\n]{0,60}\)")
# A place after a name ("UNDP in Kazakhstan", "CSIR of South Africa") does not break a list.
PLACE = re.compile(r"(?<!\w)(?:in|of|в|во)[^\S\n]+(?:[A-ZА-ЯЁ][\w\-]*[^\S\n]*){1,3}")
# How far before "with" its verb or noun of agreement may be ("signed an MoU with").
WITH_REACH = 80
# The longest stretch read between two names of one list, or a name and its verb.
CHAIN_GAP = 120
# The most names followed along one list: a list of parties is never longer.
CHAIN_NAMES = 12


class Positions:
    """Where a pattern matched, asked in logarithmic time whether it did within a stretch: a
    sentence is never searched again for each name in it."""

    def __init__(self, positions: Iterable[int]):
        self.positions = sorted(positions)

    def within(self, start: int, end: int) -> bool:
        index = bisect.bisect_left(self.positions, start)
        return index < len(self.positions) and self.positions[index] < end


def _gap_is(text: str, start: int, end: int, words: set[str], marks: set[str]) -> bool:
    """Whether text[start:end], less short parentheses ("(NU)"), holds only `words`, `marks`,
    spaces and numbers."""
    if end < start or end - start > CHAIN_GAP:
        return False
    gap = PLACE.sub(" ", PARENTHESES.sub(" ", text[start:end]))
    for match in re.finditer(r"[^\W\d_]+|[^\w\s]", gap):
        token = match.group()
        if not (normalise(token) in words or token in marks):
            return False
    return True


def signing_parties(text: str, spans, mentions: list[Mention], people) -> set[int]:
    """The ids of the parties that sign: named as the subject of a verb of signing (with the
    names listed with them), after "between", "with", "signed … by", "for" or "on behalf of" in
    a sentence about the signing, or as the institution of a person who signs. When nothing
    says who signs, the institutions of the headline."""
    starts = [mention.start for mention in mentions]
    signing: set[int] = set()

    def follow_back(index: int) -> None:
        """The name at `index` and the names listed before it."""
        for _ in range(CHAIN_NAMES):
            signing.add(id(mentions[index].party))
            if index == 0 or not _gap_is(
                text, mentions[index - 1].end, mentions[index].start, LIST_LINKS, LIST_MARKS
            ):
                return
            index -= 1

    def follow_on(index: int) -> None:
        """The name at `index` and the names listed after it."""
        for _ in range(CHAIN_NAMES):
            signing.add(id(mentions[index].party))
            if index + 1 == len(mentions) or not _gap_is(
                text, mentions[index].end, mentions[index + 1].start, LIST_LINKS, LIST_MARKS
            ):
                return
            index += 1

    verb_matches = list(SIGNING_VERB.finditer(text))
    noun_matches = list(AGREEMENT_NOUN.finditer(text))
    verbs = Positions(match.start() for match in verb_matches)
    nouns = Positions(match.start() for match in noun_matches)
    # Subjects: the names just before a verb of signing, or right before a noun of agreement
    # ("the NU–KAIST agreement").
    for verb in [*verb_matches, *noun_matches]:
        index = bisect.bisect_left(starts, verb.start()) - 1
        if index < 0 or mentions[index].end > verb.start():
            continue
        sentence_start = sentence_at(spans, verb.start())[0]
        if mentions[index].start < sentence_start:
            continue
        # "NU's President signed": the institution's head signs for it.
        filler = SUBJECT_FILLER | TITLE_WORDS | {"s"} if verb.re is SIGNING_VERB else set()
        # Not across a comma: "…, Director of the X School, signed" has a person for subject.
        if _gap_is(text, mentions[index].end, verb.start(), filler, {"'"}):
            follow_back(index)
    # Objects: the names right after a cue, in a sentence about the agreement.
    for cue_pattern in (BETWEEN, WITH, SIGNED_BY, FOR_PARTY, PARTIES_ARE):
        for cue in cue_pattern.finditer(text):
            index = bisect.bisect_left(starts, cue.end())
            if index == len(mentions) or not _gap_is(
                text, cue.end(), mentions[index].start, {"the"}, set()
            ):
                continue
            sentence_start, sentence_end = sentence_at(spans, cue.start())
            if mentions[index].start >= sentence_end:
                continue
            if cue_pattern is BETWEEN:
                about = nouns.within(sentence_start, sentence_end) or verbs.within(
                    sentence_start, sentence_end
                )
            elif cue_pattern is WITH:
                # "signed an MoU with X", "entered into an agreement with X": the verb in the
                # sentence, and it or its noun shortly before "with", in the same clause.
                reach = max(sentence_start, cue.start() - WITH_REACH)
                clause_start = max(text.rfind(",", reach, cue.start()) + 1, reach)
                about = verbs.within(sentence_start, sentence_end) and (
                    verbs.within(clause_start, cue.start())
                    or nouns.within(clause_start, cue.start())
                )
            elif cue_pattern is PARTIES_ARE or cue.group().lower().startswith("on behalf"):
                about = True
            else:
                about = verbs.within(sentence_start, sentence_end)
            if about:
                follow_on(index)
    # The institution of a person who signs: named in a sentence of signing, not as a guest; an
    # institution the register does not know only if the headline names it too (else it is
    # likely the person's faculty or school: "Principal of the College of …").
    headline_end = spans[0][1] if spans else 0
    in_headline = {id(mention.party) for mention in mentions if mention.start < headline_end}
    for person in people:
        if person.party is None:
            continue
        if person.party.institution is None and id(person.party) not in in_headline:
            continue
        sentence_start, sentence_end = sentence_at(spans, person.start)
        if verbs.within(sentence_start, sentence_end) and not _context_before(
            text, spans, person.start
        ):
            signing.add(id(person.party))
    if not signing:
        # Nothing says who signs: the institutions of the headline, if it names any.
        signing = in_headline
    return signing


# A party the register does not know by any of its names, but knows by a name this alike (the
# trigram similarity of their distinctive words, as the import compares them), is that one.
SAME_INSTITUTION_SIMILARITY = 0.8


def _registered_by_likeness(parties: list[FoundParty], directory: Directory) -> list[FoundParty]:
    """Each unknown party that one registered institution alone resembles closely enough is
    that institution (once, if it is also named otherwise); the others keep the registered
    institutions they resemble less closely (`resembles`), for `possible_duplicates`."""
    result: list[FoundParty] = []
    registered = {party.institution.pk for party in parties if party.institution is not None}
    unknown = [party for party in parties if party.institution is None and not party.ambiguous]
    for party in unknown[:COMPARED_UNKNOWN_INSTITUTIONS]:
        party.resembles = directory.matcher.near(party.name)
    for party in parties:
        close = [near for near in party.resembles if near.similarity >= SAME_INSTITUTION_SIMILARITY]
        if len(close) == 1:
            institution = close[0].institution
            if institution.pk in registered:
                continue
            registered.add(institution.pk)
            party.institution = institution
            party.name = institution.name
            party.short_name = institution.short_name
            party.country = institution.country.code or None
            party.resembles = []
        result.append(party)
    return result


# --- The proposal --------------------------------------------------------------------------------


@dataclass
class PossibleDuplicate:
    name: str
    institution: Institution
    similarity: float

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "institution": self.institution.pk,
            "institution_name": self.institution.name,
            "country": self.institution.country.code,
            "similarity": round(self.similarity, 3),
        }


@dataclass
class Proposal:
    title: str
    kind: str
    signed_on: datetime.date | None
    parties: list[FoundParty]
    signatories: list[FoundPerson]
    areas: list[CooperationArea]
    commitments: list[FoundCommitment]
    possible_duplicates: list[PossibleDuplicate]
    # Institutions named that do not sign: context, hosts, funders, other members …
    also_mentioned: list[FoundParty] = field(default_factory=list)

    @property
    def known_parties(self) -> list[FoundParty]:
        return [party for party in self.parties if party.institution is not None]

    @property
    def unknown_parties(self) -> list[FoundParty]:
        return [party for party in self.parties if party.institution is None]

    def as_dict(self) -> dict:
        """The response of `POST memoranda/intake/`."""
        return {
            "memorandum": {
                "title": self.title,
                "kind": self.kind,
                "signed_on": self.signed_on.isoformat() if self.signed_on else None,
                "parties": [_party_dict(party) for party in self.parties],
                "signatories": [
                    {
                        "full_name": person.full_name,
                        "honorific": person.honorific,
                        "position": person.position,
                        "institution_name": person.institution_name,
                        "mode": person.mode,
                    }
                    for person in self.signatories
                ],
                "cooperation_areas": [area.code for area in self.areas],
                "commitments": [
                    {"title": commitment.title, "due_on": commitment.due_on.isoformat()}
                    for commitment in self.commitments
                ],
            },
            "also_mentioned": [_party_dict(party) for party in self.also_mentioned],
            "unknown_institutions": [party.name for party in self.unknown_parties],
            "possible_duplicates": [duplicate.as_dict() for duplicate in self.possible_duplicates],
        }


def _party_dict(party: FoundParty) -> dict:
    return {
        "institution": party.institution.pk if party.institution else None,
        "name": party.name,
        "short_name": party.short_name,
        "country": party.country,
    }


def length_problem(text: str) -> str | None:
    """Why the text is too long to be read, or None. Every rule above runs in time linear in
    the text's length; the limit keeps that time short."""
    limit = settings.INTAKE_MAX_CHARS
    if len(text) <= limit:
        return None
    return gettext(
        "The announcement has %(length)s characters; at most %(limit)s are read "
        "(INTAKE_MAX_CHARS). Paste the announcement alone."
    ) % {"length": f"{len(text):,}", "limit": f"{limit:,}"}


def propose(text: str, *, directory: Directory | None = None) -> Proposal:
    """A draft memorandum read from the text of an announcement; nothing is saved."""
    if problem := length_problem(text):
        raise ValidationError({"text": problem})
    directory = directory or Directory()
    text = clean(text)
    spans = sentences(text)
    tokens = tokens_of(text)

    # 1. Registered institutions.
    mentions: list[Mention] = []
    by_institution: dict[int, FoundParty] = {}
    for start, end, institutions in directory.scan(text, tokens):
        if len(institutions) == 1:
            institution = institutions[0]
            party = by_institution.get(institution.pk)
            if party is None:
                party = by_institution[institution.pk] = FoundParty(
                    name=institution.name,
                    institution=institution,
                    short_name=institution.short_name,
                    country=institution.country.code or None,
                    first_at=start,
                )
        else:
            party = FoundParty(name=text[start:end], first_at=start, ambiguous=institutions)
        mentions.append(Mention(start, end, party))
    _resolve_ambiguous(mentions, by_institution)
    parents = {party.institution.parent_id for party in by_institution.values()}
    for party in by_institution.values():
        if party.institution.pk in parents:
            party.context_only = True

    # 2. People (their names are not institutions), then unknown institutions.
    taken = [(m.start, m.end) for m in mentions]
    people = find_people(text, taken)
    people_spans = [(person.start, person.end) for person in people]
    unknown: dict[str, FoundParty] = {}
    candidates = unknown_institutions(text, tokens, taken + people_spans)
    # A unit or programme of a named institution ("Huawei ICT Academy"), wherever it is named.
    # So is one "at" or "of" one ("the Centre for International Experience at U of T").
    # (Only the nearest name on either side can be that close: registered names do not overlap.)
    mention_starts = [m.start for m in mentions]
    mention_ends = [m.end for m in mentions]
    units = set()
    for start, end, name, _ in candidates:
        before = bisect.bisect_right(mention_ends, start) - 1
        after = bisect.bisect_left(mention_starts, end)
        if (before >= 0 and SAME_LINE_SPACE.fullmatch(text, mention_ends[before], start)) or (
            after < len(mentions) and AT_OR_OF.fullmatch(text, end, mention_starts[after])
        ):
            units.add(normalise(name))
    for start, end, name, acronym in candidates:
        key = normalise(name)
        if key in units:
            continue
        matches = directory.matcher.exact(name) or (
            directory.matcher.exact(acronym) if acronym else []
        )
        if len(matches) == 1:
            institution = matches[0]
            party = by_institution.setdefault(
                institution.pk,
                FoundParty(
                    name=institution.name,
                    institution=institution,
                    short_name=institution.short_name,
                    country=institution.country.code or None,
                    first_at=start,
                ),
            )
        else:
            party = unknown.setdefault(key, FoundParty(name=name, first_at=start))
            party.short_name = party.short_name or acronym
        mentions.append(Mention(start, end, party))
    named, named_here = Spans((m.start, m.end) for m in mentions), set()
    tokens_by_text: dict[str, list[Token]] = {}
    for token in tokens:
        tokens_by_text.setdefault(token.text, []).append(token)
    for party in unknown.values():
        for token in tokens_by_text.get(party.short_name, []) if party.short_name else []:
            if not named.covers(token.start) and token.start not in named_here:
                mentions.append(Mention(token.start, token.end, party))
                named_here.add(token.start)
    mentions.sort(key=lambda mention: mention.start)
    by_party: dict[int, list[Mention]] = {}
    for mention in mentions:
        by_party.setdefault(id(mention.party), []).append(mention)
    for party_mentions in by_party.values():
        if all(_context_before(text, spans, m.start) for m in party_mentions):
            party_mentions[0].party.context_only = True

    # 3. Each person's position, institution and mode.
    known_people = directory.people_in(text, tokens)
    people = _merge_people(people, known_people, taken)
    sorted_mentions = Mentions(mentions)
    known_names = NameIndex()
    for _, _, record in known_people:
        known_names.add(record.full_name, record)
    for person in people:
        _describe(person, text, spans, sorted_mentions, known_names)
    _remote_modes(text, spans, people)

    # 4. Dates, follow-ups, areas, kind.
    dates = find_dates(text)
    signed = _signing_date(text, spans, dates)
    commitments = find_commitments(text, spans, dates, signed)
    institution_spans = [(m.start, m.end) for m in mentions]
    commitment_spans = [(c.start, c.end) for c in commitments]
    commitment_spans += [c.date_span for c in commitments]
    areas = find_areas(masked(text, institution_spans + commitment_spans))
    kind = find_kind(masked(text, institution_spans))

    # 5. Who signs: the parties; the other institutions named are only mentioned.
    signing = signing_parties(text, spans, mentions, people)
    named_parties = [
        party_mentions[0].party
        for party_mentions in by_party.values()
        if not party_mentions[0].party.context_only
    ]
    parties = [party for party in named_parties if id(party) in signing]
    parties = _registered_by_likeness(parties, directory)
    also_mentioned = [
        party_mentions[0].party
        for party_mentions in by_party.values()
        if party_mentions[0].party not in parties
    ]
    duplicates = []
    for party in parties:
        if party.institution is not None:
            continue
        if party.ambiguous:
            duplicates += [PossibleDuplicate(party.name, i, 1.0) for i in party.ambiguous]
        duplicates += [
            PossibleDuplicate(party.name, near.institution, near.similarity)
            for near in party.resembles
        ]
    return Proposal(
        title=_title(kind, parties),
        kind=kind,
        signed_on=signed.date if signed else None,
        parties=parties,
        signatories=people,
        areas=areas,
        commitments=commitments,
        possible_duplicates=duplicates,
        also_mentioned=also_mentioned,
    )


def _resolve_ambiguous(mentions: list[Mention], by_institution: dict[int, FoundParty]) -> None:
    """A name several institutions share means the one the text also names unambiguously."""
    for mention in mentions:
        candidates = mention.party.ambiguous
        if not candidates:
            continue
        named = [i for i in candidates if i.pk in by_institution]
        if len(named) == 1:
            mention.party = by_institution[named[0].pk]


class NameIndex:
    """People's names, asked which one names the same person as a given name: the first
    added whose words (folded) are the same, or whose last words are all of the other's
    ("Whitfield" and "Ruiz Navarro" name Eleanor Whitfield and Alejandro Ruiz Navarro), either
    way round. Constant time: a name has a handful of words."""

    def __init__(self):
        self.by_words: dict[tuple[str, ...], int] = {}
        # Names by each of their shorter endings ("Whitfield" names Eleanor Whitfield).
        self.by_ending: dict[tuple[str, ...], int] = {}
        self.items: list = []

    def add(self, name: str, item) -> None:
        words = tuple(normalise(name).split())
        self.by_words.setdefault(words, len(self.items))
        for start in range(1, len(words)):
            self.by_ending.setdefault(words[start:], len(self.items))
        self.items.append(item)

    def first(self, name: str):
        words = tuple(normalise(name).split())
        found = [self.by_words.get(words), self.by_ending.get(words)]
        found += [self.by_words.get(words[start:]) for start in range(1, len(words))]
        found = [index for index in found if index is not None]
        return self.items[min(found)] if found else None


def _merge_people(people, known_people, taken) -> list[FoundPerson]:
    """One entry per person: "Prof. Whitfield" is the Eleanor Whitfield named before; people
    the registry knows count even without an honorific or title."""
    merged: list[FoundPerson] = []
    names = NameIndex()
    for person in sorted(people, key=lambda p: p.start):
        same = names.first(person.full_name)
        if same is None:
            merged.append(person)
            names.add(person.full_name, person)
        else:
            if len(person.full_name.split()) > len(same.full_name.split()):
                # "Prof. Whitfield", then "Eleanor Whitfield": the whole name.
                same.full_name = person.full_name
                names.add(person.full_name, same)
            same.honorific = same.honorific or person.honorific
            same.position = same.position or person.position
    taken = Spans(taken)
    for start, end, record in known_people:
        if taken.overlaps(start, end) or names.first(record.full_name) is not None:
            continue
        person = FoundPerson(full_name=record.full_name, start=start, end=end)
        merged.append(person)
        names.add(person.full_name, person)
    merged.sort(key=lambda p: p.start)
    return [person for person in merged if is_whole_name(person.full_name)]


APPOSITION_START = re.compile(r"\s*,\s*")
FORMER = re.compile(r"(?i)\b(?:former|formerly|previously|once|ex-|alumn\w*|graduate of)")
PARENTHESIS = re.compile(r"\s*\(([^()\n]{3,200})\)")
OF_INSTITUTION = re.compile(r"\s*,?\s*(?:of|from|at|for|representing)\s+(?:the\s+)?")
OF_TITLE = re.compile(r"(?P<title>(?:\b[\w\-]+\s+){1,4}?)(?:of|at)\s+(?:the\s+)?$")
TITLE_BETWEEN = re.compile(r"(?:'s?)?\s*(?:[\w\-]+\s+){0,6}")
# How far around a person the words about them are read: more than any position's words.
PERSON_REACH = 300


def _describe(person: FoundPerson, text: str, spans, mentions: Mentions, known: NameIndex):
    """Position and institution from the words around the name (see the module docstring).
    Each phrase is read within PERSON_REACH characters of the name, so that describing every
    person costs time in proportion to the number of people, not to the text's length."""
    sentence_start, sentence_end = sentence_at(spans, person.start)
    party: FoundParty | None = None
    position = ""
    mention_in = mentions.last_inside

    # "Name, Position of Institution," or "Name (Position, Institution)".
    apposition = APPOSITION_START.match(text, person.end)
    parenthesis = PARENTHESIS.match(text, person.end)
    if apposition:
        body_start = apposition.end()
        end_match = _apposition_end(text, body_start)
        body = text[body_start:end_match]
        if POSITION_WORDS.search(body) or mention_in(body_start, end_match):
            # "…, a former professor at X": X is not where they are now.
            found = None if FORMER.search(body) else mention_in(body_start, end_match)
            if found:
                party = found.party
                head = text[body_start : found.start]
                tail = text[found.end : end_match]
                head = re.sub(r"(?i)\s+(?:of|at|from|for)(?:\s+the)?\s*$", "", head)
                tail = re.sub(r"^'s?\s*", "", tail)
                position = head.strip() or tail.strip()
            else:
                # "… at Cambridge": a place or an institution the registry does not know.
                position = re.sub(r"\s+at\s+(?:the\s+)?[A-Z][\w\-]*(?:\s+[A-Z][\w\-]*)*$", "", body)
    elif parenthesis:
        found = mention_in(parenthesis.start(1), parenthesis.end(1))
        if found:
            party = found.party
        parts = [p for p in re.split(r"\s*,\s*", parenthesis.group(1)) if POSITION_WORDS.search(p)]
        if parts:
            position = re.sub(r"(?i)\s+(?:of|at)\s+.*$", "", parts[0]) if found else parts[0]
    # "Name of/from/at/for Institution", also after an apposition ("Name, Position, for X").
    if party is None:
        rest = _apposition_end(text, apposition.end()) if apposition else person.end
        of = OF_INSTITUTION.match(text, rest)
        if of:
            found = mention_in(rest, of.end() + 300)
            if found and found.start == of.end():
                party = found.party
    # "Institution('s) Title Name" or "Title of Institution, Name".
    mention = mentions.last_inside(sentence_start, person.start)
    if party is None and mention is not None and person.start - mention.end <= PERSON_REACH:
        between = text[mention.end : person.start]
        of_title = OF_TITLE.search(
            text, max(sentence_start, mention.start - PERSON_REACH), mention.start
        )
        if TITLE_BETWEEN.fullmatch(between) and (
            not between.strip(" '") or POSITION_WORDS.search(between)
        ):
            party = mention.party
            if not person.position and between.strip(" 's"):
                position = re.sub(r"^'s?\s*", "", between)
        elif (
            of_title
            and POSITION_WORDS.search(of_title.group("title"))
            and re.fullmatch(r"\s*,\s*", between)
        ):
            party = mention.party
            position = position or of_title.group("title")
    # "Vice Provost for International Cooperation Dr. Name": a position just before.
    if not position and not person.position:
        position = _position_before(
            text, max(sentence_start, person.start - PERSON_REACH), person.start
        )
    record = known.first(person.full_name)
    if party is None and record is not None:
        named = mentions.first_of_institution(record.institution_id)
        if named is not None:
            party = named.party
        else:
            person.institution_name = record.institution.name
    # The nearest institution in the clause.
    if party is None and person.institution_name is None:
        clause_start = max(sentence_start, text.rfind(";", sentence_start, person.start) + 1)
        clause_end = text.find(";", person.end, sentence_end)
        clause_end = sentence_end if clause_end < 0 else clause_end
        nearby = mentions.nearest(clause_start, clause_end, person.start)
        if nearby is not None:
            party = nearby.party
    if party is not None:
        person.party = party
        person.institution_name = party.name
    if position and not _is_title_only(person.position, position):
        person.position = _tidy(position)
    if not person.position and record is not None:
        person.position = record.position
    if not person.honorific and record is not None:
        person.honorific = record.honorific
    if person.position:
        person.position = _tidy(person.position)[:255]


def _position_before(text: str, start: int, end: int) -> str:
    """The capitalised words (and position words, "for", "of") right before a person."""
    words = list(re.finditer(r"[^\W\d_][\w\-]*", text[start:end]))
    kept: list[re.Match] = []
    for word in reversed(words):
        gap = text[start + word.end() : start + (kept[0].start() if kept else len(text[start:end]))]
        if kept and gap.strip():
            break
        value = word.group()
        if value[0].isupper() or value in {"for", "of"} or POSITION_WORDS.fullmatch(value):
            kept.insert(0, word)
        else:
            break
    while kept and kept[0].group() in {"for", "of"}:
        kept.pop(0)
    phrase = text[start + kept[0].start() : start + kept[-1].end()] if kept else ""
    return phrase if POSITION_WORDS.search(phrase) else ""


def _is_title_only(title: str, position: str) -> bool:
    return bool(title) and not POSITION_WORDS.search(position)


def _apposition_end(text: str, start: int) -> int:
    """Where an apposition ends; a parenthesis inside it ("Deputy Vice-Chancellor
    (International)") does not end it; nor is one read further than PERSON_REACH."""
    cursor = start
    reach = min(len(text), start + PERSON_REACH)
    while True:
        match = APPOSITION_END.search(text, cursor, reach)
        if match is None:
            return reach
        body = text[start : match.start()]
        if match.group().startswith(")") and body.count("(") > body.count(")"):
            cursor = match.start() + 1
            continue
        return match.start()


# "remotely, by Prof. X", "online was Dr. Y": the marker is about the person it leads to.
REMOTE_LEADS_TO = re.compile(r"[\s,:;]*(?:by|was|were|is|joined by)\s+")


def _remote_modes(text: str, spans, people: list[FoundPerson]) -> None:
    """A remote marker belongs to the person it leads to ("and, remotely, by Prof. X"), else
    to the person named last before it in its sentence, else the first named after it."""
    starts = [person.start for person in people]
    for marker in REMOTE.finditer(text):
        start, end = sentence_at(spans, marker.start())
        low, high = bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)
        # The last person named before the marker in its sentence, and the first after it.
        before = bisect.bisect_left(starts, marker.start(), low, high) - 1
        after = bisect.bisect_right(starts, marker.start(), low, high)
        if after < high and REMOTE_LEADS_TO.fullmatch(text, marker.end(), starts[after]):
            chosen = people[after]
        else:
            chosen = people[before] if before >= low else (people[after] if after < high else None)
        if chosen is not None:
            chosen.mode = "remote"


def _signing_date(text: str, spans, dates: list[DateMention]) -> DateMention | None:
    if not dates:
        return None
    signing = [word.start() for word in SIGNING.finditer(text)]
    scored = []
    for mention in dates:
        start, end = sentence_at(spans, mention.start)
        low, high = bisect.bisect_left(signing, start), bisect.bisect_left(signing, end)
        middle = bisect.bisect_left(signing, mention.start, low, high)
        words = [signing[i] for i in (middle - 1, middle) if low <= i < high]
        if words:
            distance = min(abs(word - mention.start) for word in words)
            scored.append((0 if not mention.month_only else 1, distance, mention.start, mention))
    if scored:
        return min(scored, key=lambda item: item[:3])[3]
    full = [m for m in dates if not m.month_only]
    return full[0] if full else None


def find_areas(text: str) -> list[CooperationArea]:
    areas = CooperationArea.objects.order_by("code")
    found = []
    for area in areas:
        # An area added later is found by its name; the seeded ones by their synonyms (which
        # include their names, and refine them: "teaching staff" is not teaching).
        patterns = AREA_SYNONYMS.get(area.code) or [re.escape(area.name)]
        if any(
            re.search(rf"(?<![\w\-]){pattern}(?![\w\-])", text, re.IGNORECASE)
            for pattern in patterns
        ):
            found.append(area)
    return found


def _title(kind: str, parties: list[FoundParty]) -> str:
    labels = [party.label for party in parties]
    if not labels:
        return f"{TITLE_KINDS[kind]} (from an announcement)"
    names = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    return f"{TITLE_KINDS[kind]} between {names}"[:300]
