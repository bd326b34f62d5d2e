import pytest
from django.core.management import call_command
from django.test import override_settings

from bridgeway.outreach.models import AccessRequest, Activity, Facility, Training

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_demo_seed_adds_outreach_work_once():
    with override_settings(BRIDGEWAY_DEMO_ALLOWED=True):
        call_command("demo_seed")
        counts = (Facility.objects.count(), Activity.objects.count(),
                  AccessRequest.objects.count(), Training.objects.count())
        call_command("demo_seed")
    assert counts == (3, 8, 4, 3)
    assert (Facility.objects.count(), Activity.objects.count()) == counts[:2]
    assert AccessRequest.objects.exclude(incident_id=None).count() == 1
    assert Training.objects.exclude(incident_id=None).count() == 1
