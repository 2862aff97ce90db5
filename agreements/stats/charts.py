"""Charts drawn on the server as inline SVG: geometry here, markup in templates/charts/.

Nothing here reads the database: each function takes figures already counted by
`selectors.memorandum_statistics` and returns what the template draws. The SVGs scale with
their container (viewBox) and carry a title, a description and a data table for screen readers.
"""

import dataclasses
import math

from django.utils.translation import gettext as _

WIDTH = 420
ROW_HEIGHT = 40
BAR_HEIGHT = 14
VALUE_ROOM = 44  # room right of the longest bar for its number
COLUMN_AREA = 170  # height of the columns' area in a column chart
COLUMN_TOP = 22  # room above the tallest column for its number
COLUMN_BOTTOM = 26  # room below the columns for the year labels
MAX_COLUMN = 48  # a column's widest, when there are few years
COUNTRY_BARS = 12  # countries drawn in the ranked chart; the data table lists them all


@dataclasses.dataclass(frozen=True)
class Bar:
    key: str
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    value_x: float
    value_y: float
    show_label: bool = True


@dataclasses.dataclass(frozen=True)
class Chart:
    key: str
    title: str
    description: str
    width: int
    height: int
    bars: list[Bar]
    label_heading: str
    total: int
    baseline: float = 0  # the y of a column chart's axis
    more: list[tuple[str, int]] = dataclasses.field(default_factory=list)  # rows not drawn

    @property
    def rows(self) -> list[tuple[str, int]]:
        """Every row, drawn or not, for the data table."""
        return [(bar.label, bar.value) for bar in self.bars] + self.more

    @property
    def is_empty(self) -> bool:
        return not self.bars


def bar_chart(
    key: str,
    title: str,
    rows: list[tuple[str, str, int]],
    *,
    label_heading: str,
    limit: int | None = None,
) -> Chart:
    """A ranked horizontal bar chart of `rows` (key, label, value), in the order given: each
    bar under its label, its number at its end. Rows past `limit` go to the data table only."""
    drawn = rows if limit is None else rows[:limit]
    more = [(label, value) for _, label, value in rows[len(drawn) :]]
    largest = max((value for _, _, value in rows), default=0)
    scale = (WIDTH - VALUE_ROOM) / largest if largest else 0
    bars = []
    for index, (row_key, label, value) in enumerate(drawn):
        top = index * ROW_HEIGHT
        width = max(value * scale, 2 if value else 0)
        bars.append(
            Bar(
                key=str(row_key),
                label=label,
                value=value,
                x=0,
                y=top + 20,
                width=round(width, 1),
                height=BAR_HEIGHT,
                label_x=0,
                label_y=top + 15,
                value_x=round(width + 6, 1),
                value_y=top + 32,
            )
        )
    return Chart(
        key=key,
        title=title,
        description=_describe(rows),
        width=WIDTH,
        height=max(len(drawn) * ROW_HEIGHT, ROW_HEIGHT),
        bars=bars,
        label_heading=label_heading,
        total=sum(value for _, _, value in rows),
        more=more,
    )


def column_chart(key: str, title: str, rows: list[tuple[int, int]], *, label_heading: str) -> Chart:
    """A column per year from the first to the last of `rows` (year, value), gaps as zero."""
    counts = dict(rows)
    years = list(range(min(counts), max(counts) + 1)) if counts else []
    largest = max(counts.values(), default=0)
    slot = WIDTH / len(years) if years else WIDTH
    column = min(slot - min(slot * 0.2, 8), MAX_COLUMN)
    gap = slot - column
    every = max(1, math.ceil(len(years) / 10))  # at most about ten year labels
    bars = []
    for index, year in enumerate(years):
        value = counts.get(year, 0)
        height = value * COLUMN_AREA / largest if largest else 0
        height = max(height, 2 if value else 0)
        x = index * slot + gap / 2
        bars.append(
            Bar(
                key=str(year),
                label=str(year),
                value=value,
                x=round(x, 1),
                y=round(COLUMN_TOP + COLUMN_AREA - height, 1),
                width=round(column, 1),
                height=round(height, 1),
                label_x=round(x + column / 2, 1),
                label_y=COLUMN_TOP + COLUMN_AREA + 18,
                value_x=round(x + column / 2, 1),
                value_y=round(COLUMN_TOP + COLUMN_AREA - height - 6, 1),
                show_label=(len(years) - 1 - index) % every == 0,
            )
        )
    return Chart(
        key=key,
        title=title,
        description=_describe([(str(year), str(year), counts.get(year, 0)) for year in years]),
        width=WIDTH,
        height=COLUMN_TOP + COLUMN_AREA + COLUMN_BOTTOM,
        bars=bars,
        label_heading=label_heading,
        total=sum(counts.values()),
        baseline=COLUMN_TOP + COLUMN_AREA,
    )


def dashboard_charts(statistics: dict, status_labels: dict[str, str]) -> dict[str, Chart]:
    """The dashboard's four charts from `memorandum_statistics`."""
    return {
        "status": bar_chart(
            "status",
            _("Agreements by status"),
            [
                (status, status_labels[status], count)
                for status, count in statistics["by_status"].items()
            ],
            label_heading=_("Status"),
        ),
        "country": bar_chart(
            "country",
            _("Agreements by partner country"),
            [(row["country"], row["name"], row["count"]) for row in statistics["by_country"]],
            label_heading=_("Country"),
            limit=COUNTRY_BARS,
        ),
        "area": bar_chart(
            "area",
            _("Agreements by cooperation area"),
            [(row["code"], row["name"], row["count"]) for row in statistics["by_area"]],
            label_heading=_("Cooperation area"),
        ),
        "year": column_chart(
            "year",
            _("Agreements by year signed"),
            [(row["year"], row["count"]) for row in statistics["by_year"]],
            label_heading=_("Year"),
        ),
    }


def _describe(rows) -> str:
    if not rows:
        return _("No agreements.")
    return "; ".join(f"{label}: {value}" for _key, label, value in rows) + "."
