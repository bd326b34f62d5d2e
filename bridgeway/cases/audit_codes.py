"""The audit codes cases writes, each with the label people read (one line per code).

A new `audit_record(action="cases.thing.done", ...)` needs its line here: the tests fail on a code
used but not registered. See docs/architecture.md ("Audit codes")."""

from django.utils.translation import gettext_lazy as _

from bridgeway.protection.registry import register_audit_codes

AUDIT_CODES = register_audit_codes({
    "cases.case.opened": _("Case opened"),
    "cases.case.opened_linked": _("Case opened from a referral"),
    "cases.case.status_changed": _("Status changed"),
    "cases.case.updated": _("Context edited"),
    "cases.case.assigned": _("Caseworkers assigned"),
    "cases.person.corrected": _("Person's details corrected"),
    "cases.case.merged": _("Duplicate case merged into another case"),
    "cases.case.transferred": _("Case transferred to another organisation"),
    "cases.first_contact.opened": _("Anonymous first contact recorded"),
    "cases.first_contact.converted": _("First contact turned into a full case"),
    "cases.note.added": _("Note added"),
    "cases.service.recorded": _("Service recorded"),
    "cases.assessment.recorded": _("Identification assessment recorded"),
    "cases.decision.recorded": _("Identification decision recorded"),
    "cases.decision.formal_recorded": _("Formal identification by a state body recorded"),
    "cases.decision.approved": _("Decision approved"),
    "cases.decision.rejected": _("Decision rejected"),
    "cases.plan_objective.added": _("Support plan objective added"),
    "cases.plan_objective.done": _("Support plan objective reached"),
    "cases.task.added": _("Task added"),
    "cases.task.done": _("Task done"),
    "cases.event.added": _("Trafficking event added"),
    "cases.perpetrator.added": _("Perpetrator context added"),
    "cases.intake.unnamed_match": _("Intake matched persons the caseworker cannot see (a count)"),
    "cases.indicator_set.imported": _("Indicator set imported"),
    "cases.settings.changed": _("Case settings changed"),
})
