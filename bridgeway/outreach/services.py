"""Writes for outreach work. One shape for the three field records (activity, access request,
training): the screens, the API and the offline outbox's sync all go through `record_create` and
`record_edit`, which validate every field (messages name the field), write in one transaction,
bump the record's version and record one audit event with codes and counts only.

An edit names the version it started from and the values it started from (`original`). When
the record moved on meanwhile, the edit is merged field by field: a field the other side did not
change takes the new value; a field both sides changed differently is a conflict, and then
nothing is saved and both values come back (EditConflict)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.civicspace import queries as civic_queries
from bridgeway.civicspace import services as civic
from bridgeway.orgs.codes import is_country, is_language
from bridgeway.orgs.models import Membership, Organisation
from bridgeway.outreach import queries, summary
from bridgeway.outreach.codes import (
    DENIALS,
    MAX_COUNT,
    NEEDS_REASON,
    OBSTRUCTED,
    REACH_BY_AGE,
    REACH_BY_SEX,
    ActivityKind,
    Basis,
    Condition,
    FacilityType,
    InstitutionType,
    Kind,
    Outcome,
    TargetGroup,
    TrainingStatus,
)
from bridgeway.outreach.models import (
    AccessRequest,
    Activity,
    Facility,
    SyncReceipt,
    Training,
)
from bridgeway.outreach.sealing import open_text, seal_text
from bridgeway.protection.audit import audit_record

if TYPE_CHECKING:
    from bridgeway.accounts.models import User

# Field name -> type. "sealed" text is stored encrypted in `<name>_sealed`.
FIELDS: dict[str, dict[str, Any]] = {
    Kind.ACTIVITY: {
        "kind": ActivityKind, "partners": "orgs", "country": "country", "region": 120,
        "place": "sealed", "started_on": "date", "ended_on": "date",
        "target_groups": [TargetGroup], "reached_total": "count",
        **{name: "count" for name, _label in REACH_BY_SEX + REACH_BY_AGE},
        "materials": 300, "languages": "languages", "potential_victims": "count",
        "follow_up": "sealed",
    },
    Kind.ACCESS: {
        "facility": "facility", "requested_on": "date", "answered_on": "date",
        "outcome": Outcome, "conditions": [Condition], "reason_given": 2000,
        "visited_on": "date", "people_met": "sealed", "presumed_victims": "count",
        "referrals_made": "count",
    },
    Kind.TRAINING: {
        "institution_type": InstitutionType, "institution": 200, "country": "country",
        "topic": 300, "planned_on": "date", "held_on": "date", "status": TrainingStatus,
        "status_reason": 2000, "participants_female": "count", "participants_male": "count",
        "participants_sex_other": "count", "participant_institutions": "institutions",
        "hours": "hours", "materials": 300, "pre_score": "score", "post_score": "score",
        "basis": Basis,
    },
}
REQUIRED: dict[str, list[str]] = {Kind.ACTIVITY: ["kind", "country", "started_on"],
            Kind.ACCESS: ["facility", "requested_on"],
            Kind.TRAINING: ["institution_type", "country", "topic", "planned_on"]}
MODELS: dict[str, Any] = {Kind.ACTIVITY: Activity, Kind.ACCESS: AccessRequest,
                                  Kind.TRAINING: Training}


class EditConflict(Exception):
    """The same field was changed on both sides: nothing was saved. `conflicts` maps each field
    to {"mine": the edit's value, "theirs": the value saved meanwhile}; `version` is the
    record's current version (an edit resolving the conflict names it)."""

    def __init__(self, record: Any, conflicts: dict[str, dict[str, Any]]) -> None:
        super().__init__("edit conflict")
        self.record = record
        self.conflicts = conflicts
        self.version = record.version


# --- values -----------------------------------------------------------------------------------

def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral() else str(value)
    if isinstance(value, Organisation | Facility):
        return value.pk
    return value


def values_of(record: Any, kind: str) -> dict[str, Any]:
    """The record's field values as JSON (dates ISO, decimals text), sealed text opened."""
    out: dict[str, Any] = {}
    for name, kind_of in FIELDS[kind].items():
        if kind_of == "sealed":
            out[name] = open_text(record, f"{name}_sealed")
        elif kind_of == "orgs":
            out[name] = sorted(record.partners.values_list("pk", flat=True)) if record.pk else []
        elif kind_of == "facility":
            out[name] = record.facility_id
        else:
            out[name] = _json(getattr(record, name))
    return out


def _clean(kind: str, values: dict[str, Any], actor: User) -> tuple[dict[str, Any], dict]:
    """Each given value parsed to its type, or an error naming the field."""
    clean: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    spec = FIELDS[kind]
    for name in values:
        if name not in spec:
            errors[name] = [_("Unknown field.")]
    for name, kind_of in spec.items():
        if name not in values:
            continue
        raw = values[name]
        try:
            clean[name] = _parse(kind_of, raw, actor)
        except ValidationError as exc:
            errors[name] = exc.messages
    return clean, errors


def _parse(kind_of: Any, raw: Any, actor: User) -> Any:
    if isinstance(kind_of, int):  # a short text of at most that many characters
        text = "" if raw is None else str(raw).strip()
        if len(text) > kind_of:
            raise ValidationError(_("At most %(n)d characters.") % {"n": kind_of})
        return text
    if kind_of == "sealed":
        text = "" if raw is None else str(raw).strip()
        if len(text) > 4000:
            raise ValidationError(_("At most %(n)d characters.") % {"n": 4000})
        return text
    if kind_of == "date":
        try:
            return _date(raw)
        except (TypeError, ValueError):
            raise ValidationError(_("Enter a date as YYYY-MM-DD.")) from None
    if kind_of == "count":
        if raw in (None, ""):
            return 0
        try:
            n = int(raw)
            if isinstance(raw, float) and raw != n:
                raise ValueError
        except (TypeError, ValueError):
            raise ValidationError(_("Enter a whole number.")) from None
        if n < 0:
            raise ValidationError(_("A count cannot be negative."))
        if n > MAX_COUNT:
            raise ValidationError(_("%(n)s is more than %(max)s: check the number.")
                                  % {"n": n, "max": f"{MAX_COUNT:,}"})
        return n
    if kind_of in ("hours", "score"):
        if raw in (None, ""):
            return None if kind_of == "score" else Decimal(0)
        try:
            d = Decimal(str(raw))
        except InvalidOperation:
            raise ValidationError(_("Enter a number.")) from None
        top = 100 if kind_of == "score" else 1000
        if not d.is_finite() or d < 0 or d > top:
            raise ValidationError(_("Enter a number from 0 to %(max)d.") % {"max": top})
        return d.quantize(Decimal("0.1"))
    if kind_of == "country":
        code = str(raw or "").upper()
        if not is_country(code):
            raise ValidationError(_("Unknown country %(code)s: use an ISO 3166 code such as MD "
                                    "or RO.") % {"code": code or "—"})
        return code
    if kind_of in ("languages", "orgs") or isinstance(kind_of, list):
        if raw not in (None, "") and not isinstance(raw, list | tuple):
            raise ValidationError(_("Give a list."))
    if kind_of == "languages":
        langs = list(raw or [])
        bad = [str(c) for c in langs if not isinstance(c, str) or not is_language(c)]
        if bad:
            raise ValidationError(_("Unknown language: %(codes)s.") % {"codes": ", ".join(bad)})
        return sorted(set(langs))
    if kind_of == "orgs":
        ids = []
        for v in raw or []:
            try:
                ids.append(int(v.pk if isinstance(v, Organisation) else v))
            except (TypeError, ValueError):
                raise ValidationError(_("Unknown organisation.")) from None
        if Organisation.objects.filter(pk__in=ids).count() != len(set(ids)):
            raise ValidationError(_("Unknown organisation."))
        return sorted(set(ids))
    if kind_of == "facility":
        pk = raw.pk if isinstance(raw, Facility) else raw
        facility = queries.facilities_visible_to(actor).filter(is_active=True)
        try:
            return facility.get(pk=int(pk))
        except (TypeError, ValueError, Facility.DoesNotExist):
            raise ValidationError(_("Choose a facility from the register.")) from None
    if kind_of == "institutions":
        if raw in (None, ""):
            return {}
        if not isinstance(raw, dict):
            raise ValidationError(_("Give a count per institution type."))
        out = {}
        for key, n in raw.items():
            if key not in InstitutionType.values:
                raise ValidationError(_("Unknown institution type: %(code)s.") % {"code": key})
            out[key] = _parse("count", n, actor)
        return {k: v for k, v in sorted(out.items()) if v}
    if isinstance(kind_of, list):  # a list of codes of one choice set
        choices = kind_of[0]
        codes = [str(c) for c in (raw or [])]
        bad = sorted(set(codes) - set(choices.values))
        if bad:
            raise ValidationError(_("Unknown value: %(codes)s.") % {"codes": ", ".join(bad)})
        return sorted(set(codes))
    # a choice set
    code = "" if raw is None else str(raw)
    if code not in kind_of.values:
        raise ValidationError(_("Unknown value: %(code)s.") % {"code": code or "—"})
    return code


# --- the rules of each kind (on the record's values after the change) ------------------------

def _rules(kind: str, v: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()

    def need(name: str, msg: str) -> None:
        if v.get(name) in (None, "", []):
            errors.setdefault(name, [msg])

    def not_future(name: str, msg: str) -> None:
        if v.get(name) and v[name] > today:
            errors.setdefault(name, [msg])

    def not_before(name: str, start: str, msg: str) -> None:
        if v.get(name) and v.get(start) and v[name] < v[start]:
            errors.setdefault(name, [msg])

    for name in REQUIRED[kind]:
        need(name, _("This field is required."))
    if kind == Kind.ACTIVITY:
        not_future("started_on", _("The activity is recorded as held: its start date cannot be "
                                   "in the future."))
        not_future("ended_on", _("The activity is recorded as held: its end date cannot be in "
                                 "the future."))
        not_before("ended_on", "started_on", _("The end date is before the start date."))
        total = v.get("reached_total") or 0
        for names, label, field_name in (
                (REACH_BY_SEX, _("by sex"), "reached_female"),
                (REACH_BY_AGE, _("by age band"), "reached_age_0_17")):
            given = sum(v.get(n) or 0 for n, _l in names)
            if given != total:
                errors.setdefault(field_name, [
                    _("People reached %(how)s add up to %(given)d, but the total is %(total)d.")
                    % {"how": label, "given": given, "total": total}])
        if (v.get("potential_victims") or 0) > total:
            errors.setdefault("potential_victims", [
                _("More potential victims (%(n)d) than people reached (%(total)d).")
                % {"n": v["potential_victims"], "total": total}])
    elif kind == Kind.ACCESS:
        not_future("requested_on", _("The request date cannot be in the future."))
        not_future("answered_on", _("The answer date cannot be in the future."))
        not_future("visited_on", _("The visit is recorded as made: its date cannot be in the "
                                   "future."))
        not_before("answered_on", "requested_on", _("The answer date is before the request "
                                                    "date."))
        not_before("visited_on", "requested_on", _("The visit date is before the request date."))
        outcome = v.get("outcome")
        if outcome in (Outcome.GRANTED, Outcome.CONDITIONS, Outcome.REFUSED):
            need("answered_on", _("Enter the date of the answer."))
        if outcome == Outcome.CONDITIONS:
            need("conditions", _("Choose the conditions access was granted with."))
        elif v.get("conditions"):
            errors.setdefault("conditions", [_("Conditions go with “granted with conditions” "
                                               "only.")])
        if outcome not in (Outcome.GRANTED, Outcome.CONDITIONS):
            for name in ("visited_on", "presumed_victims", "referrals_made"):
                if v.get(name):
                    errors.setdefault(name, [_("Only a granted access has a visit.")])
        if (v.get("referrals_made") or 0) > (v.get("presumed_victims") or 0) * 10 + 10:
            errors.setdefault("referrals_made", [_("More referrals than the visit can explain: "
                                                   "check the number.")])
    elif kind == Kind.TRAINING:
        status = v.get("status")
        if status == TrainingStatus.HELD:
            need("held_on", _("Enter the date the training was held."))
            not_future("held_on", _("The training is recorded as held: its date cannot be in "
                                    "the future."))
        elif v.get("held_on"):
            errors.setdefault("held_on", [_("Only a held training has a date held.")])
        if status in NEEDS_REASON:
            need("status_reason", _("Give the reason the training was %(status)s.")
                 % {"status": TrainingStatus(status).label.lower()})
        total = sum(v.get(n) or 0 for n in ("participants_female", "participants_male",
                                             "participants_sex_other"))
        if status != TrainingStatus.HELD and total:
            errors.setdefault("participants_female", [_("Only a held training has "
                                                         "participants.")])
        by_inst = v.get("participant_institutions") or {}
        if by_inst and sum(by_inst.values()) != total:
            errors.setdefault("participant_institutions", [
                _("Participants by institution add up to %(given)d, but by sex to %(total)d.")
                % {"given": sum(by_inst.values()), "total": total}])
        if total > 1000:
            errors.setdefault("participants_female", [_("More than 1,000 participants in one "
                                                        "training: check the numbers.")])
        if v.get("hours") and v["hours"] > 500:
            errors.setdefault("hours", [_("More than 500 hours: check the number.")])
    return errors


def _current(record: Any, kind: str) -> dict[str, Any]:
    """The record's values, typed as `_clean` returns them."""
    out: dict[str, Any] = {}
    for name, kind_of in FIELDS[kind].items():
        if kind_of == "sealed":
            out[name] = open_text(record, f"{name}_sealed") if record.pk else ""
        elif kind_of == "orgs":
            out[name] = sorted(record.partners.values_list("pk", flat=True)) \
                if record._state.adding is False else []
        elif kind_of == "facility":
            out[name] = getattr(record, "facility", None) if record.facility_id else None
        else:
            out[name] = getattr(record, name)
    return out


def _write(record: Any, kind: str, clean: dict[str, Any]) -> None:
    # The network view's totals move in the same transaction: the old contribution out, the
    # new one in (summary.py).
    before = None if record._state.adding else summary.contribution(record)
    partners = None
    for name, value in clean.items():
        kind_of = FIELDS[kind][name]
        if kind_of == "sealed":
            seal_text(record, f"{name}_sealed", value)
        elif kind_of == "orgs":
            partners = value
        else:
            setattr(record, name, value)
    record.save()
    if partners is not None:
        record.partners.set(partners)
    summary.move(before, summary.contribution(record))


def _payload(kind: str, record: Any, fields: list[str]) -> dict[str, Any]:
    payload: dict[str, Any] = {"fields": fields, "version": record.version}
    if kind == Kind.ACCESS:
        payload["outcome"] = record.outcome
    if kind == Kind.TRAINING:
        payload["status"] = record.status
    return payload




def _refuse_unless_recorder(actor: User, org: Organisation, what: str = "") -> None:
    if not queries.may_record(actor, org):
        raise PermissionDenied(
            (_("You do not (or no longer) have a role in %(org)s that lets you record outreach "
               "work: %(what)s was not saved.") % {"org": org.name, "what": what})
            if what else _("You do not have a role in %(org)s that lets you record outreach "
                           "work.") % {"org": org.name})


@transaction.atomic
def record_create(*, kind: str, actor: User, org: Organisation, values: dict[str, Any],
                  what: str = "") -> Any:
    """A new activity, access request or training of `org`. `what` names the record in a
    refusal (the outbox's entry)."""
    if kind not in FIELDS:
        raise ValidationError({"kind": [_("Unknown kind of record.")]})
    _refuse_unless_recorder(actor, org, what)
    clean, errors = _clean(kind, values, actor)
    record = MODELS[kind](organisation=org, created_by=actor)
    merged = {**_current(record, kind), **clean}
    for name, msgs in _rules(kind, merged).items():
        errors.setdefault(name, msgs)
    if errors:
        raise ValidationError(errors)
    _write(record, kind, clean)
    audit_record(action="outreach.activity.recorded" if kind == Kind.ACTIVITY
                 else "outreach.access.recorded" if kind == Kind.ACCESS
                 else "outreach.training.recorded", actor=actor, organisation=org, obj=record,
                 payload=_payload(kind, record, sorted(clean)))
    return record


@transaction.atomic
def record_edit(*, kind: str, record: Any, actor: User, values: dict[str, Any],
                base_version: int | None = None, original: dict[str, Any] | None = None,
                what: str = "") -> Any:
    """Changes the fields in `values`. `base_version` is the version the edit started from;
    when the record has moved on since, `original` (the values the edit started from) tells
    which fields the other side changed: see the module docstring."""
    model = MODELS[kind]
    record = model._default_manager.select_for_update().get(pk=record.pk)
    _refuse_unless_recorder(actor, record.organisation, what)
    clean, errors = _clean(kind, values, actor)
    if errors:
        raise ValidationError(errors)
    current = _current(record, kind)
    if base_version is not None and base_version != record.version:
        original_clean, bad = _clean(kind, {k: v for k, v in (original or {}).items()
                                            if k in FIELDS[kind]}, actor)
        conflicts: dict[str, dict[str, Any]] = {}
        for name, mine in clean.items():
            theirs = current[name]
            if _same(mine, theirs):
                continue
            if name in original_clean and name not in bad and _same(original_clean[name], theirs):
                continue  # the other side left this field alone: the edit applies
            conflicts[name] = {"mine": _json(values[name]) if not isinstance(values[name], Model)
                               else values[name].pk,
                               "theirs": values_of(record, kind)[name]}
        if conflicts:
            raise EditConflict(record, conflicts)
    changed = [name for name, value in clean.items() if not _same(value, current[name])]
    if not changed:
        return record
    merged = {**current, **clean}
    errors = _rules(kind, merged)
    if errors:
        raise ValidationError(errors)
    record.version += 1
    _write(record, kind, {name: clean[name] for name in changed})
    audit_record(action="outreach.activity.edited" if kind == Kind.ACTIVITY
                 else "outreach.access.edited" if kind == Kind.ACCESS
                 else "outreach.training.edited", actor=actor, organisation=record.organisation, obj=record,
                 payload=_payload(kind, record, changed))
    return record


def edited_values(*, kind: str, actor: User, values: dict[str, Any],
                  original: dict[str, Any]) -> dict[str, Any]:
    """The values a whole form sent that differ from what the form started from (`original`):
    what the person changed. Sending only these lets a stale form merge with edits made
    meanwhile, instead of writing back the old values of fields it did not touch."""
    mine, _bad = _clean(kind, values, actor)
    known = {k: v for k, v in original.items() if k in FIELDS[kind]}
    before, bad = _clean(kind, known, actor)
    return {name: values[name] for name in values
            if name not in before or name in bad or name not in mine
            or not _same(mine[name], before[name])}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Model) or isinstance(b, Model):
        return getattr(a, "pk", a) == getattr(b, "pk", b)
    return a == b


# --- facilities -------------------------------------------------------------------------------

@dataclass
class FacilityData:
    name: str
    facility_type: str
    country: str
    region: str = ""
    authority: str = ""
    network_id: int | None = None


@transaction.atomic
def facility_add(*, actor: User, org: Organisation, data: FacilityData) -> Facility:
    """A facility in the register, shared with the network chosen (one of org's networks)."""
    _refuse_unless_recorder(actor, org)
    errors = _facility_errors(data)
    if data.network_id and not queries.networks_of_org(org).filter(pk=data.network_id).exists():
        errors.setdefault("network", [_("Your organisation is not a member of this network.")])
    if errors:
        raise ValidationError(errors)
    facility = Facility.objects.create(
        network_id=data.network_id, added_by_org=org, name=data.name.strip(),
        facility_type=data.facility_type, country=data.country, region=data.region.strip()[:120],
        authority=data.authority.strip()[:200], created_by=actor)
    audit_record(action="outreach.facility.added", actor=actor, organisation=org, obj=facility,
                 payload={"type": facility.facility_type, "country": facility.country,
                          "network": facility.network_id})
    return facility


def _facility_errors(data: FacilityData, *, exclude: int | None = None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        errors["name"] = [_("Give the facility's name.")]
    elif len(data.name.strip()) > 200:
        errors["name"] = [_("At most %(n)d characters.") % {"n": 200}]
    if data.facility_type not in FacilityType.values:
        errors["facility_type"] = [_("Unknown value: %(code)s.") % {"code": data.facility_type}]
    if not is_country(data.country or ""):
        errors["country"] = [_("Unknown country %(code)s: use an ISO 3166 code such as MD or "
                               "RO.") % {"code": data.country or "—"}]
    same = Facility.objects.filter(name__iexact=data.name.strip(), country=data.country,
                                   is_active=True, network_id=data.network_id)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if not errors and same.exists():
        errors["name"] = [_("This facility is already in the register.")]
    return errors


def _refuse_unless_facility_manager(actor: User, facility: Facility) -> None:
    """The organisation that added a facility keeps it up to date (its outreach staff)."""
    if not queries.may_record(actor, facility.added_by_org):
        raise PermissionDenied(_("Only %(org)s, which added this facility, may change it.")
                               % {"org": facility.added_by_org.name})


@transaction.atomic
def facility_edit(*, actor: User, facility: Facility, name: str, facility_type: str,
                  country: str, region: str = "", authority: str = "") -> Facility:
    """Corrects a facility's entry. A change of type or country moves its access requests in
    the network view's totals."""
    facility = Facility.objects.select_for_update().select_related("added_by_org").get(
        pk=facility.pk)
    _refuse_unless_facility_manager(actor, facility)
    data = FacilityData(name=name, facility_type=facility_type, country=country, region=region,
                        authority=authority, network_id=facility.network_id)
    errors = _facility_errors(data, exclude=facility.pk)
    if errors:
        raise ValidationError(errors)
    new = {"name": name.strip(), "facility_type": facility_type, "country": country,
           "region": region.strip()[:120], "authority": authority.strip()[:200]}
    changed = [k for k, v in new.items() if getattr(facility, k) != v]
    if not changed:
        return facility
    moved = bool({"facility_type", "country"} & set(changed))
    for k in changed:
        setattr(facility, k, new[k])
    facility.save(update_fields=changed)
    if moved:
        summary.rebuild(sorted(set(facility.requests.values_list("organisation_id", flat=True))))
    audit_record(action="outreach.facility.edited", actor=actor,
                 organisation=facility.added_by_org, obj=facility,
                 payload={"fields": sorted(changed), "type": facility.facility_type,
                          "country": facility.country})
    return facility


@transaction.atomic
def facility_set_active(*, actor: User, facility: Facility, active: bool) -> Facility:
    """Deactivates a facility (closed, merged, entered twice: no longer offered for new access
    requests; its past requests stay) or brings it back."""
    facility = Facility.objects.select_for_update().select_related("added_by_org").get(
        pk=facility.pk)
    _refuse_unless_facility_manager(actor, facility)
    if facility.is_active == active:
        return facility
    if active and Facility.objects.filter(
            name__iexact=facility.name, country=facility.country, is_active=True,
            network_id=facility.network_id).exclude(pk=facility.pk).exists():
        raise ValidationError({"name": [_("An active facility with this name is already in the "
                                          "register.")]})
    facility.is_active = active
    facility.save(update_fields=["is_active"])
    audit_record(action="outreach.facility.reactivated" if active
                 else "outreach.facility.deactivated", actor=actor,
                 organisation=facility.added_by_org, obj=facility,
                 payload={"type": facility.facility_type, "country": facility.country})
    return facility


# --- sync of the browser's outbox -------------------------------------------------------------

@dataclass
class SyncEntry:
    client_id: UUID
    kind: str
    values: dict[str, Any]
    organisation_id: int | None = None
    record_id: UUID | None = None
    version: int | None = None
    original: dict[str, Any] = field(default_factory=dict)

    def digest(self) -> str:
        body = json.dumps({"kind": self.kind, "values": self.values,
                           "organisation": self.organisation_id,
                           "record": str(self.record_id or ""), "version": self.version,
                           "original": self.original}, sort_keys=True, default=str)
        return hashlib.sha256(body.encode()).hexdigest()


class SyncRefused(Exception):
    """One entry of the batch cannot be saved: the whole batch is rolled back. `entry` is its
    client id, `errors` a dict of field -> messages (or {"detail": ...})."""

    def __init__(self, entry: UUID, errors: dict[str, list[str]], status: int = 400) -> None:
        super().__init__("sync refused")
        self.entry = entry
        self.errors = errors
        self.status = status


@transaction.atomic
def sync_batch(*, actor: User, entries: list[SyncEntry]) -> list[dict[str, Any]]:
    """Saves an outbox batch, all or nothing. Each entry answers `{"client_id", "status":
    "created" | "updated" | "unchanged" | "conflict", "record_id", "version"}` (with
    "conflicts" for a conflict); an entry already taken (same client id, same content) answers
    what it answered the first time. A conflict saves nothing for that entry and does not stop
    the others: the browser keeps it and shows the conflict page. A refused entry (bad value,
    tampered resend, lost role) stops the batch: SyncRefused names the entry."""
    results = []
    seen: set[UUID] = set()
    for entry in entries:
        if entry.client_id in seen:
            raise SyncRefused(entry.client_id, {"client_id": [_("This client id appears twice "
                                                                "in the batch.")]})
        seen.add(entry.client_id)
        results.append(_sync_one(actor, entry))
    return results


def _what(entry: SyncEntry) -> str:
    return _("record %(id)s") % {"id": entry.client_id}


def _sync_one(actor: User, entry: SyncEntry) -> dict[str, Any]:
    receipt = SyncReceipt.objects.filter(client_id=entry.client_id).first()
    digest = entry.digest()
    if receipt is not None:
        if receipt.user_id != actor.pk or receipt.digest != digest:
            raise SyncRefused(entry.client_id, {"client_id": [
                _("Record %(id)s was already sent with other content: a replayed or altered "
                  "entry is refused.") % {"id": entry.client_id}]})
        return {**receipt.result, "replayed": True}
    if entry.kind not in FIELDS:
        raise SyncRefused(entry.client_id, {"kind": [_("Unknown kind of record.")]})
    try:
        with transaction.atomic():
            if entry.record_id is None:
                org = Organisation.objects.filter(pk=entry.organisation_id or 0).first()
                if org is None:
                    raise ValidationError({"organisation": [_("Unknown organisation.")]})
                record = record_create(kind=entry.kind, actor=actor, org=org,
                                       values=entry.values, what=_what(entry))
                status = "created"
            else:
                found = queries.MODELS[entry.kind]._default_manager.filter(
                    pk=entry.record_id).select_related("organisation").first()
                if found is None or not queries.records_visible_to(actor, entry.kind).filter(
                        pk=entry.record_id).exists():
                    if found is not None and Membership.objects.filter(
                            user=actor, organisation_id=found.organisation_id).exists():
                        # Someone who worked there and lost the role: say so, naming the entry.
                        _refuse_unless_recorder(actor, found.organisation, _what(entry))
                    raise ValidationError({"record_id": [_("Unknown record.")]})
                before = found.version
                record = record_edit(kind=entry.kind, record=found, actor=actor,
                                     values=entry.values, base_version=entry.version,
                                     original=entry.original, what=_what(entry))
                status = "updated" if record.version != before else "unchanged"
    except EditConflict as exc:
        return {"client_id": str(entry.client_id), "status": "conflict",
                "record_id": str(entry.record_id), "version": exc.version,
                "conflicts": exc.conflicts}
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        raise SyncRefused(entry.client_id, errors) from None
    except PermissionDenied as exc:
        raise SyncRefused(entry.client_id, {"detail": [str(exc)]}, status=403) from None
    result = {"client_id": str(entry.client_id), "status": status, "record_id": str(record.pk),
              "version": record.version}
    try:
        with transaction.atomic():
            SyncReceipt.objects.create(client_id=entry.client_id, user=actor, kind=entry.kind,
                                       record_id=record.pk, digest=digest, result=result)
    except IntegrityError:  # the same entry sent twice at once: the other request took it
        raise SyncRefused(entry.client_id, {"client_id": [_("Record %(id)s is being sent "
                                                            "already.") % {"id": entry.client_id}]},
                          status=409) from None
    return result


# --- refusals and obstructed trainings become civic-space incidents ---------------------------

ACTOR_FOR_FACILITY: dict[str, str] = {FacilityType.DETENTION: "law_enforcement",
                      FacilityType.BORDER_POST: "law_enforcement",
                      FacilityType.SHELTER: "local_authority",
                      FacilityType.LABOUR_SITE: "other_non_state"}
INCIDENT_TYPE: dict[str, str] = {Kind.ACCESS: "denied_facility_access", Kind.TRAINING: "training_obstructed"}


def may_become_incident(kind: str, record: Any) -> bool:
    if getattr(record, "incident_id", None):
        return False
    if kind == Kind.ACCESS:
        return record.outcome in DENIALS
    return kind == Kind.TRAINING and record.status in OBSTRUCTED


def incident_prefill(kind: str, record: Any) -> dict[str, Any]:
    """What the incident form starts with: facility (or institution), country, date and actor,
    in words, without anything personal (who was met stays on the visit)."""
    if kind == Kind.ACCESS:
        r: AccessRequest = record
        f = r.facility
        outcome = Outcome(r.outcome).label
        title = _("Access to %(facility)s: %(outcome)s") % {"facility": f.name,
                                                            "outcome": str(outcome).lower()}
        lines = [_("Access to %(facility)s (%(type)s) was requested on %(date)s.")
                 % {"facility": f.name, "type": FacilityType(f.facility_type).label,
                    "date": r.requested_on.isoformat()}]
        if f.authority:
            lines.append(_("Authority in charge: %(authority)s.") % {"authority": f.authority})
        if r.outcome == Outcome.REFUSED:
            lines.append(_("Access was refused on %(date)s.")
                         % {"date": (r.answered_on or r.requested_on).isoformat()})
        else:
            lines.append(_("No answer was given."))
        if r.reason_given:
            lines.append(_("Reason given: %(reason)s") % {"reason": r.reason_given})
        return {"title": title[:200], "country": f.country, "region": f.region,
                "started_on": r.answered_on or r.requested_on,
                "actors": [ACTOR_FOR_FACILITY.get(f.facility_type, "national_authority")],
                "description": "\n".join(lines)}
    t: Training = record
    status = TrainingStatus(t.status).label
    title = _("Training for %(institution)s %(status)s") % {
        "institution": t.institution or InstitutionType(t.institution_type).label,
        "status": str(status).lower()}
    lines = [_("A training on “%(topic)s” for %(institution)s (%(type)s), planned for %(date)s, "
               "was %(status)s.") % {"topic": t.topic, "institution": t.institution or "—",
                                    "type": InstitutionType(t.institution_type).label,
                                    "date": t.planned_on.isoformat(),
                                    "status": str(status).lower()}]
    if t.status_reason:
        lines.append(_("Reason: %(reason)s") % {"reason": t.status_reason})
    return {"title": title[:200], "country": t.country, "region": "",
            "started_on": min(t.planned_on, timezone.localdate()),
            "actors": ["national_authority"], "description": "\n".join(lines)}


@transaction.atomic
def incident_from_record(*, kind: str, record: Any, actor: User, network: Organisation,
                         title: str, description: str, actors: list[str], started_on: date | None,
                         country: str, region: str = "", severity: int = 2) -> UUID:
    """Reports a refused / unanswered access request, or a postponed / suspended training, as a
    civic-space incident ("denial of access to facilities" / "training for state institutions
    obstructed"), through the civic-space services, and links the two: the incident's id is kept
    on the record, and the incident page lists the record through civicspace's registry."""
    model = MODELS[kind]
    record = model._default_manager.select_for_update().select_related(
        "organisation").get(pk=record.pk)
    _refuse_unless_recorder(actor, record.organisation)
    if record.incident_id:
        raise ValidationError({"incident": [_("This record is already a civic-space incident.")]})
    if not may_become_incident(kind, record):
        raise ValidationError({"incident": [
            _("Only a refused or unanswered access request, or a postponed or suspended "
              "training, can become a civic-space incident.")]})
    if not civic_queries.networks_for_reporting(record.organisation).filter(
            pk=network.pk).exists():
        raise ValidationError({"network": [_("Your organisation is not a member of this "
                                             "network.")]})
    civic.restriction_types_seed()
    rtype = civic_queries.types_for_network(network.pk).filter(code=INCIDENT_TYPE[kind],
                                                               network__isnull=True).first()
    if rtype is None:
        raise ValidationError({"types": [_("The restriction type is not available.")]})
    incident = civic.incident_report(
        actor=actor, reporting_org=record.organisation, network=network,
        data=civic.IncidentData(
            title=title, started_on=started_on, country=country, description=description,
            actors=actors, type_ids=[rtype.pk], region=region, severity=severity,
            visibility="organisation",
            affected=[civic.Affected(organisation_id=record.organisation_id, anonymous=True,
                                     description=str(_("A member organisation of the "
                                                       "network")))]))
    record.incident_id = incident.pk
    record.save(update_fields=["incident_id", "updated_at"])
    audit_record(action="outreach.access.incident_reported" if kind == Kind.ACCESS
                 else "outreach.training.incident_reported", actor=actor,
                 organisation=record.organisation, obj=record,
                 payload={"incident": str(incident.pk), "network": network.pk})
    return incident.pk
