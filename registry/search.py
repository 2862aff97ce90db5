"""Word search that means the same on PostgreSQL (full text) and on SQLite (substrings).

Every word of the query must occur somewhere in the searched fields. PostgreSQL matches each
word as the prefix of a token through `to_tsvector('simple', …)`, which a GIN index on the same
expression answers; SQLite, which has no such index, matches each word as a substring of the
case-folded text (SQLite's own LIKE and lower() fold ASCII letters only: "Назарбаев" would miss).
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorField
from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import F, Func, Q, QuerySet, TextField, Value
from django.db.models.functions import Coalesce, Concat, Replace
from django.db.models.lookups import Contains
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


class SearchDocumentField(SearchVectorField):
    """A `tsvector` on PostgreSQL; elsewhere the text the search reads, case-folded when asked."""

    def db_type(self, connection):
        return super().db_type(connection) if connection.vendor == "postgresql" else "text"


class SearchDocument(Func):
    """The searched fields of a row as one value, for a stored generated column.

    On PostgreSQL it is exactly `search_vector(*fields)`, so a row's own match costs a lookup in
    a stored vector rather than parsing its text; on SQLite the fields joined by spaces (a word
    never holds a space, so no word can match across two fields).
    """

    output_field = SearchDocumentField()

    def __init__(self, *fields: str):
        self.fields = fields
        super().__init__(*(F(field) for field in fields))

    def as_postgresql(self, compiler, connection, **extra_context):
        return compiler.compile(search_vector(*self.fields).resolve_expression(compiler.query))

    def as_sql(self, compiler, connection, **extra_context):
        parts = []
        for field in self.fields:
            parts += [Coalesce(F(field), Value("")), Value(" ")]
        joined = Concat(*parts[:-1], output_field=TextField())
        return compiler.compile(joined.resolve_expression(compiler.query))


def query_for(word: str) -> SearchQuery:
    return SearchQuery(f"{word}:*", search_type="raw", config=SEARCH_CONFIG)


def matching(queryset: QuerySet, fields: tuple[str, ...], word: str) -> QuerySet:
    """Rows of `queryset` whose `fields` hold `word`."""
    if connection.vendor == "postgresql":
        return queryset.alias(search=search_vector(*fields)).filter(search=query_for(word))
    condition = Q()
    for field in fields:
        condition |= Q(**{f"_folded_{field}__contains": word})
    return queryset.alias(**{f"_folded_{field}": Casefold(F(field)) for field in fields}).filter(
        condition
    )


def document_matches(document: str, word: str) -> Q:
    """The condition that the stored `SearchDocument` column `document` holds `word`."""
    if connection.vendor == "postgresql":
        return Q(**{document: query_for(word)})
    return Q(Contains(Casefold(F(document)), word))
