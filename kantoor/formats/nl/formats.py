"""Dutch date formats (FORMAT_MODULE_PATH), on top of Django's own nl formats.

Dutch writes month names in lower case: "11 okt. 2026", never "11 Okt 2026" (Django's "M"
capitalises). "N" is the abbreviation in lower case; the dot after it ("okt.", but "mei") comes
from the abbreviations in Kantoor's Dutch catalogue (msgctxt "abbrev. month").
"""

# A date in a table or a sentence: 11 okt. 2026.
MEDIUM_DATE_FORMAT = "j N Y"
MEDIUM_DATETIME_FORMAT = "j N Y, H:i"
DAY_MONTH_TIME_FORMAT = "j N, H:i"
