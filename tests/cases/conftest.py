"""Cases' shared test data: `new_case` opens a case in org A as its caseworker, and the `case`
fixture is one such case. A test file whose tests read the person's own details passes them to
`new_case` in its own `case` fixture."""

import datetime as dt

import pytest

from bridgeway.cases import services
from bridgeway.cases.models import Case


def new_case(cast, *, exploitation_types=("ForcedLabour",), opened_on: dt.date | None = None,
             **person) -> Case:
    """The person is Ana Pop, born 5 May 2000, unless `person` (PersonData fields) says otherwise;
    an `age` replaces the date of birth."""
    data = {"first_name": "Ana", "second_name": "Pop", **person}
    if "age" not in person:
        data.setdefault("birth_date", dt.date(2000, 5, 5))
    extra = {"opened_on": opened_on} if opened_on else {}
    return services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                              person=services.PersonData(**data),
                              exploitation_types=list(exploitation_types), **extra)


@pytest.fixture
def case(cast) -> Case:
    return new_case(cast)
