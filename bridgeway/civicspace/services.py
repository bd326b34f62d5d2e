"""Writes for the civic-space monitor. Each validates first (messages name the field), writes in
one transaction, keeps a version of the incident and records an audit event with codes only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from bridgeway.civicspace import queries
from bridgeway.civicspace.codes import (
    SEEDED_TYPES,
    Actor,
    Answer,
    Civicus,
    ConsultationKind,
    ConsultationStage,
    Family,
    Feedback,
    Method,
    Severity,
    Status,
    Trend,
    Visibility,
)
from bridgeway.civicspace.models import (
    AffectedOrganisation,
    Consultation,
    CountryAssessment,
    Incident,
    IncidentDocument,
    IncidentVersion,
    Participation,
    RestrictionType,
    Source,
)
from bridgeway.core.shortcuts import apply_changes
from bridgeway.orgs.codes import is_country
from bridgeway.orgs.models import Organisation
from bridgeway.orgs.queries import active_memberships, may_manage_network
from bridgeway.protection.audit import audit_record

if TYPE_CHECKING:
    from bridgeway.accounts.models import User

TRACKED = ["title", "started_on", "ended_on", "country", "region", "actors", "types",
           "description", "severity", "visibility", "status", "affected", "sources"]


@dataclass
class Affected:
    organisation_id: int | None = None
    description: str = ""
    anonymous: bool = True


@dataclass
class SourceData:
    url: str = ""
    title: str = ""
    is_public: bool = False


@dataclass
class IncidentData:
    title: str
    started_on: date | None
    country: str
    description: str
    actors: list[str]
    type_ids: list[int]
    ended_on: date | None = None
    region: str = ""
    severity: int = Severity.MEDIUM
    visibility: str = Visibility.NETWORK
    affected: list[Affected] = field(default_factory=list)
    sources: list[SourceData] = field(default_factory=list)
    language: str = ""  # of the title and description; "" when not said


def _check_dates(errors: dict, start: date | None, end: date | None, *, start_field: str = "started_on",
                 end_field: str = "ended_on") -> None:
    today = timezone.localdate()
    if start is None:
        errors[start_field] = [_("Enter the date.")]
    elif start > today:
        errors[start_field] = [_("The date is in the future.")]
    if end is not None:
        if end > today and end_field == "ended_on":
            errors[end_field] = [_("The end date is in the future.")]
        elif start is not None and end < start:
            errors[end_field] = [_("The end is before the start.")]


def _validate(data: IncidentData, network: Organisation, keep_types: Iterable[int] = ()) -> None:
    errors: dict[str, list[str]] = {}
    if not (data.title or "").strip():
        errors["title"] = [_("Give the incident a short title.")]
    if not (data.description or "").strip():
        errors["description"] = [_("Describe what happened.")]
    if data.language and data.language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Unknown language %(code)s: choose one of the interface "
                                "languages, or leave it empty.") % {"code": data.language}]
    _check_dates(errors, data.started_on, data.ended_on)
    if not is_country(data.country or ""):
        errors["country"] = [_("Unknown country %(code)s: use an ISO 3166 code such as MD or RO.")
                             % {"code": data.country or "—"}]
    if not data.actors:
        errors["actors"] = [_("Choose at least one actor.")]
    elif set(data.actors) - set(Actor.values):
        errors["actors"] = [_("Unknown actor: %(codes)s.")
                            % {"codes": ", ".join(sorted(set(data.actors) - set(Actor.values)))}]
    # A type the network deactivated stays allowed on incidents that already carry it.
    allowed = set(queries.types_for_network(network.pk).values_list("pk", flat=True)) | set(
        keep_types)
    if not data.type_ids:
        errors["types"] = [_("Choose at least one restriction type.")]
    elif set(data.type_ids) - allowed:
        errors["types"] = [_("Unknown restriction type.")]
    if data.severity not in Severity.values:
        errors["severity"] = [_("Unknown severity.")]
    if data.visibility not in Visibility.values:
        errors["visibility"] = [_("Unknown visibility.")]
    for a in data.affected:
        if a.organisation_id is None and not a.description.strip():
            errors["affected"] = [_("Name an organisation or describe it.")]
        elif a.organisation_id and not Organisation.objects.filter(pk=a.organisation_id).exists():
            errors["affected"] = [_("Unknown organisation.")]
    validate_url = URLValidator(schemes=["http", "https"])
    for s in data.sources:
        if not s.url:
            errors["sources"] = [_("Each source needs a link.")]
            continue
        try:
            validate_url(s.url)
        except ValidationError:
            errors["sources"] = [_("Enter a valid link (http or https): %(url)s") % {"url": s.url}]
    if errors:
        raise ValidationError(errors)


def snapshot(incident: Incident) -> dict:
    return {
        "title": incident.title, "started_on": incident.started_on.isoformat(),
        "ended_on": incident.ended_on.isoformat() if incident.ended_on else None,
        "country": incident.country, "region": incident.region,
        "actors": sorted(incident.actors), "types": sorted(t.code for t in incident.types.all()),
        "description": incident.description, "severity": incident.severity,
        "visibility": incident.visibility, "status": incident.status,
        "affected": [[a.organisation_id, a.description, a.anonymous]
                     for a in incident.affected.all()],
        "sources": [[s.url, s.title, s.is_public] for s in incident.sources.all()],
    }


def _version(incident: Incident, actor: User, action: str, before: dict | None) -> list[str]:
    after = snapshot(incident)
    changed = [k for k in TRACKED if before is None or before.get(k) != after.get(k)]
    number = (incident.versions.order_by("-number").values_list("number", flat=True).first()
              or 0) + 1
    IncidentVersion.objects.create(incident=incident, number=number, action=action,
                                   changed_by=actor, changed_fields=changed, snapshot=after)
    return changed


def _write_children(incident: Incident, data: IncidentData, actor: User) -> None:
    incident.types.set(data.type_ids)
    incident.affected.all().delete()
    for a in data.affected:
        AffectedOrganisation.objects.create(incident=incident, organisation_id=a.organisation_id,
                                            description=a.description.strip(),
                                            anonymous=a.anonymous)
    incident.sources.filter(document__isnull=True).delete()
    for s in data.sources:
        Source.objects.create(incident=incident, url=s.url, title=s.title.strip(),
                              is_public=s.is_public, added_by=actor)


@transaction.atomic
def incident_report(*, actor: User, reporting_org: Organisation, network: Organisation,
                    data: IncidentData) -> Incident:
    if reporting_org.pk not in {o.pk for o in queries.member_orgs(actor)}:
        raise PermissionDenied(_("Only people of a member organisation of a network can report."))
    if not queries.networks_for_reporting(reporting_org).filter(pk=network.pk).exists():
        raise ValidationError({"network": [_("Your organisation is not a member of this network.")]})
    _validate(data, network)
    incident = Incident.objects.create(
        network=network, reporting_org=reporting_org, reported_by=actor, title=data.title.strip(),
        started_on=data.started_on, ended_on=data.ended_on, country=data.country,
        region=data.region.strip(), actors=sorted(set(data.actors)),
        description=data.description.strip(), severity=data.severity,
        visibility=data.visibility, language=data.language)
    _write_children(incident, data, actor)
    _version(incident, actor, "reported", None)
    audit_record(action="civicspace.incident.reported", actor=actor, organisation=reporting_org,
                 obj=incident, payload={"network": network.pk, "country": incident.country,
                                        "visibility": incident.visibility})
    return incident


@transaction.atomic
def incident_edit(*, incident: Incident, actor: User, data: IncidentData) -> Incident:
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if not queries.may_edit(actor, incident):
        raise PermissionDenied(_("You cannot edit this incident now."))
    _validate(data, incident.network, keep_types=incident.types.values_list("pk", flat=True))
    before = snapshot(incident)
    for name in ["title", "started_on", "ended_on", "country", "region", "description",
                 "severity", "visibility", "language"]:
        value = getattr(data, name)
        setattr(incident, name, value.strip() if isinstance(value, str) else value)
    incident.actors = sorted(set(data.actors))
    if incident.status == Status.PUBLISHED and incident.visibility == Visibility.ORGANISATION:
        raise ValidationError({"visibility": [_("A published incident must be visible to the "
                                                "network or the public.")]})
    incident.version += 1
    incident.save()
    _write_children(incident, data, actor)
    changed = _version(incident, actor, "edited", before)
    audit_record(action="civicspace.incident.edited", actor=actor, organisation=incident.network,
                 obj=incident, payload={"fields": changed})
    return incident


ALLOWED = {
    Status.UNDER_REVIEW: {Status.REPORTED},
    Status.VERIFIED: {Status.REPORTED, Status.UNDER_REVIEW},
    Status.PUBLISHED: {Status.VERIFIED},
    Status.REJECTED: {Status.REPORTED, Status.UNDER_REVIEW, Status.VERIFIED},
}
_ACTIONS = {Status.UNDER_REVIEW: "review_started", Status.VERIFIED: "verified",
            Status.PUBLISHED: "published", Status.REJECTED: "rejected"}


@transaction.atomic
def incident_transition(*, incident: Incident, actor: User, to: str, reason: str = "") -> Incident:
    """reported → under review → verified → published, or rejected; only the coordinators and
    administrators of the incident's own network."""
    incident = Incident.objects.select_for_update().select_related("network").get(pk=incident.pk)
    if not may_manage_network(actor, incident.network):
        raise PermissionDenied(_("Only the coordinators of this incident's network can review, "
                                 "verify, publish or reject it."))
    if to not in ALLOWED:
        raise ValidationError({"status": [_("Unknown status.")]})
    if incident.status not in ALLOWED[to]:
        if to == Status.PUBLISHED:
            raise ValidationError({"status": [_("Verify the incident before publishing it.")]})
        raise ValidationError({"status": [_("An incident that is %(now)s cannot become %(to)s.")
                                          % {"now": incident.get_status_display(),
                                             "to": Status(to).label}]})
    if to in (Status.VERIFIED, Status.PUBLISHED) and not incident.sources.exists():
        raise ValidationError({"sources": [_("Add at least one source before verifying or "
                                             "publishing.")]})
    if to == Status.PUBLISHED and incident.visibility == Visibility.ORGANISATION:
        raise ValidationError({"visibility": [_("This incident is visible to the reporting "
                                                "organisation only; change its visibility to the "
                                                "network or the public before publishing.")]})
    if to == Status.REJECTED and not reason.strip():
        raise ValidationError({"reason": [_("Say why the incident is rejected.")]})
    before = snapshot(incident)
    now = timezone.now()
    incident.status = to
    if to == Status.VERIFIED:
        incident.verified_by, incident.verified_at = actor, now
    if to == Status.PUBLISHED:
        incident.published_at = now
    if to == Status.REJECTED:
        incident.rejection_reason = reason.strip()
    incident.version += 1
    incident.save()
    _version(incident, actor, _ACTIONS[to], before)
    audit_record(action={Status.UNDER_REVIEW: "civicspace.incident.review_started",
                         Status.VERIFIED: "civicspace.incident.verified",
                         Status.PUBLISHED: "civicspace.incident.published",
                         Status.REJECTED: "civicspace.incident.rejected"}[to],
                 actor=actor, organisation=incident.network, obj=incident, payload={"status": to})
    return incident


@transaction.atomic
def restriction_type_add(*, network: Organisation, actor: User, family: str, label: str,
                         description: str = "") -> RestrictionType:
    if not may_manage_network(actor, network):
        raise PermissionDenied(_("Only the network's coordinators and administrators can extend "
                                 "the taxonomy."))
    errors = {}
    if family not in Family.values:
        errors["family"] = [_("Unknown family.")]
    if not (label or "").strip():
        errors["label"] = [_("Enter a label.")]
    elif len(label.strip()) > 200:
        errors["label"] = [_("The label is longer than 200 characters.")]
    if len((description or "").strip()) > 1000:
        errors["description"] = [_("The description is longer than 1000 characters.")]
    code = slugify(label or "")[:50].replace("-", "_")
    if code and RestrictionType.objects.filter(code=code, network=network).exists():
        errors["label"] = [_("This network already has that type.")]
    if errors:
        raise ValidationError(errors)
    rtype = RestrictionType.objects.create(code=code or "type", family=family,
                                           own_label=label.strip(),
                                           description=(description or "").strip(),
                                           network=network)
    audit_record(action="civicspace.type.added", actor=actor, organisation=network, obj=rtype,
                 payload={"family": family})
    return rtype


@transaction.atomic
def restriction_type_deactivate(*, rtype: RestrictionType, actor: User) -> RestrictionType:
    """A network's own type leaves the forms; incidents that carry it keep it. Seeded types
    belong to everyone and stay."""
    # No select_related here: PostgreSQL cannot lock the nullable side of an outer join.
    rtype = RestrictionType.objects.select_for_update().get(pk=rtype.pk)
    if rtype.network is None:
        raise ValidationError({"type": [_("Only a type your network added can be deactivated; "
                                          "the seeded types stay.")]})
    if not may_manage_network(actor, rtype.network):
        raise PermissionDenied(_("Only the network's coordinators and administrators can change "
                                 "the taxonomy."))
    if not rtype.is_active:
        raise ValidationError({"type": [_("This type is already deactivated.")]})
    rtype.is_active = False
    rtype.save(update_fields=["is_active"])
    audit_record(action="civicspace.type.deactivated", actor=actor, organisation=rtype.network,
                 obj=rtype, payload={"family": rtype.family})
    return rtype


def _assessment_errors(*, country: str, period_start: date | None, period_end: date | None, rating: str,
                       trend: str, justification: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not is_country(country or ""):
        errors["country"] = [_("Unknown country %(code)s: use an ISO 3166 code such as MD or RO.")
                             % {"code": country or "—"}]
    _check_dates(errors, period_start, period_end, start_field="period_start",
                 end_field="period_end")
    if rating not in Civicus.values:
        errors["rating"] = [_("Choose a rating on the CIVICUS scale.")]
    if trend not in Trend.values:
        errors["trend"] = [_("Choose a trend.")]
    if not (justification or "").strip():
        errors["justification"] = [_("Justify the rating.")]
    return errors


@transaction.atomic
def assessment_record(*, network: Organisation, actor: User, country: str, period_start: date | None,
                      period_end: date | None, rating: str, trend: str,
                      justification: str) -> CountryAssessment:
    if not may_manage_network(actor, network):
        raise PermissionDenied(_("Only the network's coordinators can assess countries."))
    errors = _assessment_errors(country=country, period_start=period_start,
                                period_end=period_end, rating=rating, trend=trend,
                                justification=justification)
    if not errors and CountryAssessment.objects.filter(network=network, country=country,
                                                       period_start=period_start).exists():
        errors["period_start"] = [_("This network already assessed this country for that period.")]
    if errors:
        raise ValidationError(errors)
    assessment = CountryAssessment.objects.create(
        network=network, country=country, period_start=period_start, period_end=period_end,
        rating=rating, trend=trend, justification=justification.strip(), assessed_by=actor)
    audit_record(action="civicspace.assessment.recorded", actor=actor, organisation=network,
                 obj=assessment, payload={"country": country, "rating": rating})
    return assessment


@transaction.atomic
def assessment_edit(*, assessment: CountryAssessment, actor: User, period_start: date | None,
                    period_end: date | None, rating: str, trend: str,
                    justification: str) -> CountryAssessment:
    """Corrects an assessment; the audit log keeps who changed which fields, and when."""
    assessment = CountryAssessment.objects.select_for_update().select_related("network").get(
        pk=assessment.pk)
    if not may_manage_network(actor, assessment.network):
        raise PermissionDenied(_("Only the network's coordinators can assess countries."))
    errors = _assessment_errors(country=assessment.country, period_start=period_start,
                                period_end=period_end, rating=rating, trend=trend,
                                justification=justification)
    if not errors and CountryAssessment.objects.filter(
            network=assessment.network, country=assessment.country,
            period_start=period_start).exclude(pk=assessment.pk).exists():
        errors["period_start"] = [_("This network already assessed this country for that period.")]
    if errors:
        raise ValidationError(errors)
    changed = apply_changes(assessment, {"period_start": period_start, "period_end": period_end,
                                  "rating": rating, "trend": trend,
                                  "justification": justification.strip()})
    if changed:
        assessment.save()
        audit_record(action="civicspace.assessment.edited", actor=actor,
                     organisation=assessment.network, obj=assessment,
                     payload={"country": assessment.country, "rating": rating,
                              "fields": changed})
    return assessment


def _consultation_errors(*, country: str, title: str, kind: str, stage: str, opened_on: date | None,
                         closes_on: date | None, url: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not is_country(country or ""):
        errors["country"] = [_("Unknown country %(code)s: use an ISO 3166 code such as MD or RO.")
                             % {"code": country or "—"}]
    if not (title or "").strip():
        errors["title"] = [_("Enter the title of the law, strategy or plan.")]
    elif len(title.strip()) > 300:
        errors["title"] = [_("The title is longer than 300 characters.")]
    if kind not in ConsultationKind.values:
        errors["kind"] = [_("Unknown kind.")]
    if stage not in ConsultationStage.values:
        errors["stage"] = [_("Unknown stage.")]
    _check_dates(errors, opened_on, closes_on, start_field="opened_on", end_field="closes_on")
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors["url"] = [_("Enter a valid link (http or https): %(url)s") % {"url": url}]
    return errors


@transaction.atomic
def consultation_add(*, network: Organisation, actor: User, country: str, title: str, kind: str,
                     stage: str, opened_on: date | None, closes_on: date | None = None,
                     url: str = "") -> Consultation:
    if not may_manage_network(actor, network):
        raise PermissionDenied(_("Only the network's coordinators can add consultations."))
    errors = _consultation_errors(country=country, title=title, kind=kind, stage=stage,
                                  opened_on=opened_on, closes_on=closes_on, url=url)
    if errors:
        raise ValidationError(errors)
    c = Consultation.objects.create(network=network, country=country, title=title.strip(),
                                    kind=kind, stage=stage, opened_on=opened_on,
                                    closes_on=closes_on, url=url, created_by=actor)
    audit_record(action="civicspace.consultation.added", actor=actor, organisation=network, obj=c,
                 payload={"country": country, "kind": kind})
    return c


@transaction.atomic
def consultation_edit(*, consultation: Consultation, actor: User, country: str, title: str, kind: str,
                      stage: str, opened_on: date | None, closes_on: date | None = None,
                      url: str = "") -> Consultation:
    """Moves a consultation on (stage, dates) or corrects it; audited with the changed fields."""
    c = Consultation.objects.select_for_update().select_related("network").get(
        pk=consultation.pk)
    if not may_manage_network(actor, c.network):
        raise PermissionDenied(_("Only the network's coordinators can edit consultations."))
    errors = _consultation_errors(country=country, title=title, kind=kind, stage=stage,
                                  opened_on=opened_on, closes_on=closes_on, url=url)
    if errors:
        raise ValidationError(errors)
    changed = apply_changes(c, {"country": country, "title": title.strip(), "kind": kind,
                         "stage": stage, "opened_on": opened_on, "closes_on": closes_on,
                         "url": url})
    if changed:
        c.save()
        audit_record(action="civicspace.consultation.edited", actor=actor,
                     organisation=c.network, obj=c,
                     payload={"country": c.country, "stage": stage, "fields": changed})
    return c


def _may_record_for(actor: User, consultation: Consultation, org: Organisation) -> bool:
    if may_manage_network(actor, consultation.network):
        return True
    return org.pk in {m.organisation_id for m in active_memberships(actor)}


@transaction.atomic
def participation_set(*, consultation: Consultation, actor: User, organisation: Organisation,
                      invited: str, submitted: str, method: str, feedback: str,
                      evidence: str = "") -> Participation:
    if not _may_record_for(actor, consultation, organisation):
        raise PermissionDenied(_("You can record participation for your own organisation only."))
    errors = {}
    if not consultation.network.network_members.filter(member=organisation).exists():
        errors["organisation"] = [_("This organisation is not a member of the network.")]
    for name, value, choices in [("invited", invited, Answer), ("submitted", submitted, Answer),
                                 ("method", method, Method), ("feedback", feedback, Feedback)]:
        if value not in choices.values:
            errors[name] = [_("Unknown value.")]
    if errors:
        raise ValidationError(errors)
    p, _created = Participation.objects.update_or_create(
        consultation=consultation, organisation=organisation,
        defaults={"invited": invited, "submitted": submitted, "method": method,
                  "feedback": feedback, "evidence": evidence.strip()})
    audit_record(action="civicspace.participation.recorded", actor=actor,
                 organisation=organisation, obj=p,
                 payload={"consultation": consultation.pk, "invited": invited,
                          "feedback": feedback})
    return p


@transaction.atomic
def exclusion_to_incident(*, participation: Participation, actor: User) -> Incident:
    """One step from "not invited" or "feedback not considered" to a reported incident."""
    participation = Participation.objects.select_for_update().select_related(
        "consultation__network", "organisation").get(pk=participation.pk)
    c = participation.consultation
    if not _may_record_for(actor, c, participation.organisation):
        raise PermissionDenied(_("You can report exclusions of your own organisation only."))
    if not participation.is_exclusion:
        raise ValidationError({"participation": [_("Only an exclusion (not invited, or feedback "
                                                   "not considered) can become an incident.")]})
    if participation.incident_id:
        raise ValidationError({"participation": [_("This exclusion is already an incident.")]})
    code = "excluded_consultation" if participation.invited == Answer.NO else "feedback_ignored"
    rtype = RestrictionType.objects.get(code=code, network__isnull=True)
    title = (_("Not invited to the consultation: %(title)s") if code == "excluded_consultation"
             else _("Feedback not considered: %(title)s")) % {"title": c.title}
    data = IncidentData(
        title=title[:200], started_on=min(c.opened_on, timezone.localdate()), country=c.country,
        description=participation.evidence or title, actors=[Actor.NATIONAL_AUTHORITY],
        type_ids=[rtype.pk], visibility=Visibility.ORGANISATION,
        affected=[Affected(organisation_id=participation.organisation_id, anonymous=True,
                           description=str(_("A member organisation of the network")))],
        sources=[SourceData(url=c.url, title=c.title[:200], is_public=True)] if c.url else [])
    _validate(data, c.network)
    incident = Incident.objects.create(
        network=c.network, reporting_org=participation.organisation, reported_by=actor,
        title=data.title, started_on=data.started_on, country=data.country,
        actors=data.actors, description=data.description, visibility=data.visibility)
    _write_children(incident, data, actor)
    _version(incident, actor, "reported", None)
    participation.incident = incident
    participation.save(update_fields=["incident", "updated_at"])
    audit_record(action="civicspace.incident.reported", actor=actor,
                 organisation=participation.organisation, obj=incident,
                 payload={"network": c.network.pk, "country": c.country,
                          "consultation": c.pk})
    return incident


def restriction_types_seed() -> None:
    """The seeded taxonomy (also written by migration 0002); idempotent, for databases that were
    flushed after migrating, as transactional tests do."""
    for code, family, _label in SEEDED_TYPES:
        RestrictionType.objects.get_or_create(code=code, network=None,
                                              defaults={"family": str(family)})


# --- private documents ---------------------------------------------------------------------
# Incident documents do not belong to a data subject, so they get their own data key per
# incident, wrapped by the network's key-encryption key, and reuse the chunked document format.

def _incident_key(incident: Incident) -> bytes:
    from bridgeway.protection import crypto, sealing
    from bridgeway.protection.services import kek_id_for

    subject_id = sealing.key_name(incident)  # "civicspace.incident.<pk>"
    if incident.wrapped_key:
        return crypto.unwrap_data_key(bytes(incident.wrapped_key), key_id=incident.kek_id,
                                      subject_id=subject_id)
    key = crypto.new_data_key()
    incident.kek_id = kek_id_for(incident.network)
    incident.wrapped_key = crypto.wrap_data_key(key, key_id=incident.kek_id, subject_id=subject_id)
    incident.save(update_fields=["kek_id", "wrapped_key"])
    return key


def _doc_aad(doc_id: object) -> bytes:
    return f"bridgeway.civicspace.document|{doc_id}".encode()


@transaction.atomic
def incident_document_upload(*, incident: Incident, actor: User, uploaded: UploadedFile,
                             title: str = "") -> IncidentDocument:
    import secrets

    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from bridgeway.protection import crypto, documents

    incident = Incident.objects.select_for_update().select_related("network").get(pk=incident.pk)
    if not queries.may_read_documents(actor, incident):
        raise PermissionDenied(_("Only the reporting organisation and the network's coordinators "
                                 "can add documents."))
    limit = settings.BRIDGEWAY_DOCUMENT_MAX_BYTES
    data = uploaded.read(limit + 1)
    if len(data) > limit:
        raise ValidationError({"file": [_("The file is larger than the limit.")]})
    if not data:
        raise ValidationError({"file": [_("The file is empty.")]})
    content_type = documents.sniff(data[:8192], data)
    if content_type is None:
        raise ValidationError({"file": [_("This kind of file is not accepted. Allowed: "
                                          "%(types)s.") % {
            "types": ", ".join(documents.ALLOWED_TYPES.values())}]})
    key = _incident_key(incident)
    doc = IncidentDocument(incident=incident, content_type=content_type, size=len(data),
                           storage_name=f"civicspace/{secrets.token_hex(16)}.bin",
                           uploaded_by=actor)
    doc.sealed_filename = crypto.seal(key, (uploaded.name or "document")[-200:].encode(),
                                      _doc_aad(doc.pk) + b"|name")
    default_storage.save(doc.storage_name, ContentFile(documents.encrypt(key, data,
                                                                         _doc_aad(doc.pk))))
    try:
        doc.save()
        Source.objects.create(incident=incident, document=doc, title=title.strip()[:200],
                              is_public=False, added_by=actor)
    except Exception:
        default_storage.delete(doc.storage_name)
        raise
    audit_record(action="civicspace.document.uploaded", actor=actor,
                 organisation=incident.network, obj=doc,
                 payload={"incident": str(incident.pk), "content_type": content_type})
    return doc


def incident_document_open(doc: IncidentDocument) -> tuple[str, bytes]:
    """(file name, content), decrypted with the incident's key."""
    from django.core.files.storage import default_storage

    from bridgeway.protection import crypto, documents

    key = _incident_key(doc.incident)
    name = crypto.open_sealed(key, bytes(doc.sealed_filename), _doc_aad(doc.pk) + b"|name",
                              what="document name").decode()
    with default_storage.open(doc.storage_name, "rb") as handle:
        content = b"".join(documents.decrypt_stream(key, handle, _doc_aad(doc.pk)))
    return name, content
