# English for readers in Viet Nam and abroad: dates that cannot be misread ("7 Dec 2026",
# never "12/07/2026", which is July to some and December to others), typed day first or
# as ISO dates, like the Vietnamese pages.
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "H:i, j M Y"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d %b %Y", "%d %B %Y"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
]
