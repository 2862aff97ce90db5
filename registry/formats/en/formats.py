"""English dates as the registry has always written them (12 March 2026, 12 Mar 2026, 14:30);
the other languages use Django's formats for their locale."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
