"""Word search that means the same on PostgreSQL (full text) and on SQLite (substrings).

Every word of the query must occur somewhere in the searched fields. PostgreSQL matches each
word as the prefix of a token through `to_tsvector('simple', …)`, which a GIN index on the same
expression answers; SQLite, which has no such index, matches each word as a substring of the
case-folded text (SQLite's own LIKE and lower() fold ASCII letters only: "Назарбаев" would miss).
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import F, Func, Q, QuerySet, TextField, Value
from django.db.models.functions import Replace
from django.dispatch import receiver

SEARCH_CONFIG = "simple"
WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 8


def search_words(text: str) -> list[str]:
    return WORD.findall(text.casefold())[:MAX_WORDS]


class Casefold(Func):
    """Unicode case folding on SQLite, through the Python function registered below."""

    function = "REGISTRY_CASEFOLD"
    output_field = TextField()


@receiver(connection_created)
def register_casefold(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "REGISTRY_CASEFOLD",
            1,
            lambda text: text.casefold() if text else text,
            deterministic=True,
        )


def search_vector(*fields: str) -> SearchVector:
    """The indexed expression: a GIN index must be built on exactly this.

    Hyphens become spaces first: PostgreSQL's parser would read "MOU-2023-0001" as the word
    "mou" and the negative numbers "-2023" and "-0001".
    """
    return SearchVector(
        *(Replace(F(field), Value("-"), Value(" "), output_field=TextField()) for field in fields),
        config=SEARCH_CONFIG,
    )


def matching(queryset: QuerySet, fields: tuple[str, ...], word: str) -> QuerySet:
    """Rows of `queryset` whose `fields` hold `word`."""
    if connection.vendor == "postgresql":
        query = SearchQuery(f"{word}:*", search_type="raw", config=SEARCH_CONFIG)
        return queryset.alias(search=search_vector(*fields)).filter(search=query)
    condition = Q()
    for field in fields:
        condition |= Q(**{f"_folded_{field}__contains": word})
    return queryset.alias(**{f"_folded_{field}": Casefold(F(field)) for field in fields}).filter(
        condition
    )
