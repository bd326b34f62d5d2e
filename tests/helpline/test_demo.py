import pytest

from bridgeway.cases import services as case_services
from bridgeway.helpline import demo, queries
from bridgeway.helpline.models import Contact

pytestmark = pytest.mark.django_db


def test_the_demo_helpline(cast):
    case_services.case_open(org=cast.org_a, actor=cast.supervisor_a,
                            person=case_services.PersonData(first_name="Ana"))
    orgs = {"lumina": cast.org_a, "network": cast.network, "pascupas": cast.org_b}
    people = {"caseworker.a": cast.caseworker_a, "supervisor.a": cast.supervisor_a,
              "coordinator": cast.coordinator}
    demo.seed_demo(orgs, people)
    demo.seed_demo(orgs, people)  # the second run adds nothing
    assert Contact.objects.count() == 11
    repeat = Contact.objects.filter(case__isnull=False).get()
    assert queries.earlier_contacts(repeat).count() == 2
    count, _items = queries.home_triage(cast.caseworker_a, 10)
    assert count == 3  # two submissions and a follow-up
    assert Contact.objects.filter(status="held").count() == 1
