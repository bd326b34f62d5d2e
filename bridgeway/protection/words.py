"""Personal-data protection's words in core's label registry (core.labels): consent purposes and
methods, erasure, audit action codes (their labels live in protection.registry, registered by
each app's audit_codes.py), how the audit log names a person (their reference, never a name),
and the access log's sentences for the protection screens."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgeway.core.labels import (
    register_codes,
    register_details,
    register_objects,
    register_references,
    register_sentences,
    register_views,
)
from bridgeway.protection.models import (
    Consent,
    ConsentMethod,
    ConsentPurpose,
    DataSubject,
    EncryptedDocument,
    ErasureRequest,
)
from bridgeway.protection.registry import audit_code_label

register_codes("audit", lambda code: audit_code_label(code, "") or None)
register_codes("protection.consent_purpose", ConsentPurpose)
register_codes("protection.consent_method", ConsentMethod)
register_codes("protection.erasure_status", ErasureRequest.Status)
register_codes("protection.erasure_reason", ErasureRequest.Reason)
register_codes("protection.access_via", {
    "ui": _("on screen"), "api": _("through the API"), "export": _("in an export"),
    "download": _("as a download"),
})
register_codes("protection.access_flag", {
    "outside_organisation": _("outside own organisation"),
    "many_subjects": _("many people in a short time"),
})


def _uuids(ids: list[str]) -> list[str]:
    import uuid

    good = []
    for value in ids:
        try:
            good.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return good


def _subjects(ids: list[str]) -> dict[str, tuple[str, str]]:
    return {str(pk): (str(_("person %(reference)s") % {"reference": ref}),
                      reverse("protection:subject", args=[pk]))
            for pk, ref in DataSubject.objects.filter(pk__in=_uuids(ids))
            .values_list("pk", "reference")}


def _of_subject(model):
    def describe(ids: list[str]) -> dict[str, tuple[str, str]]:
        rows = model._default_manager.filter(pk__in=_ids(model, ids)).values_list(
            "pk", "subject_id", "subject__reference")
        return {str(pk): (str(_("person %(reference)s") % {"reference": ref}),
                          reverse("protection:subject", args=[subject])) for pk, subject, ref in rows}
    return describe


def _ids(model, ids: list[str]) -> list:
    return _uuids(ids) if model._meta.pk.get_internal_type() == "UUIDField" else \
        [i for i in ids if i.isdigit()]


register_objects("protection.datasubject", _subjects)
for _model in (Consent, EncryptedDocument, ErasureRequest):
    register_objects(_model._meta.label_lower, _of_subject(_model))

register_details({
    "purpose": (_("Purpose"), "protection.consent_purpose"),
    "method": (_("Method"), "protection.consent_method"),
    "subjects": (_("Persons"), "protection.datasubject"),
    "hold": (_("Legal hold"), "bool"),
    "personal": (_("With personal data"), "bool"),
})

register_sentences({
    "protection.subject.created": _("%(who)s registered %(subject)s"),
    "protection.consent.recorded": _("%(who)s recorded consent of %(subject)s"),
    "protection.consent.withdrawn": _("%(who)s recorded that %(subject)s withdrew consent"),
    "protection.subject.exported": _("%(who)s exported the data of %(subject)s"),
    "protection.audit_log.exported": _("%(who)s exported the audit log"),
    "protection.access_log.exported": _("%(who)s exported the access log"),
    "protection.access.reviewed": _("%(who)s reviewed the unusual access"),
})

register_views({
    "protection:subjects": _("%(who)s opened the list of persons assisted"),
    "protection:subject": _("%(who)s opened a person's record"),
    "protection:document_download": _("%(who)s downloaded a person's document"),
    "protection:subject_export": _("%(who)s exported a person's data"),
    "protection:retention": _("%(who)s opened the retention page"),
})


@register_references
def _subject_reference(text: str) -> list[tuple[str, str]]:
    return [("protection.datasubject", str(pk)) for pk in
            DataSubject.objects.filter(reference__iexact=text).values_list("pk", flat=True)]

register_sentences({
    "protection.blind_index.rebuilt": _("%(who)s rebuilt the search indexes"),
    "protection.document.uploaded": _("%(who)s uploaded a document of %(subject)s"),
    "protection.erasure.approved": _("%(who)s approved the erasure of %(subject)s"),
    "protection.erasure.rejected": _("%(who)s rejected the erasure of %(subject)s"),
    "protection.erasure.requested": _("%(who)s requested the erasure of %(subject)s"),
    "protection.keys.organisation_key_set": _("%(who)s set the organisation's encryption key"),
    "protection.keys.rewrapped": _("%(who)s re-wrapped the data keys"),
    "protection.retention_policy.set": _("%(who)s set the retention policy"),
    "protection.subject.erased": _("%(who)s erased the data of %(subject)s"),
    "protection.subject.legal_hold_set": _("%(who)s set a legal hold on %(subject)s"),
    "protection.subject.moved": _("%(who)s moved %(subject)s to another organisation"),
    "protection.subject.retention_anchor_set": _("%(who)s set the retention start date of %(subject)s"),
})
