"""Small SQL expressions the ORM lacks, shared by the queries that build text in the database."""

from django.db.models import Func, OuterRef, QuerySet, TextField, Value
from django.db.models.functions import Collate


def concatenated(*parts) -> Func:
    """SQL `a || b || ...` of text expressions that are never NULL."""
    return Func(*parts, template="(%(expressions)s)", arg_joiner=" || ", output_field=TextField())


def code_point_order(expression) -> Collate:
    """Python's order of strings: the "C" collation compares UTF-8 bytes, which sort as code
    points do."""
    return Collate(expression, "C")


def aggregated(queryset: QuerySet, outer_field: str, **aggregates) -> QuerySet:
    """The rows of `queryset` whose `outer_field` is the outer query's row, aggregated into one
    row (grouped by a constant, that is without GROUP BY: NULLs when there are none)."""
    rows = queryset.filter(**{outer_field: OuterRef("pk")}).order_by()
    return rows.values(whole=Value(1)).annotate(**aggregates).values(*aggregates)
