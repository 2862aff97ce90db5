"""Small SQL expressions the ORM lacks, shared by the queries that build text in the database."""

from django.db.models import Func, TextField
from django.db.models.functions import Collate


def concatenated(*parts) -> Func:
    """SQL `a || b || ...` of text expressions that are never NULL."""
    return Func(*parts, template="(%(expressions)s)", arg_joiner=" || ", output_field=TextField())


def code_point_order(expression) -> Collate:
    """Python's order of strings: the "C" collation compares UTF-8 bytes, which sort as code
    points do."""
    return Collate(expression, "C")
