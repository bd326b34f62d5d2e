"""Writes for case work, one module per sub-domain. Each validates first (messages name the
field), writes in one transaction and records an audit event with codes only. Callers keep
writing `from bridgeway.cases import services` and `services.case_open(...)`."""

from bridgeway.cases.services.common import CHILD_AGE, age_on, case_locked, contact_errors, date_errors
from bridgeway.cases.services.decisions import (
    IndicatorEntry,
    assessment_record,
    decision_approve,
    decision_org_for,
    decision_record,
    formal_decision_record,
    set_fits_exploitation,
)
from bridgeway.cases.services.editing import (
    CONTEXT_FIELDS,
    CONTEXT_LIST_FIELDS,
    EditConflict,
    case_assign,
    case_set_status,
    case_update,
)
from bridgeway.cases.services.events import event_add, perpetrator_add
from bridgeway.cases.services.intake import (
    PersonData,
    case_open,
    first_contact_convert,
    first_contact_open,
)
from bridgeway.cases.services.merge import case_merge
from bridgeway.cases.services.person import PERSON_FIELDS, PersonCorrection, person_renormalise, person_update
from bridgeway.cases.services.plan import (
    note_add,
    objective_add,
    objective_done,
    service_add,
    task_add,
    task_done,
)
from bridgeway.cases.services.settings import case_settings_set
from bridgeway.cases.services.transfer import case_open_linked, case_transfer

__all__ = [
    "CHILD_AGE",
    "CONTEXT_FIELDS",
    "CONTEXT_LIST_FIELDS",
    "EditConflict",
    "IndicatorEntry",
    "PERSON_FIELDS",
    "PersonCorrection",
    "PersonData",
    "age_on",
    "assessment_record",
    "case_assign",
    "case_locked",
    "case_merge",
    "case_open",
    "case_open_linked",
    "case_set_status",
    "case_settings_set",
    "case_transfer",
    "case_update",
    "contact_errors",
    "date_errors",
    "decision_approve",
    "decision_org_for",
    "decision_record",
    "event_add",
    "first_contact_convert",
    "first_contact_open",
    "formal_decision_record",
    "note_add",
    "objective_add",
    "objective_done",
    "perpetrator_add",
    "person_renormalise",
    "person_update",
    "service_add",
    "set_fits_exploitation",
    "task_add",
    "task_done",
]
