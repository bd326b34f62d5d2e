"""Identification as case work: the organisation's decision beside the formal state
identification, indicator-set import checks, indicators recorded with source and note and shown
back, the "why" built in the reader's language, and which set fits which case."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from bridgeway.cases import identification, services
from bridgeway.cases.indicator_sets import DEFAULT_FILE, ensure_default_sets, import_payload, set_for
from bridgeway.cases.models import (
    Assessment,
    AssessmentIndicator,
    Decision,
    IndicatorSet,
)
from bridgeway.protection.models import AuditEvent
from tests.conftest import api, signed_in

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def open_case(cast, types=("ForcedLabour",), birth_date=dt.date(1990, 5, 5)):
    return services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                              person=services.PersonData(first_name="Сергій",
                                                         second_name="Мельник",
                                                         birth_date=birth_date),
                              exploitation_types=list(types))


def assess(case, actor, ids=(), set_=None, **kw):
    set_ = set_ or set_for(child=case.is_child, sexual=False)
    return services.assessment_record(case=case, actor=actor, indicator_set=set_,
                                      entries=[services.IndicatorEntry(i) for i in ids], **kw)


# --- 1. the organisation's decision beside the formal state identification ----------------------

def test_formal_identification_stands_beside_the_cso_decision_and_the_difference_shows(cast, case):
    own = services.decision_record(case=case, actor=cast.caseworker_a,
                                   assessment=assess(case, cast.caseworker_a),
                                   status="PossibleVictimOfTrafficking")
    formal = services.formal_decision_record(
        case=case, actor=cast.caseworker_a, status="NotAVictimOfTrafficking",
        decision_org="Police", decision_body="Border police, Chișinău unit",
        decided_on=TODAY() - dt.timedelta(days=3))
    assert own.decision_org == "NGO" and not own.received_from_state
    assert formal.decision_org == "Police" and formal.received_from_state
    assert formal.assessment is None and formal.state == Decision.State.IN_FORCE
    assert AuditEvent.objects.filter(action="cases.decision.formal_recorded",
                                     object_id=str(formal.pk),
                                     payload={"status": "NotAVictimOfTrafficking",
                                              "decision_org": "Police",
                                              "state": "in_force"}).exists()

    page = signed_in(cast.caseworker_a).get(reverse("cases:detail", args=[case.pk]))
    html = page.content.decode()
    assert page.context["cso_decision"] == own and page.context["formal_decision"] == formal
    assert "Formal identification (state)" in html and "Border police, Chișinău unit" in html
    assert "differs from the formal identification (Not a victim of trafficking)" in html
    assert "<mark>Possible victim of trafficking</mark>" in html


def test_same_status_on_both_sides_shows_no_difference(cast, case):
    services.decision_record(case=case, actor=cast.caseworker_a,
                             assessment=assess(case, cast.caseworker_a),
                             status="ActualVictimOfTrafficking")
    services.formal_decision_record(case=case, actor=cast.caseworker_a,
                                    status="ActualVictimOfTrafficking",
                                    decision_org="CourtOrProsecution", decision_body="Prosecutor",
                                    decided_on=TODAY())
    page = signed_in(cast.caseworker_a).get(reverse("cases:detail", args=[case.pk]))
    assert page.context["formal_decision"] is not None and not page.context["differ"]
    assert "differs from the formal identification" not in page.content.decode()


@pytest.mark.parametrize("data,field", [
    ({"decision_org": "NGO"}, "decision_org"),
    ({"decision_org": "Other"}, "decision_org"),
    ({"decision_body": "  "}, "decision_body"),
    ({"decided_on": None}, "decided_on"),
    ({"status": "Maybe"}, "status"),
])
def test_bad_formal_decision_names_the_field_and_writes_nothing(cast, case, data, field):
    args = {"status": "ActualVictimOfTrafficking", "decision_org": "Police",
            "decision_body": "Police", "decided_on": TODAY(), **data}
    with pytest.raises(ValidationError) as exc:
        services.formal_decision_record(case=case, actor=cast.caseworker_a, **args)
    assert field in exc.value.message_dict
    assert Decision.objects.count() == 0


def test_formal_identification_on_the_case_screen(cast, case):
    client = signed_in(cast.caseworker_a)
    url = reverse("cases:decide_formal", args=[case.pk])
    bad = client.post(url, {"formal-decision_org": "NGO", "formal-decision_body": "x",
                            "formal-status": "ActualVictimOfTrafficking",
                            "formal-decided_on": TODAY().isoformat()})
    assert bad.status_code == 400 and bad.context["formal_form"].errors["decision_org"]
    assert Decision.objects.count() == 0
    ok = client.post(url, {"formal-decision_org": "Police", "formal-decision_body": "NRM unit",
                           "formal-status": "ActualVictimOfTrafficking",
                           "formal-decided_on": TODAY().isoformat()})
    assert ok.status_code == 302
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert "NRM unit" in page.content.decode()
    assert page.context["formal_decision"].decision_org == "Police"


@pytest.mark.parametrize("who", ["caseworker_b", "agency_poc", "coordinator", "outsider"])
def test_outsiders_cannot_record_a_formal_identification(cast, case, who):
    response = signed_in(getattr(cast, who)).post(
        reverse("cases:decide_formal", args=[case.pk]),
        {"formal-decision_org": "Police", "formal-decision_body": "x",
         "formal-status": "ActualVictimOfTrafficking", "formal-decided_on": TODAY().isoformat()})
    assert response.status_code == 404 and Decision.objects.count() == 0


def test_formal_identification_through_the_api(cast, case):
    client = api(cast.caseworker_a)
    url = f"/api/v1/cases/{case.pk}/decisions/"
    assessment = assess(case, cast.caseworker_a)
    own = client.post(url, {"assessment": str(assessment.pk),
                            "status": "ActualVictimOfTrafficking"}, format="json")
    assert own.status_code == 201 and own.json()["decision_org"] == "NGO"
    sneaky = client.post(url, {"assessment": str(assessment.pk), "decision_org": "Police",
                               "status": "ActualVictimOfTrafficking"}, format="json")
    assert sneaky.status_code == 400 and "decision_org" in sneaky.json()
    # A decision sent back as it reads (with the organisation's own kind) is accepted.
    echoed = client.post(url, {**{k: own.json()[k] for k in ("assessment", "status",
                                                              "decision_org")}},
                         format="json")
    assert echoed.status_code == 201, echoed.json()
    Decision.objects.filter(pk=echoed.json()["id"]).delete()  # the counts below are of the rest
    missing = client.post(url, {"received_from_state": True, "decision_org": "Police",
                                "status": "NotAVictimOfTrafficking"}, format="json")
    assert missing.status_code == 400
    assert set(missing.json()) == {"decision_body", "decided_on"}
    formal = client.post(url, {"received_from_state": True, "decision_org": "Police",
                               "decision_body": "Border police",
                               "decided_on": TODAY().isoformat(),
                               "status": "NotAVictimOfTrafficking"}, format="json")
    assert formal.status_code == 201, formal.json()
    assert formal.json()["received_from_state"] and formal.json()["decision_org"] == "Police"
    assert Decision.objects.count() == 2
    both = client.get(f"/api/v1/cases/{case.pk}/identification/").json()
    assert both["differ"] is True
    assert both["cso"]["status"] == "ActualVictimOfTrafficking"
    assert both["formal"]["decision_body"] == "Border police"
    assert api(cast.caseworker_b).get(
        f"/api/v1/cases/{case.pk}/identification/").status_code == 404


# --- 2. importing indicator sets --------------------------------------------------------------

def a_set(code="md_nrm_adult_labour", **extra):
    return {"id": code, "label": "National list", **extra, "dimensions": [
        {"id": d, "label": d, "indicators": [
            {"id": f"{code}.{d}.{n}", "text": f"{d} {n}", "strength": s}
            for n, s in enumerate(["strong", "strong", "medium", "medium", "medium", "weak"])]}
        for d in ("deceptive_recruitment", "exploitation", "coercion_at_destination")]}


VERIFIED_RULE = {"machine": {
    "thresholds": [{"strong": 2}, {"medium": 3}],
    "adult": {"all_of": [{"any_of": ["deceptive_recruitment"]}, {"any_of": ["exploitation"]},
                         {"any_of": ["coercion_at_destination"]}]},
    "child": {"all_of": [{"any_of": ["deceptive_recruitment"]}, {"any_of": ["exploitation"]}]}},
    "uncertain": False}


def payload(sets, rule=None) -> bytes:
    body = {"sets": sets}
    if rule is not None:
        body["combination_rule"] = rule
    return json.dumps(body).encode()


def test_a_file_without_a_rule_gets_the_default_rule_flagged_not_verified(cast):
    [made] = import_payload(payload([a_set(for_child=False, for_sexual_exploitation=False)]),
                            actor=cast.platform_admin, source="NRM")
    assert made.rule == identification.DEFAULT_RULE and made.rule_uncertain
    page = signed_in(cast.platform_admin).get(reverse("cases:indicator_sets"))
    row = next(r for r in page.content.decode().split("<tr>") if "National list" in r)
    assert "not verified against the published source" in row


def test_a_file_with_a_verified_rule_is_shown_verified(cast):
    [made] = import_payload(payload([a_set(for_child=False, for_sexual_exploitation=False)],
                                    VERIFIED_RULE), actor=cast.platform_admin, source="NRM")
    assert not made.rule_uncertain and not made.uncertain
    assert made.rule == VERIFIED_RULE["machine"]


@pytest.mark.parametrize("rule,message", [
    ({"machine": {"adult": {"any_of": ["exploitation"]},
                  "child": {"all_of": [{"any_of": ["exploitation"]}]}}},
     "combination_rule.machine.adult needs \"all_of\""),
    ({"machine": {"adult": {"all_of": [{"any_of": ["exploitation"]}]}}},
     "combination_rule.machine.child needs \"all_of\""),
    ({"machine": {**VERIFIED_RULE["machine"], "thresholds": [{"strongest": 2}]}},
     "combination_rule.machine.thresholds[1]: unknown key(s) strongest"),
    ({"machine": {**VERIFIED_RULE["machine"], "thresholds": [{"strong": "two"}]}},
     "counts must be whole numbers"),
    ({"machine": {**VERIFIED_RULE["machine"],
                  "child": {"all_of": [{"any_of": ["exploitation", "transport"]}]}}},
     "combination_rule.machine.child.all_of[1] names dimension(s) the set does not have: "
     "transport"),
    ({"machine": "all of them"}, "combination_rule.machine must be an object"),
    ("strict", "combination_rule must be an object"),
])
def test_a_broken_rule_is_refused_at_import_with_a_message_and_nothing_written(cast, rule,
                                                                               message):
    ensure_default_sets()
    before = IndicatorSet.objects.count()
    with pytest.raises(ValidationError) as exc:
        import_payload(payload([a_set(for_child=False, for_sexual_exploitation=False)], rule),
                       actor=cast.platform_admin)
    assert any(message in m for m in exc.value.message_dict["file"]), exc.value.messages
    assert IndicatorSet.objects.count() == before
    assert not AuditEvent.objects.filter(action="cases.indicator_set.imported").exists()


def test_the_import_screen_shows_the_rule_problem(cast):
    ensure_default_sets()
    before = IndicatorSet.objects.count()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("set.json", payload(
        [a_set(for_child=False, for_sexual_exploitation=False)],
        {"machine": {"adult": {}, "child": {}}}), content_type="application/json")
    response = signed_in(cast.platform_admin).post(reverse("cases:indicator_sets"),
                                                   {"file": upload, "source": "NRM"})
    assert response.status_code == 400
    assert "combination_rule.machine.adult needs" in response.content.decode()
    assert IndicatorSet.objects.count() == before


def test_the_files_own_flags_are_honoured(cast):
    [made] = import_payload(payload([a_set("md_nrm_children", for_child=True,
                                           for_sexual_exploitation=False)], VERIFIED_RULE),
                            actor=cast.platform_admin)
    assert made.for_child and not made.for_sexual_exploitation
    [sexual] = import_payload(payload([a_set("md_nrm_adults_sexual", for_child=False,
                                             for_sexual_exploitation=True)], VERIFIED_RULE),
                              actor=cast.platform_admin)
    assert sexual.for_sexual_exploitation and not sexual.for_child


@pytest.mark.parametrize("code,flags,message", [
    ("adult_labour", {"for_child": True}, "for_child is true, but the code adult_labour is the "
                                          "set for adults"),
    ("child_sexual", {"for_sexual_exploitation": False},
     "for_sexual_exploitation is false, but the code child_sexual is the set for sexual "
     "exploitation"),
    ("md_nrm_children", {}, "give for_child (true or false)"),
    ("md_nrm_children", {"for_child": "yes", "for_sexual_exploitation": False},
     "for_child must be true or false"),
])
def test_contradictory_or_missing_flags_are_refused(cast, code, flags, message):
    ensure_default_sets()
    before = IndicatorSet.objects.count()
    with pytest.raises(ValidationError) as exc:
        import_payload(payload([a_set(code, **flags)], VERIFIED_RULE), actor=cast.platform_admin)
    assert any(message in m for m in exc.value.messages), exc.value.messages
    assert IndicatorSet.objects.count() == before


def test_an_import_is_audited_with_codes_only(cast):
    [made] = import_payload(payload([a_set(for_child=False, for_sexual_exploitation=False)]),
                            actor=cast.platform_admin, source="Ministry regulation 12/2026")
    event = AuditEvent.objects.get(action="cases.indicator_set.imported")
    assert event.actor == cast.platform_admin and event.object_id == str(made.pk)
    assert event.payload == {"code": "md_nrm_adult_labour", "version": 1, "for_child": False,
                             "sexual": False, "uncertain": False, "rule_uncertain": True}
    assert "Ministry" not in json.dumps(event.payload)


def test_the_shipped_file_still_loads_flagged(cast):
    ensure_default_sets()
    sets = {s.code: s for s in IndicatorSet.objects.all()}
    assert set(sets) == {"adult_labour", "adult_sexual", "child_labour", "child_sexual"}
    assert all(s.rule_uncertain for s in sets.values())
    assert sets["child_sexual"].for_child and sets["child_sexual"].for_sexual_exploitation
    assert DEFAULT_FILE.exists()


# --- 3. indicators with source and note, shown back ---------------------------------------------

IND = "adult_labour.deceptive_recruitment.1"
IND2 = "adult_labour.deceptive_recruitment.2"


def test_the_assess_form_has_a_note_per_indicator_and_the_case_page_shows_them(cast, case):
    client = signed_in(cast.caseworker_a)
    form = client.get(reverse("cases:assess", args=[case.pk])).content.decode()
    assert f'name="note_{IND}"' in form and f'name="src_{IND}"' in form
    response = client.post(reverse("cases:assess", args=[case.pk]), {
        "ind": [IND, IND2], f"src_{IND}": "document",
        f"note_{IND}": "Contract in the bag says cleaning", "note": "Interview at the shelter"})
    assert response.status_code == 302
    row = AssessmentIndicator.objects.get(indicator_id=IND)
    assert row.source == "document" and row.note == "Contract in the bag says cleaning"
    assert Assessment.objects.get().note == "Interview at the shelter"

    page = client.get(reverse("cases:detail", args=[case.pk]))
    html = page.content.decode()
    [detail] = page.context["assessment_details"]
    [group] = detail["groups"]
    assert group["id"] == "deceptive_recruitment"
    assert [i["id"] for i in group["indicators"]] == [IND, IND2]
    text = set_for(child=False, sexual=False).indicator(IND)["text"]
    assert text in html and "Contract in the bag says cleaning" in html
    assert "Document" in html and "Interview at the shelter" in html
    assert "Deceptive recruitment (incl. transfer and transport)" in html


def test_the_api_records_and_returns_indicator_and_assessment_notes(cast, case):
    client = api(cast.caseworker_a)
    set_ = set_for(child=False, sexual=False)
    made = client.post(f"/api/v1/cases/{case.pk}/assessments/", {
        "indicator_set": set_.pk, "note": "Second interview",
        "indicators": [{"id": IND, "source": "observation", "note": "Passport kept by boss"},
                       {"id": IND2}]}, format="json")
    assert made.status_code == 201, made.json()
    assert Assessment.objects.get().note == "Second interview"
    assert AssessmentIndicator.objects.get(indicator_id=IND).note == "Passport kept by boss"
    [listed] = client.get(f"/api/v1/cases/{case.pk}/assessments/").json()["results"]
    assert listed["note"] == "Second interview" and listed["not_verified"] is True
    [group] = listed["indicators"]
    assert group["id"] == "deceptive_recruitment"
    first = group["indicators"][0]
    assert first["id"] == IND and first["source"] == "observation"
    assert first["note"] == "Passport kept by boss" and first["strength"] in ("strong", "medium")
    assert listed["why"]["dimensions"][0]["why"].startswith(("positive", "not positive"))
    bad = client.post(f"/api/v1/cases/{case.pk}/assessments/", {
        "indicator_set": set_.pk, "indicators": [{"id": IND, "source": "rumour"}]},
        format="json")
    assert bad.status_code == 400 and "indicators" in bad.json()
    assert Assessment.objects.count() == 1


# --- 4. the "why" and the tags in the reader's language ----------------------------------------

def test_the_why_is_built_when_shown_not_read_from_the_stored_text(cast, case, monkeypatch):
    assessment = assess(case, cast.caseworker_a, ids=[IND, IND2])
    result = assessment.result
    for d in result["dimensions"]:
        d["reason"] = "STORED ENGLISH"
    Assessment.objects.filter(pk=assessment.pk).update(result=result)
    client = signed_in(cast.caseworker_a)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "STORED ENGLISH" not in html
    assert "not positive: 0 strong, 0 medium, 0 weak present" in html

    # A stand-in catalogue: what the reader sees is what gettext returns at display time.
    monkeypatch.setattr(identification, "_", lambda s: "«" + s + "»")
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "«not positive: 0 strong, 0 medium, 0 weak present»" in html


def test_dimension_labels_in_the_why_follow_the_language(cast):
    case = open_case(cast, types=["SexualExploitation"])
    assess(case, cast.caseworker_a, set_=set_for(child=False, sexual=True))
    client = signed_in(cast.caseworker_a)
    client.cookies["django_language"] = "uk"
    html = client.get(reverse("cases:detail", args=[case.pk]),
                      HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    assert "Експлуатація:" in html  # the exploitation dimension, labelled in Ukrainian


def test_older_results_without_stored_thresholds_still_explain(cast):
    old = {"indicates_trafficking": False, "rule_for": "adult",
           "missing": ["coercion_at_destination or abuse_of_vulnerability_at_destination"],
           "dimensions": [{"id": "exploitation", "label": "Exploitation", "strong": 1,
                           "medium": 1, "weak": 0, "positive": True, "reason": "x"}]}
    why = identification.explain(old)
    assert why["dimensions"][0]["why"] == "positive: 1 strong + 1 medium or weak present"
    assert why["missing"] == ["none of these is positive: Coercion at destination, "
                              "Abuse of vulnerability at destination"]


def test_strength_tags_on_the_assess_form_are_labels_not_codes(cast, case, monkeypatch):
    monkeypatch.setitem(identification.STRENGTH_LABELS, "strong", "FORT")
    html = signed_in(cast.caseworker_a).get(
        reverse("cases:assess", args=[case.pk])).content.decode()
    assert '<span class="tag">FORT</span>' in html
    assert '<span class="tag">strong</span>' not in html


def test_validate_set_messages_go_through_translation(monkeypatch):
    monkeypatch.setattr(identification, "_", lambda s: "«" + s + "»")
    problems = identification.validate_set({"id": "x", "dimensions": [
        {"id": "d", "indicators": [{"id": "a", "text": "t", "strength": "huge"}]}]})
    assert problems and all(p.startswith("«") for p in problems)


# --- 5. which set fits which case --------------------------------------------------------------

def sets():
    ensure_default_sets()
    return {s.code: s for s in IndicatorSet.objects.filter(is_active=True)}


@pytest.mark.parametrize("types,code,ok", [
    (["SexualExploitation"], "adult_labour", False),
    (["SexualExploitation"], "adult_sexual", True),
    (["ForcedLabour"], "adult_sexual", False),
    (["ForcedLabour"], "adult_labour", True),
    (["ForcedBegging", "Servitude"], "adult_sexual", False),
    (["ForcedLabour", "SexualExploitation"], "adult_labour", True),
    (["ForcedLabour", "SexualExploitation"], "adult_sexual", True),
    ([], "adult_labour", True),
    ([], "adult_sexual", True),
])
def test_labour_and_sexual_sets_fit_the_case(cast, types, code, ok):
    case = open_case(cast, types=types)
    before = Assessment.objects.count()
    if ok:
        assess(case, cast.caseworker_a, set_=sets()[code])
        assert Assessment.objects.count() == before + 1
    else:
        with pytest.raises(ValidationError) as exc:
            assess(case, cast.caseworker_a, set_=sets()[code])
        assert "indicator_set" in exc.value.message_dict
        assert "exploitation" in exc.value.message_dict["indicator_set"][0]
        assert Assessment.objects.count() == before


def test_the_assess_screen_offers_only_fitting_sets_and_names_the_field(cast):
    case = open_case(cast, types=["SexualExploitation"])
    client = signed_in(cast.caseworker_a)
    page = client.get(reverse("cases:assess", args=[case.pk]))
    assert [s.code for s in page.context["sets"]] == ["adult_sexual"]
    labour = sets()["adult_labour"]
    response = client.post(reverse("cases:assess", args=[case.pk]), {
        "set": labour.pk, "ind": ["adult_labour.deceptive_recruitment.1"]})
    assert response.status_code == 400
    assert "use a set for sexual exploitation" in response.content.decode()
    assert not Assessment.objects.exists()
    assert client.get(reverse("cases:assess", args=[case.pk]) + "?set=abc").status_code == 404


# --- 6. the "not verified" notice really shows ------------------------------------------------

def test_the_notice_shows_for_a_flagged_set_and_not_for_a_verified_one(cast, case):
    client = signed_in(cast.caseworker_a)
    flagged = client.get(reverse("cases:assess", args=[case.pk])).content.decode()
    assert "Not verified against the published source" in flagged
    [verified] = import_payload(payload([a_set(for_child=False, for_sexual_exploitation=False)],
                                        VERIFIED_RULE), actor=cast.platform_admin, source="NRM")
    page = client.get(reverse("cases:assess", args=[case.pk]) + f"?set={verified.pk}")
    assert page.context["indicator_set"] == verified
    assert "Not verified against the published source" not in page.content.decode()
    assess(case, cast.caseworker_a, set_=verified)
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Not verified against the published source" not in detail
    assess(case, cast.caseworker_a)
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert detail.count("Not verified against the published source") == 1


def test_picking_a_set_that_does_not_fit_warns_before_anything_is_ticked(cast):
    case = open_case(cast, types=["SexualExploitation"])
    labour = sets()["adult_labour"]
    page = signed_in(cast.caseworker_a).get(reverse("cases:assess", args=[case.pk])
                                            + f"?set={labour.pk}")
    assert "This set does not fit this case" in page.content.decode()
    fitting = signed_in(cast.caseworker_a).get(reverse("cases:assess", args=[case.pk]))
    assert "This set does not fit this case" not in fitting.content.decode()


def test_set_problems_name_the_set_and_nothing_is_written(cast):
    ensure_default_sets()
    before = IndicatorSet.objects.count()
    good = a_set(for_child=False, for_sexual_exploitation=False)
    bad = a_set("md_nrm_second", for_child=False, for_sexual_exploitation=False,
                label="x" * 201)
    with pytest.raises(ValidationError) as exc:
        import_payload(payload([good, bad], VERIFIED_RULE), actor=cast.platform_admin)
    assert exc.value.message_dict["file"] == [
        "Set md_nrm_second: The label must be text of up to 200 characters."]
    assert IndicatorSet.objects.count() == before  # the good first set was not kept either


def test_no_formal_identification_on_an_anonymous_first_contact(cast):
    contact = services.first_contact_open(org=cast.org_a, actor=cast.caseworker_a,
                                          channel="phone")
    with pytest.raises(ValidationError) as exc:
        services.formal_decision_record(case=contact, actor=cast.caseworker_a,
                                        status="ActualVictimOfTrafficking", decision_org="Police",
                                        decision_body="Police", decided_on=TODAY())
    assert "status" in exc.value.message_dict and Decision.objects.count() == 0
