"""The demo member survey: funding, operations and civic space, modelled on the questions the
sector's surveys ask (share of state funding, need for additional funding, ability to stay
operational, restrictions experienced). Written as an XLSForm from the rows below at seed time,
uploaded and answered through the services like a real one."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from bridgeway.orgs.models import Organisation
from bridgeway.surveys import services
from bridgeway.surveys.codes import SurveyStatus
from bridgeway.surveys.models import Survey
from bridgeway.surveys.xlsbuild import build_xlsform

if TYPE_CHECKING:
    from bridgeway.accounts.models import User

EN, RO = "label::English (en)", "label::Română (ro)"


def _q(type_: str, name: str, en: str, ro: str, **kw: Any) -> dict[str, Any]:
    return {"type": type_, "name": name, EN: en, RO: ro, **kw}


SURVEY = [
    _q("note", "intro", "This survey helps the network show funders and governments what member "
       "organisations need. Answer for your organisation as a whole.",
       "Acest chestionar ajută rețeaua să arate finanțatorilor și guvernelor de ce au nevoie "
       "organizațiile membre. Răspundeți pentru organizație în ansamblu."),
    {"type": "begin_group", "name": "funding", EN: "Funding", RO: "Finanțare",
     "appearance": "field-list"},
    _q("decimal", "budget_eur", "Total budget last year (EUR)",
       "Bugetul total de anul trecut (EUR)", constraint=". >= 0",
       **{"constraint_message::English (en)": "The budget cannot be negative",
          "constraint_message::Română (ro)": "Bugetul nu poate fi negativ"}),
    _q("integer", "share_state", "Share of the budget from government sources (%)",
       "Ponderea bugetului din surse guvernamentale (%)", required="yes",
       constraint=". >= 0 and . <= 100",
       **{"constraint_message::English (en)": "Enter a percentage from 0 to 100",
          "constraint_message::Română (ro)": "Introduceți un procent între 0 și 100"}),
    _q("select_multiple funder", "funders", "Which kinds of funders supported you last year?",
       "Ce tipuri de finanțatori v-au susținut anul trecut?"),
    {"type": "end_group"},
    {"type": "begin_group", "name": "operations", EN: "Operations", RO: "Activitate"},
    _q("select_one yn", "need_more", "Do you need additional funding to keep your services "
       "running?", "Aveți nevoie de finanțare suplimentară pentru a vă menține serviciile?",
       required="yes"),
    _q("select_one operational", "operational", "Without additional funding, could you stay "
       "fully operational for the next 12 months?", "Fără finanțare suplimentară, ați putea "
       "funcționa pe deplin în următoarele 12 luni?", required="yes"),
    _q("integer", "months_runway", "For how many months could you keep going?",
       "Câte luni ați putea continua?", relevant="${operational} != 'fully'",
       constraint=". >= 0 and . <= 60"),
    _q("integer", "staff_paid", "Paid staff", "Personal angajat", constraint=". >= 0"),
    _q("integer", "volunteers", "Volunteers", "Voluntari", constraint=". >= 0"),
    {"type": "end_group"},
    {"type": "begin_repeat", "name": "programme", EN: "Programme", RO: "Program"},
    _q("select_one service", "service", "Service", "Serviciu", required="yes"),
    _q("integer", "people_assisted", "People assisted last year",
       "Persoane asistate anul trecut", constraint=". >= 0"),
    _q("select_one yn", "at_risk", "Is this programme at risk of closing?",
       "Este acest program în pericol de a se închide?"),
    {"type": "end_repeat"},
    {"type": "begin_group", "name": "civic", EN: "Civic space", RO: "Spațiul civic"},
    _q("select_multiple restriction", "restrictions", "Which restrictions did you experience "
       "in the last 12 months?", "Ce restricții ați întâmpinat în ultimele 12 luni?",
       constraint="not(selected(., 'none') and count-selected(.) > 1)",
       **{"constraint_message::English (en)": "“None” cannot be chosen with a restriction",
          "constraint_message::Română (ro)": "„Niciuna” nu poate fi aleasă împreună cu o "
          "restricție"}),
    _q("text", "restriction_details", "Describe the most serious one",
       "Descrieți-o pe cea mai gravă",
       relevant="count-selected(${restrictions}) > 0 and not(selected(${restrictions}, 'none'))",
       appearance="multiline"),
    _q("select_one yn", "consulted", "Were you invited to comment on the national action plan?",
       "Ați fost invitați să comentați planul național de acțiune?"),
    {"type": "end_group"},
    _q("calculate", "state_dependent", "", "",
       calculation="if(${share_state} >= 50, 'yes', 'no')"),
]


def _c(list_name: str, name: str, en: str, ro: str) -> dict[str, Any]:
    return {"list_name": list_name, "name": name, EN: en, RO: ro}


CHOICES = [
    _c("yn", "yes", "Yes", "Da"), _c("yn", "no", "No", "Nu"),
    _c("operational", "fully", "Yes, fully", "Da, pe deplin"),
    _c("operational", "partly", "Only partly", "Doar parțial"),
    _c("operational", "no", "No", "Nu"),
    _c("funder", "national_government", "National government", "Guvern național"),
    _c("funder", "local_government", "Local government", "Autorități locale"),
    _c("funder", "eu", "European Union", "Uniunea Europeană"),
    _c("funder", "foreign_government", "Foreign government", "Guvern străin"),
    _c("funder", "international_organisation", "International organisation",
       "Organizație internațională"),
    _c("funder", "private_foundation", "Private foundation", "Fundație privată"),
    _c("funder", "corporate", "Companies", "Companii"),
    _c("funder", "individual", "Individual donors", "Donatori individuali"),
    _c("service", "shelter", "Shelter", "Adăpost"),
    _c("service", "legal", "Legal aid", "Asistență juridică"),
    _c("service", "psychological", "Psychological support", "Sprijin psihologic"),
    _c("service", "helpline", "Helpline", "Linie fierbinte"),
    _c("service", "reintegration", "Reintegration", "Reintegrare"),
    _c("restriction", "registration", "Burdensome registration", "Înregistrare împovărătoare"),
    _c("restriction", "foreign_funding", "Foreign-funding restrictions",
       "Restricții la finanțarea străină"),
    _c("restriction", "consultation_exclusion", "Excluded from consultations",
       "Excluși din consultări"),
    _c("restriction", "referral_exclusion", "Excluded from identification or referral",
       "Excluși din identificare sau referire"),
    _c("restriction", "vilification", "Vilification in the media or by officials",
       "Denigrare în presă sau de către oficiali"),
    _c("restriction", "facility_access", "Denied access to facilities",
       "Acces refuzat în instituții"),
    _c("restriction", "none", "No restriction", "Nicio restricție"),
]
SETTINGS = {"form_title": "Member survey: funding, operations and civic space",
            "form_id": "member_survey_2026", "version": "2026-1",
            "default_language": "English (en)"}

# org key -> answers (realistic, invented for the demo).
ANSWERS: dict[str, dict[str, Any]] = {
    "lumina": {"budget_eur": "412000", "share_state": "22",
               "funders": ["national_government", "eu", "foreign_government",
                           "private_foundation"],
               "need_more": "yes", "operational": "partly", "months_runway": "7",
               "staff_paid": "18", "volunteers": "12",
               "programme": [{"service": "psychological", "people_assisted": "140",
                              "at_risk": "no"},
                             {"service": "legal", "people_assisted": "85", "at_risk": "yes"},
                             {"service": "helpline", "people_assisted": "960", "at_risk": "yes"}],
               "restrictions": ["foreign_funding", "consultation_exclusion"],
               "restriction_details": "A draft law would label organisations receiving foreign "
               "grants as foreign agents.", "consulted": "no"},
    "pascupas": {"budget_eur": "138000", "share_state": "41",
                 "funders": ["local_government", "eu", "corporate"], "need_more": "yes",
                 "operational": "no", "months_runway": "4", "staff_paid": "7", "volunteers": "20",
                 "programme": [{"service": "reintegration", "people_assisted": "62",
                                "at_risk": "yes"}],
                 "restrictions": ["registration"],
                 "restriction_details": "The yearly re-registration of social services took "
                 "five months.", "consulted": "yes"},
    "openroads": {"budget_eur": "96000", "share_state": "0",
                  "funders": ["foreign_government", "international_organisation", "individual"],
                  "need_more": "yes", "operational": "partly", "months_runway": "9",
                  "staff_paid": "5", "volunteers": "3",
                  "programme": [{"service": "legal", "people_assisted": "74", "at_risk": "no"}],
                  "restrictions": ["referral_exclusion", "vilification"],
                  "restriction_details": "Excluded from the identification commission after "
                  "criticising the police.", "consulted": "no"},
    "harbour": {"budget_eur": "530000", "share_state": "64",
                "funders": ["national_government", "local_government", "private_foundation"],
                "need_more": "no", "operational": "fully", "staff_paid": "26",
                "volunteers": "8",
                "programme": [{"service": "shelter", "people_assisted": "48", "at_risk": "no"},
                              {"service": "psychological", "people_assisted": "51",
                               "at_risk": "no"}],
                "restrictions": ["none"], "consulted": "yes"},
}


def xlsform_bytes() -> bytes:
    return build_xlsform(SURVEY, CHOICES, SETTINGS)


def already_seeded(network: Organisation) -> bool:
    return Survey.objects.filter(network=network).exists()


def seed(*, network: Organisation, coordinator: User, orgs: dict[str, Organisation],
         respondents: dict[str, User]) -> Survey:
    """The survey, opened, answered by every member organisation in `respondents`. The demo
    network has four members, so the threshold is set to 2 (a real survey keeps 5 or more)."""
    survey = services.survey_create(
        network=network, actor=coordinator, title="Member survey 2026: funding, operations and "
        "civic space", description="The network's yearly survey of its members.",
        xlsform=xlsform_bytes(), filename="member_survey_2026.xlsx", threshold=2,
        deadline=timezone.now() + timedelta(days=21))
    services.survey_set_status(survey=survey, actor=coordinator, status=SurveyStatus.OPEN)
    for key, answers in ANSWERS.items():
        if key in respondents:
            services.submission_save(survey=survey, actor=respondents[key],
                                     organisation=orgs[key], answers=answers, submit=True,
                                     language="English (en)")
    return survey
