import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bridgeway.cases import services
from bridgeway.cases.indicator_sets import set_for
from bridgeway.cases.models import Case, CaseSettings, Decision, Person
from bridgeway.cases.registry import register_close_blocker
from bridgeway.protection import crypto
from bridgeway.protection.models import AuditEvent, DataSubject
from bridgeway.protection.queries import possible_duplicates
from bridgeway.protection.services import subject_erase
from tests.dates import years_before
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def open_case(cast, **person):
    data = {"first_name": "Olena", "second_name": "Kovalenko",
            "birth_date": dt.date(1999, 4, 2), **person}
    return services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                              person=services.PersonData(**data),
                              exploitation_types=["ForcedLabour"])


def test_intake_registers_an_encrypted_person_and_a_coded_case(cast):
    case = open_case(cast, phone="+373 69 000 111", citizenship="UA", gender="Feminine")
    assert case.reference.startswith("C-") and not case.is_child and case.age_at_intake >= 26
    person = Person.objects.get(case=case)
    assert person.first_name == "Olena" and person.birth_date == dt.date(1999, 4, 2)
    assert DataSubject.objects.get(pk=case.subject_id).display_name == "Olena Kovalenko"
    assert list(case.assignees.all()) == [cast.caseworker_a]
    assert AuditEvent.objects.filter(action="cases.case.opened", payload={"child": False}).exists()
    assert [s.pk for s in possible_duplicates(cast.org_a, "Олена Коваленко")] == [case.subject_id]


def test_children_are_recognised_from_birth_date_or_age(cast):
    by_dob = open_case(cast, birth_date=years_before(TODAY, 15))
    by_age = open_case(cast, birth_date=None, age=16)
    adult = open_case(cast, birth_date=None, age=18)
    assert by_dob.is_child and by_age.is_child and not adult.is_child


@pytest.mark.parametrize("person,field", [
    ({"birth_date": dt.date(2999, 1, 1)}, "birth_date"),
    ({"birth_date": dt.date(2000, 1, 1), "age": 40}, "age"),
    ({"age": 300, "birth_date": None}, "age"),
    ({"first_name": "  "}, "first_name"),
    ({"citizenship": "XX"}, "citizenship"),
])
def test_bad_intake_names_the_field_and_writes_nothing(cast, person, field):
    before = (Case.objects.count(), DataSubject.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as err:
        open_case(cast, **person)
    assert field in err.value.message_dict
    assert (Case.objects.count(), DataSubject.objects.count(),
            AuditEvent.objects.count()) == before


def test_only_case_roles_open_cases(cast):
    for who in (cast.dpo_a, cast.admin_a, cast.caseworker_b):
        with pytest.raises(PermissionDenied):
            services.case_open(org=cast.org_a, actor=who,
                               person=services.PersonData(first_name="X"))


def test_assessment_computes_the_rule_and_refuses_indicators_of_another_set(cast):
    case = open_case(cast)
    adult = set_for(child=False, sexual=False)
    child = set_for(child=True, sexual=False)
    picks = ["adult_labour.deceptive_recruitment.1", "adult_labour.deceptive_recruitment.2",
             "adult_labour.exploitation.2", "adult_labour.exploitation.3",
             "adult_labour.exploitation.4", "adult_labour.coercion_at_destination.1",
             "adult_labour.coercion_at_destination.2"]
    assessment = services.assessment_record(
        case=case, actor=cast.caseworker_a, indicator_set=adult,
        entries=[services.IndicatorEntry(i) for i in picks])
    assert assessment.result["rule_for"] == "adult"
    with pytest.raises(ValidationError) as err:
        services.assessment_record(case=case, actor=cast.caseworker_a, indicator_set=adult,
                                   entries=[services.IndicatorEntry("child_labour.exploitation.1")])
    assert "indicators" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.assessment_record(case=case, actor=cast.caseworker_a, indicator_set=child,
                                   entries=[])
    assert "indicator_set" in err.value.message_dict


def test_decision_needs_an_assessment_and_may_need_approval(cast):
    case = open_case(cast)
    with pytest.raises(ValidationError) as err:
        services.decision_record(case=case, actor=cast.caseworker_a, assessment=None,
                                 status="PossibleVictimOfTrafficking")
    assert "assessment" in err.value.message_dict
    assessment = services.assessment_record(case=case, actor=cast.caseworker_a,
                                            indicator_set=set_for(child=False, sexual=False),
                                            entries=[])
    CaseSettings.objects.create(organisation=cast.org_a, decisions_need_approval=True)
    decision = services.decision_record(case=case, actor=cast.caseworker_a,
                                        assessment=assessment,
                                        status="ActualVictimOfTrafficking")
    assert decision.state == Decision.State.AWAITING_APPROVAL and decision.decision_org == "NGO"
    assert Case.objects.get(pk=case.pk).trafficking_status == ""
    with pytest.raises(PermissionDenied):
        services.decision_approve(decision=decision, actor=cast.caseworker_a)
    services.decision_approve(decision=decision, actor=cast.supervisor_a)
    assert Case.objects.get(pk=case.pk).trafficking_status == "ActualVictimOfTrafficking"


def test_closing_needs_a_reason_starts_retention_and_honours_blockers(cast):
    case = open_case(cast)
    with pytest.raises(ValidationError) as err:
        services.case_set_status(case=case, actor=cast.caseworker_a, status="Closed")
    assert "close_reason" in err.value.message_dict
    blocked = {"on": True}

    @register_close_blocker
    def _referrals(c):
        return "This case has 1 open referral." if blocked["on"] and c.pk == case.pk else None

    with pytest.raises(ValidationError) as err:
        services.case_set_status(case=case, actor=cast.caseworker_a, status="Closed",
                                 reason="goals_met")
    assert "open referral" in str(err.value)
    blocked["on"] = False
    closed = services.case_set_status(case=case, actor=cast.caseworker_a, status="Closed",
                                      reason="goals_met")
    assert closed.closed_on == TODAY and closed.version == 2
    assert DataSubject.objects.get(pk=case.subject_id).retention_anchor == TODAY


def test_erasure_reaches_case_data_and_keeps_codes(cast):
    case = open_case(cast)
    services.note_add(case=case, actor=cast.caseworker_a, body="Arrived via Iasi bus station")
    subject_erase(subject=case.subject, actor=cast.dpo_a)
    person = Person.objects.select_related("subject").get(case=case)
    # Ciphertext columns are removed and the key is gone: nothing left to decrypt.
    assert person.first_name is None and person.subject.is_erased
    from bridgeway.cases.models import CaseNote

    note = CaseNote.objects.select_related("subject").get(case=case)
    assert note.body is None
    with pytest.raises(crypto.SubjectErased):
        note.subject.data_key()
    kept = Case.objects.get(pk=case.pk)
    assert kept.exploitation_types == ["ForcedLabour"] and kept.age_at_intake is not None


def test_supervisor_may_open_without_being_assigned(cast):
    case = services.case_open(org=cast.org_a, actor=cast.supervisor_a,
                              person=services.PersonData(first_name="Ion"))
    assert list(case.assignees.all()) == []
    extra = MembershipFactory(organisation=cast.org_a, role="caseworker").user
    case2 = services.case_open(org=cast.org_a, actor=cast.supervisor_a,
                               person=services.PersonData(first_name="Ana"), assignees=[extra])
    assert list(case2.assignees.all()) == [extra]
