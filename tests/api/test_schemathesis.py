"""The OpenAPI schema tells the truth: a bounded schemathesis run over every operation, in
process (the WSGI app, no server), as a caseworker of org A (MFA set up, token) and as an
outsider (signed in, no organisation).

Every operation gets a few schema-valid requests and a few schema-invalid ones, against objects
that exist (the caseworker's case, a referral it sent and one it received, its organisation, …)
and against ids that do not. A run fails on:

- a 5xx (`not_a_server_error`);
- an answer the schema does not describe: status code, content type, body or headers
  (`status_code_conformance`, `content_type_conformance`, `response_schema_conformance`,
  `response_headers_conformance`);
- invalid data accepted (`negative_data_rejection`): the schema promises a client that such a
  request is refused, so a 2xx for it means the schema or the validation is wrong;
- valid data refused with a 400 (`positive_data_acceptance`), for the caseworker only: a 400 for
  a request the schema calls valid means the schema hides a rule a generated client cannot know.
  401/403/404/409 stay acceptable (who may, and the state of the object, are not the data's
  fault). A few rules cannot be written in JSON Schema (a date not in the future, an end after
  its start, a consent that must exist): `BUSINESS_RULES` lists them, by operation and field, and
  only a 400 that names nothing but those fields is let through. The outsider is not held to
  acceptance: every object is a 404 for them, whatever the data.

Each example runs in a savepoint that is rolled back, so each starts from the same seeded data;
the seed is fixed (`derandomize`) so CI sees the same requests every time. Deselect with
`-m "not schemathesis"`.
"""

import datetime as dt
import os
import time
from collections import Counter, defaultdict

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

from bridgeway.accounts.services import api_token_create
from bridgeway.outreach.services import FIELDS as OUTREACH_FIELDS

pytestmark = [pytest.mark.django_db, pytest.mark.schemathesis, pytest.mark.slow]

# Examples per operation: valid ones and invalid ones with each set of real ids, and valid ones
# with generated ids (mostly 404s). Small on purpose: the suite runs twice in CI on two cores.
# The outsider sees 404 for every object whatever the data, so fewer examples tell as much.
CASEWORKER = {"positive": 3, "negative": 2, "random_ids": 1}
OUTSIDER = {"positive": 2, "negative": 1, "random_ids": 1}

# A 400 for a schema-valid request is let through when every field it names is either a
# reference to an object that does not exist or that the caller may not use (an id: the schema
# can say its type, not which ones exist), or a rule the service checks and JSON Schema cannot
# say, listed here per operation: dates against today, the person's birth or the case's
# opening; one field needed because of another's value; the object's state; codes checked
# against a list the service keeps (countries, genders).
REFERENCE = ("object does not exist", "Unknown indicator set", "Unknown indicator",
             "Not one of your organisations", "Unknown restriction type")
_DATES = {"started_on", "ended_on", "date_from", "date_to", "due_on", "decided_on",
          "assessed_on", "given_on", "opened_on", "since", "until"}
_OUTREACH = {name for fields in OUTREACH_FIELDS.values() for name in fields} | {
    "organisation", "values", "version"}
BUSINESS_RULES: dict[str, set[str]] = {
    "GET /api/v1/referral-statistics/": {"until"},
    # A name is cleaned first (format characters such as zero-width joiners removed): one made
    # only of them is blank.
    # Phone numbers are parsed (E.164 or as dialled in the organisation's country) and e-mail
    # addresses checked by the service, beyond what a JSON Schema format says.
    "POST /api/v1/cases/": {"first_name", "second_name", "person", "opened_on"},
    "POST /api/v1/cases/{id}/convert/": {"detail", "age", "gender", "citizenship", "birth_date",
                                         "first_name", "second_name", "phone", "email"},
    "PATCH /api/v1/cases/{id}/person/": {"phone", "email", "birth_date", "age", "gender",
                                         "citizenship", "first_name", "second_name"},
    "POST /api/v1/organisations/{id}/contacts/": {"phone", "email", "languages"},
    "PATCH /api/v1/organisations/{id}/contacts/{contact_id}/": {"phone", "email", "languages"},
    "POST /api/v1/cases/{id}/decisions/": _DATES | {"assessment", "decision_org",
                                                    "decision_body"},
    "POST /api/v1/cases/{id}/assessments/": _DATES | {"indicators"},
    "POST /api/v1/cases/{id}/events/": _DATES | {"country"},
    "POST /api/v1/cases/{id}/perpetrators/": {"relationship", "citizenship"},
    "POST /api/v1/cases/{id}/services/": _DATES | {"provider", "provider_other"},
    "POST /api/v1/cases/{id}/tasks/": _DATES,
    "POST /api/v1/cases/{id}/objectives/": _DATES,
    "POST /api/v1/cases/{id}/status/": {"close_reason", "status"},
    "POST /api/v1/civic-space/incidents/": _DATES | {"country", "affected", "sources",
                                                     "network", "organisation", "language",
                                                     "types"},
    "PATCH /api/v1/civic-space/incidents/{id}/": _DATES | {"country", "affected", "sources",
                                                           "language", "types"},
    # Ids of other tables, decimals written as strings, currencies without a rate: checked
    # by the service, named in the 400.
    "POST /api/v1/funding/records/": _DATES | {"organisation", "funder", "receipts", "currency",
                                               "amount_awarded", "late_days", "funder_country"},
    # A mapped question must be a number question of one of the network's surveys.
    "POST /api/v1/networks/{id}/funding/mappings/": {"question"},
    "POST /api/v1/persons/{id}/consents/": _DATES | {"expires_on", "witness_or_guardian",
                                                     "recipient_type"},
    # A multipart part without a file name is a form field, not a file.
    "POST /api/v1/persons/{id}/documents/": {"file"},
    "POST /api/v1/referrals/{id}/complete/": {"status"},
    # Helpline: the time against now, language and topic codes against the service's lists,
    # contact details parsed, control characters refused in text; a contact's state.
    "POST /api/v1/helpline/contacts/": {"started_at", "language", "topics", "follow_up_due",
                                        "reach", "summary", "follow_up", "referral",
                                        "organisation"},
    "PUT /api/v1/helpline/contacts/{id}/": {"started_at", "language", "topics", "follow_up_due",
                                            "reach", "summary", "follow_up", "referral"},
    "POST /api/v1/helpline/contacts/{id}/link-case/": {"case"},
    "POST /api/v1/helpline/contacts/{id}/open-case/": {"non_field_errors"},
    "POST /api/v1/helpline/contacts/{id}/release/": {"non_field_errors"},
    "POST /api/v1/helpline/contacts/{id}/follow-up-done/": {"non_field_errors"},
    # The call-log import answers its report (by row and column) with a 400.
    "POST /api/v1/helpline/call-log-imports/": {"rows", "problems", "problem_count", "created",
                                                "dry_run", "file"},
    "POST /api/v1/referrals/{id}/decline/": {"text"},
    # Outreach records take `values`, a dict of field name -> value that the service validates
    # field by field (sums that must add up, dates against today, codes): its 400 names them.
    **{f"{method} /api/v1/outreach/{kind}/{suffix}": _OUTREACH
       for kind in ("activities", "access-requests", "trainings")
       for method, suffix in (("POST", ""), ("PATCH", "{id}/"))},
    "POST /api/v1/outreach/facilities/": {"country", "name", "network"},
    "PATCH /api/v1/outreach/facilities/{id}/": {"country", "name", "facility_type"},
    # The outbox's sync names the refused entry and its fields' errors.
    "POST /api/v1/outreach/sync/": {"entry", "errors"},
}



def _seed(cast) -> dict:
    """Objects for the path parameters: the caseworker's own, and some of another side."""
    from bridgeway.cases import services as cases
    from bridgeway.cases.indicator_sets import set_for
    from bridgeway.civicspace import services as civic
    from bridgeway.notifications.models import Notification
    from bridgeway.notifications.services import notify
    from bridgeway.orgs import services as orgs
    from bridgeway.orgs.models import Membership, OrganisationService
    from bridgeway.protection import services as protection
    from bridgeway.referrals import services as referrals
    from bridgeway.referrals import thread

    today = timezone.localdate()
    OrganisationService.objects.create(organisation=cast.org_b, service="shelter")
    OrganisationService.objects.create(organisation=cast.org_a, service="shelter")
    OrganisationService.objects.create(organisation=cast.police, service="identification")

    def open_case(org, actor, name):
        return cases.case_open(org=org, actor=actor, person=cases.PersonData(
            first_name=name, second_name="Quillbrook", birth_date=dt.date(1994, 7, 12),
            phone="+37369000111", gender="Feminine", citizenship="UA"),
            exploitation_types=["ForcedLabour"])

    case = open_case(cast.org_a, cast.caseworker_a, "Zamfira")
    actor = cast.caseworker_a
    cases.note_add(case=case, actor=actor, body="Hides at her cousin's flat")
    cases.service_add(case=case, actor=actor, service="shelter", started_on=today)
    objective = cases.objective_add(case=case, actor=actor, objective="Find housing")
    task = cases.task_add(case=case, actor=actor, title="Call the lawyer", due_on=today)
    cases.event_add(case=case, actor=actor, kind="exploitation", country="PL")
    cases.perpetrator_add(case=case, actor=actor, relationship="Employer")
    assessment = cases.assessment_record(
        case=case, actor=actor, indicator_set=set_for(child=False, sexual=False), entries=[])
    decision = cases.decision_record(case=case, actor=actor, assessment=assessment,
                                     status="PossibleVictimOfTrafficking")
    first_contact = cases.first_contact_open(org=cast.org_a, actor=actor, channel="phone")

    consent = protection.consent_record(subject=case.subject, actor=actor, purpose="referral",
                                        method="written", given_on=today - dt.timedelta(days=1))
    document = protection.document_upload(
        subject=case.subject, actor=actor,
        uploaded=SimpleUploadedFile("passport.pdf", b"%PDF-1.4\n%%EOF\n",
                                    content_type="application/pdf"))
    sent = referrals.referral_send(case=case, actor=actor, recipient=cast.org_b,
                                   sections=["identity", "contact", "victim_context", "documents"],
                                   services=["shelter"], reason="AdditionalServicesRequired",
                                   urgency="normal")
    message = thread.message_post(
        referral=sent, actor=actor, body="Bus at 6",
        attachment=SimpleUploadedFile("note.txt", b"plain words", content_type="text/plain"))

    case_b = open_case(cast.org_b, cast.caseworker_b, "Ilinca")
    protection.consent_record(subject=case_b.subject, actor=cast.caseworker_b,
                              purpose="referral", method="written",
                              given_on=today - dt.timedelta(days=1))
    received = referrals.referral_send(case=case_b, actor=cast.caseworker_b, recipient=cast.org_a,
                                       sections=["identity", "victim_context", "needs"],
                                       services=["shelter"], reason="AdditionalServicesRequired",
                                       urgency="normal")

    civic.restriction_types_seed()
    from tests.civicspace.conftest import incident_data

    incident = civic.incident_report(actor=actor, reporting_org=cast.org_a, network=cast.network,
                                     data=incident_data())
    consultation = civic.consultation_add(
        network=cast.network, actor=cast.coordinator, country="MD", title="Action plan",
        kind="nap", stage="closed", opened_on=dt.date(2026, 1, 10), url="https://gov.example/nap")
    participation = civic.participation_set(
        consultation=consultation, actor=cast.coordinator, organisation=cast.org_a,
        invited="no", submitted="no", method="", feedback="unknown", evidence="Not invited.")

    contact = orgs.contact_add(org=cast.org_a, actor=cast.admin_a, user=cast.caseworker_a,
                               function="Case work", phone="+37322123456")
    mechanism = orgs.mechanism_create(actor=cast.admin_a, convener=cast.org_a,
                                      name="National task force", level="national",
                                      country="MD")
    member = orgs.mechanism_member_add(mechanism=mechanism, actor=cast.admin_a,
                                       organisation=cast.org_b, role="member")
    invitation, _token = orgs.invitation_create(org=cast.org_a, actor=cast.admin_a,
                                                email="new@example.org", role="caseworker",
                                                base_url="http://testserver/")
    notify(users=[actor], kind="referral_received", link=f"/referrals/{received.pk}/")
    notification = Notification.objects.filter(user=actor).first()
    membership = Membership.objects.get(user=actor, organisation=cast.org_a)

    # Each path's parameters: a list of candidates, each tried in turn.
    return {
        "/api/v1/cases/{id}/": [{"id": str(case.pk)}],
        # A first contact takes no personal data until converted (a 400 naming the field).
        "/api/v1/cases/{id}/convert/": [{"id": str(first_contact.pk)}, {"id": str(case.pk)}],
        "/api/v1/cases/{id}/objectives/{objective_id}/": [
            {"id": str(case.pk), "objective_id": str(objective.pk)}],
        "/api/v1/cases/{id}/tasks/{task_id}/": [{"id": str(case.pk), "task_id": str(task.pk)}],
        "/api/v1/cases/{id}/decisions/{decision_id}/": [
            {"id": str(case.pk), "decision_id": decision.pk}],
        "/api/v1/civic-space/incidents/{id}/": [{"id": incident.pk}],
        "/api/v1/civic-space/consultations/{id}/": [
            {"id": consultation.pk, "participation_id": participation.pk}],
        "/api/v1/memberships/{id}/": [{"id": membership.pk}],
        "/api/v1/notifications/{id}/": [{"id": notification.pk}],
        "/api/v1/organisations/{org_pk}/": [{"org_pk": cast.org_a.pk}],
        "/api/v1/organisations/{id}/network-members/": [{"id": cast.network.pk}],
        "/api/v1/organisations/{id}/": [
            {"id": cast.org_a.pk, "contact_id": contact.pk, "invitation_id": invitation.pk}],
        "/api/v1/persons/{id}/": [
            {"id": str(case.subject_id), "consent_id": str(consent.pk),
             "document_id": str(document.pk)}],
        "/api/v1/referrals/{id}/": [
            {"id": sent.pk, "message_id": str(message.pk), "document_id": str(document.pk)},
            {"id": received.pk}],
        "/api/v1/task-forces/{id}/": [{"id": mechanism.pk, "member_id": member.pk}],
    }


def _candidates(seed: dict, path: str) -> list[dict]:
    """The longest seeded prefix of `path`; only the parameters the path has."""
    best = ""
    for prefix in seed:
        if prefix.startswith("/") and path.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    if not best or "{" not in path:
        return []
    names = {part[1:-1] for part in path.split("/") if part.startswith("{")}
    out = []
    for candidate in seed[best]:
        chosen = {k: v for k, v in candidate.items() if k in names}
        if set(chosen) == names:
            out.append(chosen)
    return out


@pytest.fixture
def wsgi_schema(db):
    import schemathesis
    from django.core.wsgi import get_wsgi_application

    # The test transaction must survive each request: Django closes a connection that is in a
    # transaction at the end of a request, as the test client knows.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        # No NUL characters in generated text: every text field refuses them (DRF), as
        # docs/api.md says; no generated credentials: each run sends its own token.
        config = schemathesis.Config.from_dict({"generation": {
            "allow-x00": False, "with-security-parameters": False}})
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json",
                                             get_wsgi_application(), config=config)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _checks(*, acceptance: bool):
    from schemathesis.checks import load_all_checks
    from schemathesis.specs.openapi import checks as oas

    load_all_checks()
    chosen = [oas.status_code_conformance, oas.content_type_conformance,
              oas.response_schema_conformance, oas.response_headers_conformance,
              oas.negative_data_rejection]
    from schemathesis.checks import not_a_server_error

    chosen.append(not_a_server_error)
    if acceptance:
        chosen.append(oas.positive_data_acceptance)
    return chosen


def _refusal_is_a_business_rule(label: str, response) -> bool:
    if response.status_code != 400:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    if not isinstance(body, dict) or not body:
        return False
    allowed = BUSINESS_RULES.get(label, set())
    return all(field in allowed or any(ref in str(messages) for ref in REFERENCE)
               for field, messages in body.items())


def _run(schema, user, *, acceptance: bool, seed: dict, counts: dict) -> tuple[dict, Counter]:
    from schemathesis import GenerationMode

    _token, secret = api_token_create(user=user, name="schemathesis")
    headers = {"Authorization": f"Token {secret}"}
    checks = _checks(acceptance=acceptance)
    failures: dict[str, set[str]] = defaultdict(set)
    stats: Counter = Counter()

    def examples(operation, mode, path_parameters, count):
        # Invalid bodies go as JSON where JSON is taken: multipart turns every value into text,
        # so an invalid one often arrives valid.
        content = operation.definition.raw.get("requestBody", {}).get("content", {})
        media_type = "application/json" if (mode == GenerationMode.NEGATIVE
                                            and "application/json" in content) else None
        strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters,
                                         media_type=media_type)

        @settings(max_examples=count, derandomize=True, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.explicit,
                                                                   Phase.generate])
        @given(strategy)
        def one(case):
            stats["requests"] += 1
            sid = transaction.savepoint_create()
            try:
                response = case.call(headers=headers)
                stats[f"status {response.status_code}"] += 1
                try:
                    case.validate_response(response, checks=checks, headers=headers)
                except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 — all collected
                    for failure in getattr(exc, "exceptions", None) or [exc]:
                        # A multipart body arrives as text and files: an "invalid" value there
                        # (an object for a file, a number for text) is often valid as sent.
                        if (type(failure).__name__ == "AcceptedNegativeData"
                                and case.media_type == "multipart/form-data"):
                            stats["invalid multipart not judged"] += 1
                            continue
                        if (acceptance and type(failure).__name__ == "RejectedPositiveData"
                                and _refusal_is_a_business_rule(operation.label, response)):
                            continue
                        failures[operation.label].add(_describe(failure, response))
                        if os.environ.get("SCHEMATHESIS_DEBUG"):
                            print(case.as_curl_command())
            finally:
                transaction.savepoint_rollback(sid)

        try:
            one()
        except Unsatisfiable:
            stats["nothing to negate"] += 1

    only = os.environ.get("SCHEMATHESIS_ONLY", "")
    for result in schema.get_all_operations():
        operation = result.ok()
        if only and only not in operation.label:
            continue
        stats["operations"] += 1
        candidates = _candidates(seed, operation.path)
        if candidates:
            for params in candidates:
                examples(operation, GenerationMode.POSITIVE, params, counts["positive"])
                if _has_input(operation):
                    examples(operation, GenerationMode.NEGATIVE, params, counts["negative"])
            examples(operation, GenerationMode.POSITIVE, None, counts["random_ids"])
        else:
            examples(operation, GenerationMode.POSITIVE, None, counts["positive"])
            examples(operation, GenerationMode.NEGATIVE, None, counts["negative"])
    return failures, stats


def _has_input(operation) -> bool:
    """A body or a query parameter to make invalid (the path's are fixed)."""
    raw = operation.definition.raw
    return "requestBody" in raw or any(p.get("in") == "query" for p in raw.get("parameters", []))


def _describe(failure, response) -> str:
    title = getattr(failure, "title", type(failure).__name__)
    message = " / ".join(line.strip() for line in str(getattr(failure, "message", failure))
                         .splitlines()[:8] if line.strip())
    body = response.text[:300].replace("\n", " ")
    sent = getattr(response.request, "url", "")[:150]
    return f"{title} [{response.status_code}] {body} <- {sent}: {message[:400]}"


def _report(failures: dict, stats: Counter, took: float) -> str:
    lines = [f"{len(failures)} operations with failures; {stats['requests']} requests over "
             f"{stats['operations']} operations in {took:.0f}s"]
    for label in sorted(failures):
        lines.append(f"- {label}")
        lines.extend(f"    {f}" for f in sorted(failures[label]))
    return "\n".join(lines)


def _check(schema, user, *, acceptance: bool, seed: dict, counts: dict) -> None:
    started = time.monotonic()
    failures, stats = _run(schema, user, acceptance=acceptance, seed=seed, counts=counts)
    report = _report(failures, stats, time.monotonic() - started)
    print(report)
    assert not failures, report


def test_schema_holds_for_a_caseworker(cast, wsgi_schema):
    _check(wsgi_schema, cast.caseworker_a, acceptance=True, seed=_seed(cast), counts=CASEWORKER)


def test_schema_holds_for_an_outsider(cast, wsgi_schema):
    _check(wsgi_schema, cast.outsider, acceptance=False, seed=_seed(cast), counts=OUTSIDER)
