import datetime as dt

from tests.dates import years_before


def test_years_before_holds_on_29_february():
    assert years_before(dt.date(2028, 2, 29), 15) == dt.date(2013, 2, 28)
    assert years_before(dt.date(2028, 2, 29), 4) == dt.date(2024, 2, 29)
    assert years_before(dt.date(2026, 12, 7), 22) == dt.date(2004, 12, 7)
