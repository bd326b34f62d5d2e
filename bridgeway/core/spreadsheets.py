"""What every export that a spreadsheet may open needs."""

# A spreadsheet runs a cell starting with one of these as a formula (a tab or CR can hide one).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as a cell: text that would run as a formula gets a leading apostrophe, which
    shows it as it is; None becomes empty; numbers, dates and booleans stay what they are."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
