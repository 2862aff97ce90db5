"""The SVG charts' geometry (agreements.charts): no database, plain numbers."""

from agreements.stats import charts


def test_bars_are_ranked_and_scaled_to_the_largest():
    chart = charts.bar_chart(
        "country", "By country", [("KZ", "Kazakhstan", 8), ("CN", "China", 2), ("FR", "France", 0)],
        label_heading="Country",
    )  # fmt: skip

    kz, cn, fr = chart.bars
    assert kz.width == charts.WIDTH - charts.VALUE_ROOM
    assert cn.width == kz.width / 4
    assert fr.width == 0
    assert kz.y < cn.y < fr.y
    assert chart.height == 3 * charts.ROW_HEIGHT
    assert chart.description == "Kazakhstan: 8; China: 2; France: 0."


def test_a_small_count_still_shows_a_sliver():
    chart = charts.bar_chart(
        "area", "By area", [("a", "A", 1000), ("b", "B", 1)], label_heading="Area"
    )

    assert chart.bars[1].width == 2


def test_rows_past_the_limit_go_to_the_data_table_only():
    rows = [(f"C{index}", f"Country {index}", 20 - index) for index in range(15)]

    chart = charts.bar_chart("country", "By country", rows, label_heading="Country", limit=12)

    assert len(chart.bars) == 12
    assert chart.more == [("Country 12", 8), ("Country 13", 7), ("Country 14", 6)]
    assert len(chart.rows) == 15
    assert chart.total == sum(20 - index for index in range(15))


def test_columns_run_from_the_first_year_to_the_last_with_gaps_as_zero():
    chart = charts.column_chart("year", "By year", [(2019, 2), (2022, 4)], label_heading="Year")

    assert [(bar.label, bar.value) for bar in chart.bars] == [
        ("2019", 2), ("2020", 0), ("2021", 0), ("2022", 4),
    ]  # fmt: skip
    tallest = chart.bars[3]
    assert tallest.height == charts.COLUMN_AREA
    assert chart.bars[0].height == charts.COLUMN_AREA / 2
    assert tallest.y + tallest.height == chart.baseline
    assert all(bar.show_label for bar in chart.bars)


def test_a_single_year_is_one_column_of_sensible_width():
    chart = charts.column_chart("year", "By year", [(2023, 1)], label_heading="Year")

    (bar,) = chart.bars
    assert bar.width == charts.MAX_COLUMN
    assert bar.label_x == charts.WIDTH / 2


def test_many_years_label_about_ten_of_them_ending_with_the_last():
    chart = charts.column_chart("year", "By year", [(1990, 1), (2025, 3)], label_heading="Year")

    labelled = [bar.label for bar in chart.bars if bar.show_label]
    assert len(chart.bars) == 36
    assert 8 <= len(labelled) <= 12
    assert labelled[-1] == "2025"


def test_no_rows_make_an_empty_chart():
    assert charts.bar_chart("area", "By area", [], label_heading="Area").is_empty
    assert charts.column_chart("year", "By year", [], label_heading="Year").is_empty
