"""Small SQL expressions the ORM lacks, written once for PostgreSQL and SQLite alike."""

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import Expression, Func, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Coalesce, Collate


def concatenated(*parts) -> Func:
    """SQL `a || b || ...` of text expressions that are never NULL."""
    return Func(*parts, template="(%(expressions)s)", arg_joiner=" || ", output_field=TextField())


class CodePointOrder(Collate):
    """Python's order of strings. PostgreSQL's "C" collation compares UTF-8 bytes, which sort
    as code points do; SQLite compares them so already (its BINARY collation)."""

    def __init__(self, expression):
        super().__init__(expression, "C")

    def as_sqlite(self, compiler, connection, **extra_context):
        return compiler.compile(self.get_source_expressions()[0])


class Joined(Expression):
    """The `value` of each of `rows` (a queryset that names its outer row with OuterRef), in
    `order_by`, joined by `separator` into one text: '' when there are none.

    PostgreSQL orders within STRING_AGG; SQLite (before 3.44) cannot, so it concatenates the
    rows of an ordered subquery, which an aggregate reads in their order.
    """

    output_field = TextField()

    def __init__(self, rows: QuerySet, value, order_by, separator: str):
        super().__init__()
        aggregate = StringAgg(value, separator, order_by=order_by, output_field=TextField())
        in_one_row = rows.order_by().values(whole=Value(1)).annotate(joined=aggregate)
        self.aggregated = Coalesce(Subquery(in_one_row.values("joined")), Value(""))
        self.ordered = Subquery(rows.annotate(joined=value).order_by(*order_by).values("joined"))
        self.separator = separator

    def get_source_expressions(self):
        return [self.aggregated, self.ordered]

    def set_source_expressions(self, expressions):
        self.aggregated, self.ordered = expressions

    def as_postgresql(self, compiler, connection):
        return compiler.compile(self.aggregated)

    def as_sqlite(self, compiler, connection):
        sql, params = compiler.compile(self.ordered)
        return f"COALESCE((SELECT GROUP_CONCAT(joined, %s) FROM {sql}), '')", (
            self.separator,
            *params,
        )
