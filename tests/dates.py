"""Dates relative to today that hold on every day of the year."""

import datetime as dt


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day `years` earlier; 29 February becomes 28 February in a year without it
    (`day.replace(year=...)` raises on 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
