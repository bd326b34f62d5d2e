"""Issue 18 item 1, "Home = my work": each role's home page lists what waits for that person, one
click from the thing itself, with counts in the menu; an item leaves once it is done, erased or
revoked; nobody sees another organisation's items; a failing queue does not take the page down;
the number of SQL statements does not grow with the queues."""

import datetime as dt
import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bridgeway.cases import services as cases
from bridgeway.cases.indicator_sets import set_for
from bridgeway.cases.models import CaseSettings, CaseTask, Decision
from bridgeway.core import queues
from bridgeway.helpline import services as helpline
from bridgeway.notifications.models import Kind, Notification
from bridgeway.orgs.models import OrganisationService
from bridgeway.protection import services as protection
from bridgeway.protection.models import AccessLogEntry, AuditEvent, ErasureRequest
from bridgeway.referrals import services as referrals
from bridgeway.referrals import thread
from tests.conftest import api, signed_in

pytestmark = pytest.mark.django_db

SECRET_NAME = "Zinaida"


@pytest.fixture(autouse=True)
def _no_queue_fails_quietly(request, caplog):
    """A queue that raises is hidden from the page (by design); here it must fail the test."""
    yield
    if "failing_queue" not in request.node.name and "failing_count" not in request.node.name:
        failed = [r.getMessage() for r in caplog.records if r.name == "bridgeway.home"]
        assert failed == []


def home(user) -> str:
    response = signed_in(user).get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def open_case(cast, *, org=None, actor=None, name=SECRET_NAME):
    return cases.case_open(org=org or cast.org_a, actor=actor or cast.caseworker_a,
                           person=cases.PersonData(first_name=name,
                                                   birth_date=dt.date(1990, 1, 1)))


def with_consent(case, actor):
    protection.consent_record(subject=case.subject, actor=actor, purpose="referral",
                              method="written",
                              given_on=timezone.localdate() - dt.timedelta(days=1))


def refer(cast, case, to=None):
    OrganisationService.objects.get_or_create(organisation=cast.police, service="identification")
    with_consent(case, cast.caseworker_a)
    return referrals.referral_send(case=case, actor=cast.caseworker_a, recipient=to or cast.police,
                                   sections=["identity"], services=["identification"],
                                   reason="AdditionalServicesRequired", urgency="normal")


def pending_decision(cast, case):
    CaseSettings.objects.get_or_create(organisation=case.organisation,
                                       defaults={"decisions_need_approval": True})
    assessment = cases.assessment_record(case=case, actor=cast.caseworker_a,
                                         indicator_set=set_for(child=False, sexual=False),
                                         entries=[])
    return cases.decision_record(case=case, actor=cast.caseworker_a, assessment=assessment,
                                 status="ActualVictimOfTrafficking")


# --- caseworker --------------------------------------------------------------------------------

def test_caseworker_sees_their_case_and_task_until_done(cast):
    case = open_case(cast)
    task = cases.task_add(case=case, actor=cast.caseworker_a, title="Call the lawyer",
                          due_on=timezone.localdate() - dt.timedelta(days=1))
    page = home(cast.caseworker_a)
    assert "Your open cases" in page and case.reference in page
    assert reverse("cases:detail", args=[case.pk]) in page
    assert f"Task in case {case.reference}" in page and "overdue" in page
    assert reverse("cases:work", args=[case.pk]) in page
    # Nothing personal on the home page, and nothing read that would need logging.
    assert SECRET_NAME not in page and "Call the lawyer" not in page
    assert not AccessLogEntry.objects.exists()
    cases.task_done(task=CaseTask.objects.get(pk=task.pk), actor=cast.caseworker_a)
    page = home(cast.caseworker_a)
    assert "Task in case" not in page and case.reference in page
    cases.case_set_status(case=case, actor=cast.caseworker_a, status="Closed",
                          reason="goals_met")
    assert case.reference not in home(cast.caseworker_a)


def test_a_task_far_ahead_waits_off_the_home_page(cast):
    case = open_case(cast)
    cases.task_add(case=case, actor=cast.caseworker_a, title="Later",
                   due_on=timezone.localdate() + dt.timedelta(days=30))
    assert "Task in case" not in home(cast.caseworker_a)


def test_nobody_sees_another_organisations_cases_or_tasks(cast):
    case = open_case(cast)
    cases.task_add(case=case, actor=cast.caseworker_a, title="x",
                   due_on=timezone.localdate())
    for who in ("caseworker_b", "admin_b", "agency_poc", "coordinator", "dpo_a", "admin_a"):
        assert case.reference not in home(getattr(cast, who)), who


def test_a_caseworker_taken_off_a_case_no_longer_sees_its_task(cast):
    """The assignment is tested row by row on the first page (core.db.ExistsPerRow) and as a
    subquery in the count: both leave the task out once the caseworker is unassigned, even
    while the task stays theirs."""
    case = open_case(cast)
    cases.task_add(case=case, actor=cast.caseworker_a, title="x", due_on=timezone.localdate())
    by_key = {r.queue.key: r for r in queues.run_queues(cast.caseworker_a, limit=1)}
    assert by_key["cases.tasks"].count == 1 and by_key["cases.mine"].count == 1
    case.assignees.remove(cast.caseworker_a)
    counts = {r.queue.key: (r.count, len(r.items))
              for r in queues.run_queues(cast.caseworker_a, limit=1)}
    assert counts.get("cases.tasks", (0, 0)) == (0, 0)
    assert counts.get("cases.mine", (0, 0)) == (0, 0)
    assert case.reference not in home(cast.caseworker_a)


def test_an_erased_persons_case_leaves_the_queue_without_an_error(cast):
    case = open_case(cast)
    cases.task_add(case=case, actor=cast.caseworker_a, title="x", due_on=timezone.localdate())
    referral = refer(cast, case)
    thread.message_post(referral=referral, actor=cast.agency_poc, body="hello")
    protection.subject_erase(subject=case.subject, actor=cast.dpo_a)
    for who in ("caseworker_a", "agency_poc"):
        page = home(getattr(cast, who))
        assert case.reference not in page and referral.reference not in page, who


# --- supervisor --------------------------------------------------------------------------------

def test_supervisor_is_notified_and_approves_from_the_queue(cast):
    case = open_case(cast)
    decision = pending_decision(cast, case)
    note = Notification.objects.get(user=cast.supervisor_a)
    assert note.kind == Kind.DECISION_AWAITING_APPROVAL and note.reference == case.reference
    assert note.link == reverse("cases:detail", args=[case.pk])
    assert not Notification.objects.filter(user=cast.caseworker_a,
                                           kind=Kind.DECISION_AWAITING_APPROVAL).exists()
    listed = api(cast.supervisor_a).get("/api/v1/notifications/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert rows[0]["reference"] == case.reference
    assert rows[0]["summary"] == (f"An identification decision on case {case.reference} "
                                  "waits for your approval")
    page = home(cast.supervisor_a)
    assert "Decisions waiting for your approval" in page
    assert f"Decision in case {case.reference}" in page
    client = signed_in(cast.supervisor_a)
    queue = client.get(reverse("cases:approvals")).content.decode()
    assert case.reference in queue
    assert reverse("cases:approve", args=[case.pk, decision.pk]) in queue
    response = client.post(reverse("cases:approve", args=[case.pk, decision.pk]),
                           {"approve": "1", "back": "approvals"})
    assert response.status_code == 302 and response.url == reverse("cases:approvals")
    assert Decision.objects.get(pk=decision.pk).state == Decision.State.IN_FORCE
    assert f"Decision in case {case.reference}" not in home(cast.supervisor_a)
    assert case.reference not in client.get(reverse("cases:approvals")).content.decode()


def test_approvals_are_only_for_supervisors_of_the_organisation(cast):
    case = open_case(cast)
    pending_decision(cast, case)
    supervisor_b = _supervisor_b(cast)
    for who in (cast.caseworker_a, cast.caseworker_b, supervisor_b, cast.agency_poc,
                cast.coordinator, cast.dpo_a, cast.outsider):
        assert f"Decision in case {case.reference}" not in home(who)
    # The page itself: a supervisor elsewhere sees an empty queue, everyone else a 404.
    other = signed_in(supervisor_b).get(reverse("cases:approvals"))
    assert other.status_code == 200 and case.reference not in other.content.decode()
    for who in (cast.caseworker_a, cast.agency_poc, cast.coordinator, cast.dpo_a, cast.outsider):
        assert signed_in(who).get(reverse("cases:approvals")).status_code == 404
    assert not Notification.objects.filter(user=supervisor_b).exists()


def _supervisor_b(cast):
    from tests.factories import MembershipFactory, with_totp

    user = MembershipFactory(organisation=cast.org_b, role="supervisor").user
    with_totp(user)
    return user


# --- referrals: the receiving side and the thread ----------------------------------------------

def test_agency_contact_sees_incoming_referral_with_deadline_until_answered(cast):
    case = open_case(cast)
    referral = refer(cast, case)
    page = home(cast.agency_poc)
    assert "Referrals waiting for your answer" in page and referral.reference in page
    assert reverse("referrals:detail", args=[referral.pk]) in page
    assert "due" in page and referral.deadline.astimezone(dt.UTC).strftime("%Y-%m-%dT") in page
    assert "Referrals (1)" in page  # the menu's count
    for who in ("caseworker_b", "coordinator", "dpo_a", "outsider"):
        assert referral.reference not in home(getattr(cast, who)), who
    referrals.referral_accept(referral=referral, actor=cast.agency_poc)
    page = home(cast.agency_poc)
    assert referral.reference not in page and "Referrals (1)" not in page


def test_a_revoked_referral_leaves_the_queue(cast):
    case = open_case(cast)
    referral = refer(cast, case)
    referrals.referral_revoke(referral=referral, actor=cast.caseworker_a)
    assert referral.reference not in home(cast.agency_poc)


def test_an_unread_message_shows_until_the_thread_is_read(cast):
    case = open_case(cast)
    referral = refer(cast, case)
    thread.message_post(referral=referral, actor=cast.agency_poc, body="Can she come Monday?")
    page = home(cast.caseworker_a)
    assert "Unread referral messages" in page and "1 unread message" in page
    assert "Can she come Monday?" not in page
    assert referral.reference not in home(cast.caseworker_b)
    assert "Unread referral messages" not in home(cast.agency_poc)  # their own message
    # The menu counts it on every page, not only at home.
    other_page = signed_in(cast.caseworker_a).get(reverse("notifications:list")).content.decode()
    assert "Referrals (1)" in other_page and "Home (1)" in other_page
    signed_in(cast.caseworker_a).get(reverse("referrals:detail", args=[referral.pk]))
    assert "Unread referral messages" not in home(cast.caseworker_a)


# --- data protection officer -------------------------------------------------------------------

def test_dpo_sees_erasure_requests_and_flagged_access(cast):
    case = open_case(cast)
    request = protection.erasure_request(subject=case.subject, actor=cast.supervisor_a,
                                         reason=ErasureRequest.Reason.SUBJECT_REQUEST)
    AccessLogEntry.objects.create(at=timezone.now(), user=cast.caseworker_b, subject=case.subject,
                                  organisation=cast.org_a, screen="cases:detail", via="ui",
                                  flags=["outside_organisation"])
    page = home(cast.dpo_a)
    assert f"Erasure of {case.subject.reference}" in page
    assert f"Unusual access by {cast.caseworker_b.full_name}" in page
    assert "1 flagged read" in page
    assert SECRET_NAME not in page
    for who in ("caseworker_a", "supervisor_a", "caseworker_b", "admin_b"):
        other = home(getattr(cast, who))
        assert "Erasure of" not in other and "Unusual access" not in other, who
    protection.erasure_decide(request=request, actor=cast.dpo_a, approve=False)
    assert "Erasure of" not in home(cast.dpo_a)


def test_flagged_access_leaves_once_the_dpo_marks_it_reviewed(cast):
    case = open_case(cast)

    def flagged():
        AccessLogEntry.objects.create(at=timezone.now(), user=cast.caseworker_b,
                                      subject=case.subject, organisation=cast.org_a,
                                      screen="cases:detail", via="ui", flags=["many_subjects"])

    flagged()
    url = reverse("protection:access_reviewed")
    for who in ("caseworker_a", "supervisor_a", "admin_a", "caseworker_b", "outsider"):
        assert signed_in(getattr(cast, who)).post(url, {"organisation": cast.org_a.pk}) \
            .status_code == 404, who
    assert "Unusual access by" in home(cast.dpo_a)
    response = signed_in(cast.dpo_a).post(url, {"organisation": cast.org_a.pk})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="protection.access.reviewed",
                                     organisation=cast.org_a, actor=cast.dpo_a).exists()
    assert "Unusual access by" not in home(cast.dpo_a)
    flagged()  # read again after the review: back in the queue
    assert "Unusual access by" in home(cast.dpo_a)


# --- network coordinator -----------------------------------------------------------------------

def test_coordinator_sees_incidents_to_verify_until_published(cast):
    from bridgeway.civicspace import services as civic
    from tests.civicspace.conftest import incident_data

    civic.restriction_types_seed()
    incident = civic.incident_report(actor=cast.caseworker_a, reporting_org=cast.org_a,
                                     network=cast.network, data=incident_data(severity=4))
    page = home(cast.coordinator)
    assert "Incidents to verify" in page and "Registration refused" in page
    assert reverse("civicspace:detail", args=[incident.pk]) in page and "Urgent" in page
    assert "Incidents to verify" not in home(cast.caseworker_b)
    for step in ("under_review", "verified", "published"):
        civic.incident_transition(incident=incident, actor=cast.coordinator, to=step)
    assert "Incidents to verify" not in home(cast.coordinator)


# --- robustness and speed ----------------------------------------------------------------------

def test_a_failing_queue_does_not_take_the_home_page_down(cast, caplog):
    case = open_case(cast)

    def broken(user, limit):
        raise RuntimeError(f"cannot read {SECRET_NAME}")

    def broken_sql(user, limit):
        # A failed statement: on PostgreSQL it would break the rest of a transaction.
        with connection.cursor() as cursor:
            cursor.execute("SELECT no_such_column FROM cases_case")
        return 0, []

    queues.register_queue("test.broken", "Broken list", broken, order=1)
    queues.register_queue("test.broken_sql", "Broken query", broken_sql, order=2)
    try:
        with caplog.at_level(logging.ERROR, logger="bridgeway.home"):
            page = home(cast.caseworker_a)
    finally:
        queues._queues.pop("test.broken")
        queues._queues.pop("test.broken_sql")
    assert page.count("could not be loaded") == 2
    assert case.reference in page  # the other queues still show
    assert "test.broken" in caplog.text and "RuntimeError" in caplog.text
    assert "test.broken_sql" in caplog.text
    assert SECRET_NAME not in caplog.text


def test_a_failing_count_marks_only_its_queue_as_failed(cast, caplog):
    """The counts of full pages are asked together in one statement: one broken count must not
    take the others' down (each is then asked on its own)."""
    from bridgeway.cases.models import Case

    case = open_case(cast)
    for _i in range(6):
        cases.task_add(case=case, actor=cast.caseworker_a, title="t", due_on=timezone.localdate())

    def broken_count(user, limit):
        count, rows = queues.count_and_page(Case.objects.extra(where=["no_such_column = 1"]),
                                            list(range(limit + 1)), limit)
        return count, [queues.QueueItem(label=f"Line {r}", url="/") for r in rows]

    queues.register_queue("test.broken_count", "Broken count", broken_count, order=1)
    try:
        with caplog.at_level(logging.WARNING, logger="bridgeway.home"):
            page = home(cast.caseworker_a)
    finally:
        queues._queues.pop("test.broken_count")
    assert page.count("could not be loaded") == 1
    assert "Line 0" not in page
    assert f"Task in case {case.reference}" in page and "(6)" in page  # its count still asked
    assert "test.broken_count" in caplog.text


def _queries(user) -> int:
    client = signed_in(user)
    client.get(reverse("home"))  # warm: session, caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("home")).status_code == 200
    return len(ctx.captured_queries)


def test_the_home_page_statements_do_not_grow_with_the_queues(cast, django_assert_max_num_queries):
    """A queue runs one statement for its first page and one more (a capped count) once the page
    is full: from a full page on, the count stays the same however long the queues grow."""

    from bridgeway.funding.models import Funder, FundingRecord
    from bridgeway.outreach import services as outreach
    from bridgeway.surveys.models import FormVersion, Submission, Survey, SurveyInvitation

    funder = Funder.objects.create(name="Ministry", funder_type="national_government")
    facility = outreach.facility_add(actor=cast.caseworker_a, org=cast.org_a,
                                     data=outreach.FacilityData(name="Centre", country="MD",
                                                                facility_type="detention"))

    def one_of_each():
        outreach.record_create(kind="access", actor=cast.caseworker_a, org=cast.org_a, values={
            "facility": facility.pk,
            "requested_on": timezone.localdate() - dt.timedelta(days=20)})
        outreach.record_create(kind="training", actor=cast.caseworker_a, org=cast.org_a, values={
            "institution_type": "police", "country": "MD", "topic": "Indicators",
            "planned_on": timezone.localdate().replace(day=1)})
        case = open_case(cast)
        cases.task_add(case=case, actor=cast.caseworker_a, title="t",
                       due_on=timezone.localdate())
        pending_decision(cast, case)
        referral = refer(cast, case)
        thread.message_post(referral=referral, actor=cast.agency_poc, body="hello")
        protection.erasure_request(subject=case.subject, actor=cast.supervisor_a,
                                   reason=ErasureRequest.Reason.RETENTION)
        helpline.settings_ensure(cast.org_a)
        helpline.public_submission(org=cast.org_a, answers={"what_happened": "help"},
                                   language="uk")
        # Surveys: one waiting for org A's answer, one answered by org B (to review).
        now = timezone.now()
        waiting = Survey.objects.create(network=cast.network, title="Survey", status="open",
                                        created_by=cast.coordinator,
                                        deadline=now + dt.timedelta(days=2))
        SurveyInvitation.objects.create(survey=waiting, organisation=cast.org_a)
        answered = Survey.objects.create(network=cast.network, title="Answered", status="open",
                                         created_by=cast.coordinator)
        version = FormVersion.objects.create(survey=answered, number=1, title="Answered",
                                             form_id="answered", xlsform=b"", xform="", spec={},
                                             uploaded_by=cast.coordinator)
        Submission.objects.create(survey=answered, version=version, organisation=cast.org_b,
                                  owner_key=f"org:{cast.org_b.pk}", status="submitted",
                                  submitted_at=now)
        # Funding: a grant of org A ending within 6 months, without a follow-up.
        FundingRecord.objects.create(organisation=cast.org_a, funder=funder,
                                     funder_type="national_government", title="Grant",
                                     currency="EUR", status="awarded",
                                     ends_on=timezone.localdate() + dt.timedelta(days=40))

    people = ("caseworker_a", "supervisor_a", "agency_poc", "dpo_a", "admin_a", "coordinator")
    one_of_each()
    few = {who: _queries(getattr(cast, who)) for who in people}
    for _i in range(6):
        one_of_each()
    full = {who: _queries(getattr(cast, who)) for who in people}
    for _i in range(24):
        one_of_each()
    many = {who: _queries(getattr(cast, who)) for who in people}
    assert many == full
    # Every queue above is full (more than a page waiting), so the counts were really run.
    waiting = {}
    for who in people:
        waiting.update({r.queue.key: r.count
                        for r in queues.run_queues(getattr(cast, who), limit=5)})
    for key in ("cases.tasks", "cases.approvals", "referrals.incoming", "helpline.triage",
                "outreach.unanswered", "surveys.to_answer", "surveys.to_review",
                "funding.grants_ending", "protection.erasures"):
        assert waiting.get(key, 0) > 5, key
    assert all(few[who] <= full[who] for who in people)
    # The whole page, for the person with the most queues: a fixed ceiling.
    client = signed_in(cast.caseworker_a)
    client.get(reverse("home"))
    with django_assert_max_num_queries(max(many.values())):
        assert client.get(reverse("home")).status_code == 200
    # One statement for every full queue's count (core.queues.PendingCount), not one each
    # (the ceiling was 40 before session 29).
    assert max(many.values()) <= 22
