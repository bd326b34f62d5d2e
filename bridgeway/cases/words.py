"""Case work's words in core's label registry (core.labels): the HTCDS code sets of a case, how
the audit log names a case and what belongs to one (a decision, a task: by the case's reference,
never by personal data), and the sentences of the access log for the case screens."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgeway.cases.codes import (
    CaseStatus,
    CloseReason,
    ContactChannel,
    ControlMethod,
    DecisionOrg,
    EventKind,
    Exploitation,
    ForcedLabourIndustry,
    Gender,
    IdentityDocumentKind,
    IndicatorSource,
    RecruitmentMethod,
    Relationship,
    ServiceOutcome,
    TraffickingStatus,
)
from bridgeway.cases.models import Case, Decision, IndicatorSet
from bridgeway.core.labels import (
    register_codes,
    register_details,
    register_objects,
    register_references,
    register_sentences,
    register_views,
)

for kind, choices in {
    "cases.status": CaseStatus, "cases.close_reason": CloseReason,
    "cases.contact_channel": ContactChannel, "cases.control_method": ControlMethod,
    "cases.decision_org": DecisionOrg, "cases.event_kind": EventKind,
    "cases.exploitation": Exploitation, "cases.forced_labour_industry": ForcedLabourIndustry,
    "cases.gender": Gender, "cases.identity_document": IdentityDocumentKind,
    "cases.indicator_source": IndicatorSource, "cases.recruitment_method": RecruitmentMethod,
    "cases.relationship": Relationship, "cases.service_outcome": ServiceOutcome,
    "cases.trafficking_status": TraffickingStatus, "cases.decision_state": Decision.State,
}.items():
    register_codes(kind, choices)


def _indicator_set_label(code: str) -> str | None:
    return IndicatorSet.objects.filter(code=code).values_list("label", flat=True).first()


register_codes("cases.indicator_set", _indicator_set_label)


_field_labels: dict[tuple[str, str], str] = {}


def _field_label(name: str) -> str | None:
    """A field of a case or of its person by its translated name (a correction of the person's
    details names the person's fields); a field of a later version as its words. Kept per
    language: the case page asks for eight of them, each building every person label."""
    from django.utils.translation import get_language

    key = (get_language() or "", name)
    found = _field_labels.get(key)
    if found is None:
        found = _field_labels[key] = _field_label_of(name)
    return found


def _field_label_of(name: str) -> str:
    from django.core.exceptions import FieldDoesNotExist
    from django.utils.text import capfirst

    from bridgeway.cases.changes import person_labels

    person = person_labels()
    if name in person:
        return str(person[name])
    try:
        return str(capfirst(getattr(Case._meta.get_field(name), "verbose_name", name)))
    except FieldDoesNotExist:
        return name.replace("_", " ").capitalize()


register_codes("cases.field", _field_label)


def _cases(ids: list[str]) -> dict[str, tuple[str, str]]:
    return {str(pk): (str(_("case %(reference)s") % {"reference": ref}),
                      reverse("cases:detail", args=[pk]))
            for pk, ref in Case.objects.filter(pk__in=_uuids(ids)).values_list("pk", "reference")}


def _parts_of_cases(model_label: str):
    """A decision, a task, a note... of a case reads as the case it belongs to."""
    from django.apps import apps

    model = apps.get_model(model_label)

    def describe(ids: list[str]) -> dict[str, tuple[str, str]]:
        rows = model._default_manager.filter(pk__in=_ids(model, ids)).values_list(
            "pk", "case_id", "case__reference")
        return {str(pk): (str(_("case %(reference)s") % {"reference": ref}),
                          reverse("cases:detail", args=[case_id])) for pk, case_id, ref in rows}
    return describe


def _ids(model, ids: list[str]) -> list:
    return _uuids(ids) if model._meta.pk.get_internal_type() == "UUIDField" else \
        [i for i in ids if i.isdigit()]


def _uuids(ids: list[str]) -> list[str]:
    import uuid

    good = []
    for value in ids:
        try:
            good.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return good


register_objects("cases.case", _cases)
for _label in ("cases.decision", "cases.casetask", "cases.casenote", "cases.assessment",
               "cases.planobjective", "cases.servicedelivery", "cases.traffickingevent",
               "cases.person", "cases.perpetrator"):
    register_objects(_label, _parts_of_cases(_label))

register_details({
    "child": (_("Child"), "bool"),
    "reason": (_("Reason"), "cases.close_reason"),
    "outcome": (_("Outcome"), "cases.service_outcome"),
    "set": (_("Indicator set"), "cases.indicator_set"),
    "version": (_("Version"), "plain"),
    "indicates": (_("Indicators point to trafficking"), "bool"),
    "state": (_("State"), "cases.decision_state"),
    "decision_org": (_("Decided by"), "cases.decision_org"),
    "channel": (_("Channel"), "cases.contact_channel"),
    "kind": (_("Kind"), "cases.event_kind"),
    "relationship": (_("Relationship"), "cases.relationship"),
    "case": (_("Case"), "cases.case"),
    "cases": (_("Cases"), "cases.case"),
})
for action in ("cases.case.status_changed",):
    register_details({"from": (_("From"), "cases.status"), "to": (_("To"), "cases.status")},
                     action=action)
register_details({"from": (_("From"), "orgs.organisation"), "to": (_("To"), "orgs.organisation")},
                 action="cases.case.transferred")
for action in ("cases.decision.recorded", "cases.decision.formal_recorded"):
    register_details({"status": (_("Decision"), "cases.trafficking_status")}, action=action)
for action in ("cases.case.updated", "cases.person.corrected"):
    register_details({"fields": (_("Fields changed"), "cases.field")}, action=action)
register_details({"count": (_("Indicators recorded"), "plain")},
                 action="cases.assessment.recorded")

register_sentences({
    "cases.case.opened": _("%(who)s opened %(subject)s"),
    "cases.case.merged": _("%(who)s merged a duplicate case into %(subject)s"),
    "cases.case.status_changed": _("%(who)s changed the status of %(subject)s"),
    "cases.case.transferred": _("%(who)s transferred %(subject)s"),
    "cases.decision.recorded": _("%(who)s recorded an identification decision on %(subject)s"),
})

register_views({
    "cases:list": _("%(who)s opened the case list"),
    "cases:detail": _("%(who)s opened a case"),
    "cases:edit": _("%(who)s opened a case to edit it"),
    "cases:person_edit": _("%(who)s opened a person's details to correct them"),
    "cases:work": _("%(who)s opened a case's work page"),
    "cases:timeline": _("%(who)s opened a case's history"),
    "cases:my_tasks": _("%(who)s opened their tasks"),
    "cases:approvals": _("%(who)s opened the decisions waiting for approval"),
    "cases:intake": _("%(who)s opened a new case"),
    "cases:assess": _("%(who)s recorded an identification assessment"),
    "cases:decide": _("%(who)s recorded an identification decision"),
})


@register_references
def _case_reference(text: str) -> list[tuple[str, str]]:
    found = []
    for pk, subject in Case.objects.filter(reference__iexact=text).values_list("pk", "subject_id"):
        found.append(("cases.case", str(pk)))
        if subject:
            found.append(("protection.datasubject", str(subject)))
    return found

register_sentences({
    "cases.assessment.recorded": _("%(who)s recorded an identification assessment on %(subject)s"),
    "cases.case.assigned": _("%(who)s assigned caseworkers to %(subject)s"),
    "cases.case.opened_linked": _("%(who)s opened %(subject)s from a referral"),
    "cases.case.updated": _("%(who)s edited the context of %(subject)s"),
    "cases.decision.approved": _("%(who)s approved the identification decision on %(subject)s"),
    "cases.decision.formal_recorded":
        _("%(who)s recorded a state body's formal identification on %(subject)s"),
    "cases.decision.rejected": _("%(who)s rejected the identification decision on %(subject)s"),
    "cases.event.added": _("%(who)s added a trafficking event to %(subject)s"),
    "cases.first_contact.converted": _("%(who)s turned the first contact %(subject)s into a full case"),
    "cases.first_contact.opened": _("%(who)s recorded an anonymous first contact %(subject)s"),
    "cases.indicator_set.imported": _("%(who)s imported an indicator set"),
    "cases.intake.unnamed_match": _("%(who)s registered a person who matched persons they cannot see"),
    "cases.note.added": _("%(who)s added a note to %(subject)s"),
    "cases.perpetrator.added": _("%(who)s added perpetrator context to %(subject)s"),
    "cases.person.corrected": _("%(who)s corrected the person's details in %(subject)s"),
    "cases.plan_objective.added": _("%(who)s added a support plan objective to %(subject)s"),
    "cases.plan_objective.done": _("%(who)s marked a support plan objective of %(subject)s as reached"),
    "cases.service.recorded": _("%(who)s recorded a service in %(subject)s"),
    "cases.settings.changed": _("%(who)s changed the case settings"),
    "cases.task.added": _("%(who)s added a task to %(subject)s"),
    "cases.task.done": _("%(who)s marked a task of %(subject)s as done"),
})
