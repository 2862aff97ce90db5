"""Kazakh dates (29 мамыр 2023 ж., 29.05.2023), which Django has no formats for; numbers with
a space between thousands and a decimal comma."""

DATE_FORMAT = r"j F Y \ж."
SHORT_DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = r"j F Y \ж. H:i"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
TIME_FORMAT = "H:i"
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%Y-%m-%d"]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
FIRST_DAY_OF_WEEK = 1
