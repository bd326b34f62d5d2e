"""English as Bridgeway's readers use it (European habits, as in en_GB): the day before the
month, a 24-hour clock, and a short date whose month is a word, so "12 Apr 1998" cannot be read
as 4 December. Forms accept the day first too (ISO dates are always accepted)."""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # ISO first: what a date picker sends and shows
    "%d/%m/%Y",  # '25/10/2006'
    "%d.%m.%Y",  # '25.10.2006'
    "%d %b %Y",  # '25 Oct 2006'
    "%d %B %Y",  # '25 October 2006'
]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d %b %Y %H:%M",
    "%d %b %Y",
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
