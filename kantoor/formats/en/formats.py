"""English date formats (FORMAT_MODULE_PATH), on top of Django's own en formats."""

# A date in a table or a sentence: 11 Oct 2026.
MEDIUM_DATE_FORMAT = "j M Y"
MEDIUM_DATETIME_FORMAT = "j M Y, H:i"
DAY_MONTH_TIME_FORMAT = "j M, H:i"
