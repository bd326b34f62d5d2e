from datetime import timedelta

import pytest
from django.utils import timezone

from bridgeway.helpline import services
from bridgeway.helpline.services import ContactData


def contact_data(**kw) -> ContactData:
    base = dict(channel="phone", started_at=timezone.now() - timedelta(minutes=10),
                outcome="information")
    base.update(kw)
    return ContactData(**base)


@pytest.fixture
def record(cast):
    def make(org=None, actor=None, **kw):
        return services.contact_record(org=org or cast.org_a, actor=actor or cast.caseworker_a,
                                       data=contact_data(**kw))
    return make
