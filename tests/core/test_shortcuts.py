"""get_or_404: the row, or a 404 for a missing row, a row outside the queryset and a malformed id
alike (never a server error)."""

import pytest
from django.http import Http404

from bridgeway.cases.models import Case
from bridgeway.core.shortcuts import get_or_404
from bridgeway.orgs.models import Organisation
from tests.cases.conftest import new_case

pytestmark = pytest.mark.django_db


def test_the_row_when_it_is_there(cast):
    assert get_or_404(Organisation.objects.all(), pk=cast.org_a.pk) == cast.org_a
    assert get_or_404(Organisation.objects.all(), pk=str(cast.org_a.pk)) == cast.org_a


@pytest.mark.parametrize("pk", ["abc", "", None, "1.5", "00000000-0000-0000-0000-000000000000x",
                                ["1"], 10**30])
def test_a_malformed_or_missing_id_is_a_404(cast, pk):
    case = new_case(cast)
    with pytest.raises(Http404):
        get_or_404(Organisation.objects.all(), pk=pk)
    with pytest.raises(Http404):
        get_or_404(Case.objects.filter(pk=case.pk), pk=pk)


def test_a_row_outside_the_queryset_is_a_404_like_a_missing_one(cast):
    case = new_case(cast)
    with pytest.raises(Http404):
        get_or_404(Case.objects.filter(organisation=cast.org_b), pk=case.pk)
    assert get_or_404(Case.objects.filter(organisation=cast.org_a), pk=str(case.pk)) == case


def test_apply_changes_sets_only_allowed_fields_that_differ(cast):
    from bridgeway.core.shortcuts import apply_changes

    org = cast.org_a
    name = org.name
    changed = apply_changes(org, {"name": name, "country": "RO" if org.country != "RO" else "MD",
                                  "org_type": "Agency"}, allowed=("name", "country"))
    assert changed == ["country"]
    assert org.name == name and org.org_type != "Agency"
    assert apply_changes(org, {"country": org.country}) == []
