"""Issue 19 (session 28): the referral page's statements, for each side. The referral, and whether
the reader sent it (an EXISTS over the sending side's rule), come in one statement; the shared
rows decrypt with the subject loaded with the referral. Who may see the page is unchanged
(tests/referrals/test_permissions.py and the 404 below)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import signed_in
from tests.referrals.conftest import send

pytestmark = pytest.mark.django_db

# session, user, memberships, MFA check; the referral with the sending side's EXISTS; the
# page's own reads; the access log (burst check, insert). The menu is kept (second request).
CEILINGS = {"caseworker_a": 6, "agency_poc": 11}


@pytest.mark.parametrize("who", sorted(CEILINGS))
def test_referral_page_statements(cast, case, consent, who):
    referral = send(cast, case, sections=("identity", "victim_context", "needs"))
    client = signed_in(getattr(cast, who))
    url = reverse("referrals:detail", args=[referral.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert len(ctx.captured_queries) <= CEILINGS[who], "\n".join(
        q["sql"][:120] for q in ctx.captured_queries)
    assert signed_in(cast.caseworker_b).get(url).status_code == 404
