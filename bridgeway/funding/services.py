"""Writes of the funding app. Each checks the actor may write, validates first (messages name
the field), writes in one transaction and records one audit event with codes and counts only."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

import pycountry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.funding import indicators, queries, summary
from bridgeway.funding.codes import BASE_CURRENCY, FunderType, GrantStatus, Indicator, ThresholdDirection
from bridgeway.funding.models import (
    CurrencyRate,
    EmergencyNeed,
    FinancePerson,
    Funder,
    FundingProfile,
    FundingReceipt,
    FundingRecord,
    NetworkThreshold,
    ResilienceYear,
    SurveyIndicatorMapping,
    SurveyIndicatorValue,
)
from bridgeway.orgs.codes import is_country
from bridgeway.orgs.models import Membership, Organisation
from bridgeway.protection.audit import audit_record
from bridgeway.surveys.registry import SubmittedAnswers, questions_of, submitted_answers

if TYPE_CHECKING:
    from bridgeway.accounts.models import User

# Larger than any anti-trafficking CSO's grant: a typo (or a pasted account number).
MAX_AMOUNT = Decimal("1000000000")
FIRST_YEAR = 1990


def is_currency(code: str) -> bool:
    return isinstance(code, str) and len(code) == 3 and code.isupper() and \
        pycountry.currencies.get(alpha_3=code) is not None


def check_amount(errors: dict, name: str, value: Decimal | None) -> None:
    if value is None:
        return
    if value < 0:
        errors.setdefault(name, []).append(_("The amount cannot be negative."))
    elif value > MAX_AMOUNT:
        errors.setdefault(name, []).append(
            _("%(amount)s is more than %(max)s: check the amount.")
            % {"amount": f"{value:,}", "max": f"{MAX_AMOUNT:,}"})


def check_year(errors: dict, name: str, year: int | None) -> None:
    this = timezone.localdate().year
    if year is None or not FIRST_YEAR <= year <= this + 1:
        errors.setdefault(name, []).append(
            _("Enter a year between %(first)s and %(last)s.") % {"first": FIRST_YEAR,
                                                                "last": this + 1})


def _as_finance(actor: User, org: Organisation) -> None:
    if not queries.may_see_funding(actor, org):
        raise PermissionDenied(_("Only the organisation's finance people may change its funding."))


def _as_coordinator(actor: User, network: Organisation) -> None:
    if not any(n.pk == network.pk for n in queries.coordinated_networks(actor)):
        raise PermissionDenied(_("Only the network's coordinators may change this."))


# --- the funder register ---------------------------------------------------------------------

@transaction.atomic
def funder_add(*, actor: User, org: Organisation, name: str, funder_type: str, country: str = "",
               org_identifier: str = "") -> Funder:
    _as_finance(actor, org)
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the funder's name.")]
    if funder_type not in FunderType.values:
        errors["funder_type"] = [_("Choose the kind of funder.")]
    if country and not is_country(country):
        errors["country"] = [_("Unknown country %(code)s: use an ISO 3166 code such as MD or RO.")
                             % {"code": country}]
    if name and Funder.objects.filter(name__iexact=name, country=country).exists():
        errors["name"] = [_("This funder is already in the register: search for it.")]
    if errors:
        raise ValidationError(errors)
    funder = Funder.objects.create(name=name, funder_type=funder_type, country=country,
                                   org_identifier=(org_identifier or "").strip(), added_by=org)
    audit_record(action="funding.funder.added", actor=actor, organisation=org, obj=funder)
    return funder


# --- funding records -------------------------------------------------------------------------

@dataclass
class RecordData:
    title: str
    funder_type: str
    currency: str
    funder_id: int | None = None
    funder_country: str = ""
    purpose: str = ""
    restricted: bool = True
    amount_awarded: Decimal | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    status: str = GrantStatus.AWARDED
    paid_late: bool = False
    late_days: int | None = None
    delegated_state_work: bool = False
    shared_with_network: bool = False
    identifier: str = ""
    received: dict[int, Decimal] = field(default_factory=dict)  # year -> amount


def validate_record(data: RecordData, *, rates: object = None) -> list[str]:
    """Raises ValidationError naming each field at fault; returns warnings (allowed, flagged)."""
    errors: dict[str, list[str]] = {}
    if not (data.title or "").strip():
        errors["title"] = [_("Give the grant a title.")]
    if data.funder_type not in FunderType.values:
        errors["funder_type"] = [_("Unknown funder type %(code)s.") % {"code": data.funder_type or "—"}]
    if data.funder_id is not None and not Funder.objects.filter(pk=data.funder_id).exists():
        errors["funder"] = [_("Unknown funder: choose one from the register.")]
    if data.funder_country and not is_country(data.funder_country):
        errors["funder_country"] = [_("Unknown country %(code)s: use an ISO 3166 code such as "
                                      "MD or RO.") % {"code": data.funder_country}]
    if not is_currency(data.currency or ""):
        errors["currency"] = [_("Unknown currency %(code)s: use an ISO 4217 code such as EUR, "
                                "MDL or RON.") % {"code": data.currency or "—"}]
    if data.status not in GrantStatus.values:
        errors["status"] = [_("Unknown status %(code)s.") % {"code": data.status or "—"}]
    check_amount(errors, "amount_awarded", data.amount_awarded)
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        errors["ends_on"] = [_("The grant ends before it starts.")]
    if data.late_days is not None and not data.paid_late and data.late_days > 0:
        errors["late_days"] = [_("Tick \"payments came late\" or leave the days empty.")]
    known = rates if rates is not None else queries.rates()
    for year, amount in sorted(data.received.items()):
        check_year(errors, "received", year)
        check_amount(errors, "received", amount)
        if "currency" not in errors and data.currency != BASE_CURRENCY and \
                known.get(data.currency, year) is None:  # type: ignore[attr-defined]
            errors.setdefault("received", []).append(
                _("No exchange rate for %(cur)s in %(year)s: a platform administrator imports "
                  "the yearly rates first.") % {"cur": data.currency, "year": year})
    if errors:
        raise ValidationError(errors)
    warnings = []
    received = sum(data.received.values(), start=Decimal(0))
    if data.amount_awarded is not None and received > data.amount_awarded:
        warnings.append(_("More was received (%(received)s) than awarded (%(awarded)s).")
                        % {"received": f"{received:,}", "awarded": f"{data.amount_awarded:,}"})
    return warnings


def _write_record(record: FundingRecord, data: RecordData) -> None:
    for name in ("title", "funder_type", "currency", "funder_id", "funder_country", "purpose",
                 "restricted", "amount_awarded", "starts_on", "ends_on", "status", "paid_late",
                 "late_days", "delegated_state_work", "shared_with_network", "identifier"):
        setattr(record, name, getattr(data, name))
    record.title = record.title.strip()
    record.save()
    years = set(record.receipts.values_list("year", flat=True)) | set(data.received)
    record.receipts.exclude(year__in=list(data.received)).delete()
    copies = receipt_copies(record)
    for year, amount in data.received.items():
        FundingReceipt.objects.update_or_create(record=record, year=year, defaults={
            "amount": amount, "organisation_id": record.organisation_id, **copies})
    summary.refresh([record.organisation_id], years)


def receipt_copies(record: FundingRecord) -> dict:
    """The record's fields each of its receipts carries (for the network's sums)."""
    return {"currency": record.currency,
            "funder_key": str(record.funder_id or record.funder_type),
            "funder_type": record.funder_type, "funder_country": record.funder_country,
            "restricted": record.restricted, "paid_late": record.paid_late,
            "counted": record.status != GrantStatus.WITHDRAWN}


@transaction.atomic
def record_add(*, actor: User, org: Organisation, data: RecordData) -> tuple[FundingRecord, list[str]]:
    _as_finance(actor, org)
    warnings = validate_record(data)
    record = FundingRecord(organisation=org, created_by=actor)
    _write_record(record, data)
    audit_record(action="funding.record.added", actor=actor, organisation=org, obj=record,
                 payload={"years": sorted(data.received)})
    return record, warnings


@transaction.atomic
def record_edit(*, actor: User, record: FundingRecord, data: RecordData) -> list[str]:
    _as_finance(actor, record.organisation)
    warnings = validate_record(data)
    _write_record(record, data)
    audit_record(action="funding.record.edited", actor=actor, organisation=record.organisation,
                 obj=record, payload={"years": sorted(data.received)})
    return warnings


@transaction.atomic
def record_delete(*, actor: User, record: FundingRecord) -> None:
    _as_finance(actor, record.organisation)
    org, pk = record.organisation, record.pk
    years = list(record.receipts.values_list("year", flat=True))
    record.delete()
    summary.refresh([org.pk], years)
    audit_record(action="funding.record.deleted", actor=actor, organisation=org,
                 payload={"record": pk})


# --- resilience ------------------------------------------------------------------------------

@dataclass
class Need:
    description: str
    cost: Decimal | None = None
    met: bool = False


@dataclass
class ResilienceData:
    year: int
    currency: str
    expenditure: Decimal | None = None
    reserves: Decimal | None = None
    staff: int | None = None
    contracts_end_6m: int = 0
    contracts_end_12m: int = 0
    services_cut: str = ""
    needs: list[Need] = field(default_factory=list)


@transaction.atomic
def resilience_save(*, actor: User, org: Organisation, data: ResilienceData) -> ResilienceYear:
    _as_finance(actor, org)
    errors: dict[str, list[str]] = {}
    check_year(errors, "year", data.year)
    if not is_currency(data.currency or ""):
        errors["currency"] = [_("Unknown currency %(code)s: use an ISO 4217 code such as EUR, "
                                "MDL or RON.") % {"code": data.currency or "—"}]
    check_amount(errors, "expenditure", data.expenditure)
    check_amount(errors, "reserves", data.reserves)
    for name in ("staff", "contracts_end_6m", "contracts_end_12m"):
        value = getattr(data, name)
        if value is not None and value < 0:
            errors[name] = [_("Cannot be negative.")]
    if data.contracts_end_6m > data.contracts_end_12m:
        errors["contracts_end_12m"] = [_("Contracts ending within 12 months include those ending "
                                         "within 6 months: at least %(n)s.")
                                       % {"n": data.contracts_end_6m}]
    if data.staff is not None and data.contracts_end_12m > data.staff:
        errors["contracts_end_12m"] = [_("More contracts end than there are staff (%(n)s).")
                                       % {"n": data.staff}]
    for i, need in enumerate(data.needs, start=1):
        if not need.description.strip():
            errors.setdefault("needs", []).append(_("Need %(n)s: describe it.") % {"n": i})
        check_amount(errors, "needs", need.cost)
    if errors:
        raise ValidationError(errors)
    res, _created = ResilienceYear.objects.update_or_create(
        organisation=org, year=data.year, defaults={
            "currency": data.currency, "expenditure": data.expenditure, "reserves": data.reserves,
            "staff": data.staff, "contracts_end_6m": data.contracts_end_6m,
            "contracts_end_12m": data.contracts_end_12m, "services_cut": data.services_cut})
    res.needs.all().delete()
    summary.changed([org.pk])  # the network view: this member's values are recomputed
    EmergencyNeed.objects.bulk_create([EmergencyNeed(resilience=res, description=n.description.strip(),
                                                     cost=n.cost, met=n.met) for n in data.needs])
    audit_record(action="funding.resilience.recorded", actor=actor, organisation=org, obj=res,
                 payload={"year": data.year})
    return res


# --- settings --------------------------------------------------------------------------------

@transaction.atomic
def finance_people_set(*, actor: User, org: Organisation, user_ids: list[int]) -> None:
    """The administrator designates which members see and edit the organisation's funding."""
    if not queries.may_manage_finance_people(actor, org):
        raise PermissionDenied(_("Only the organisation's administrators choose its finance people."))
    wanted = set(user_ids)
    members = set(Membership.objects.filter(organisation=org, is_active=True, user_id__in=wanted)
                  .values_list("user_id", flat=True))
    if wanted - members:
        raise ValidationError({"users": [_("Finance people must be members of the organisation.")]})
    FinancePerson.objects.filter(organisation=org).exclude(user_id__in=wanted).delete()
    for uid in wanted:
        FinancePerson.objects.get_or_create(organisation=org, user_id=uid)
    audit_record(action="funding.finance_people.changed", actor=actor, organisation=org,
                 payload={"count": len(wanted)})


ORG_ID_PREFIX = r"^[A-Z]{2,3}-[A-Z0-9]{2,}-\S+$"


@transaction.atomic
def profile_set(*, actor: User, org: Organisation, org_identifier: str) -> FundingProfile:
    import re

    _as_finance(actor, org)
    code = (org_identifier or "").strip()
    if code and not re.match(ORG_ID_PREFIX, code):
        raise ValidationError({"org_identifier": [_(
            "An org-id has a list prefix and an identifier, e.g. GB-CHC-1234567 or "
            "NL-KVK-12345678.")]})
    profile, _c = FundingProfile.objects.update_or_create(organisation=org,
                                                         defaults={"org_identifier": code})
    audit_record(action="funding.profile.edited", actor=actor, organisation=org, obj=profile)
    return profile


@transaction.atomic
def rates_import(*, actor: User, content: bytes, source: str = "") -> int:
    """A CSV of yearly rates, columns currency, year, rate (units per euro): all rows or none.
    A rate already there for the same currency and year is replaced."""
    if not queries.may_import_rates(actor):
        raise PermissionDenied(_("Only platform administrators import currency rates."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": [_("The file is not UTF-8 text.")]}) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not {"currency", "year", "rate"} <= set(header):
        raise ValidationError({"file": [_("The first row must name the columns currency, year "
                                          "and rate.")]})
    problems: list[str] = []
    rows: dict[tuple[str, int], Decimal] = {}
    for n, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        cur = row["currency"].upper()
        if not is_currency(cur) or cur == BASE_CURRENCY:
            problems.append(_("Row %(row)s, currency: unknown currency %(code)s.")
                            % {"row": n, "code": row["currency"] or "—"})
            continue
        try:
            year = int(row["year"])
            rate = Decimal(row["rate"].replace(",", "."))
        except (ValueError, InvalidOperation):
            problems.append(_("Row %(row)s: year must be a whole number and rate a number.")
                            % {"row": n})
            continue
        year_errors: dict = {}
        check_year(year_errors, "year", year)
        if year_errors:
            problems.append(_("Row %(row)s, year: %(message)s")
                            % {"row": n, "message": year_errors["year"][0]})
        if not rate.is_finite() or rate <= 0 or rate > Decimal("1000000"):
            problems.append(_("Row %(row)s, rate: must be a positive number of units per euro.")
                            % {"row": n})
            continue
        rows[(cur, year)] = rate
    if not rows and not problems:
        problems.append(_("The file has no rates."))
    if problems:
        raise ValidationError({"file": problems[:50]})
    for (cur, year), rate in rows.items():
        CurrencyRate.objects.update_or_create(currency=cur, year=year,
                                              defaults={"rate": rate, "source": source[:200]})
    summary.refresh_rates(rows)
    summary.changed()
    audit_record(action="funding.rates.imported", actor=actor, payload={"rows": len(rows)})
    return len(rows)


@transaction.atomic
def threshold_set(*, actor: User, network: Organisation, indicator: str, value: Decimal | None,
                  direction: str = ThresholdDirection.BELOW) -> NetworkThreshold | None:
    """Sets (or, with no value, removes) the network's line for one indicator."""
    _as_coordinator(actor, network)
    if indicator not in Indicator.values:
        raise ValidationError({"indicator": [_("Unknown indicator.")]})
    if direction not in ThresholdDirection.values:
        raise ValidationError({"direction": [_("Choose below or above.")]})
    if value is None:
        NetworkThreshold.objects.filter(network=network, indicator=indicator).delete()
        summary.changed()
        audit_record(action="funding.threshold.set", actor=actor, organisation=network,
                     payload={"indicator": indicator, "removed": True})
        return None
    th, _c = NetworkThreshold.objects.update_or_create(
        network=network, indicator=indicator, defaults={"value": value, "direction": direction})
    summary.changed()
    audit_record(action="funding.threshold.set", actor=actor, organisation=network, obj=th,
                 payload={"indicator": indicator})
    return th


@transaction.atomic
def mapping_set(*, actor: User, network: Organisation, question: str, indicator: str
                ) -> SurveyIndicatorMapping:
    """Maps a member-survey question ("<survey id>:<question name>", a question of one of the
    network's surveys answered with a number) to an indicator; answers already submitted count
    at once."""
    _as_coordinator(actor, network)
    question = (question or "").strip()
    errors: dict[str, list[str]] = {}
    if not question or ":" not in question:
        errors["question"] = [_("Name the question as <survey>:<question name>.")]
    else:
        found = {q.key: q for q in questions_of(network.pk)}.get(question)
        if found is None:
            errors["question"] = [_("No survey of this network has the question %(q)s.")
                                  % {"q": question}]
        elif not found.numeric:
            errors["question"] = [_("The question %(q)s is not answered with a number: map a "
                                    "question of type integer or decimal.") % {"q": question}]
    if indicator not in Indicator.values:
        errors["indicator"] = [_("Unknown indicator.")]
    if errors:
        raise ValidationError(errors)
    mapping, _c = SurveyIndicatorMapping.objects.update_or_create(
        network=network, question=question, defaults={"indicator": indicator})
    summary.changed()  # an indicator changed: its survey values move with it
    audit_record(action="funding.mapping.set", actor=actor, organisation=network, obj=mapping,
                 payload={"indicator": indicator})
    _survey_backfill(mapping)
    return mapping


def survey_value(indicator: str, raw: object) -> Decimal | None:
    """An answer as the indicator's value: percentages become fractions; not a number: None."""
    if isinstance(raw, bool) or raw is None or raw == "":
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or abs(value) > Decimal("1000000"):
        return None
    return value / 100 if indicator in indicators.PERCENT else value  # 40 % -> 0.4


def survey_year(submitted_at: datetime) -> int:
    """The year a submission's answers describe: member surveys ask about last year."""
    return timezone.localtime(submitted_at).year - 1


def survey_submission_apply(event: SubmittedAnswers) -> int:
    """The surveys registry's listener: a member submitted a survey; the answers to questions
    its network mapped become indicator values (a `surveys.registry.SubmittedAnswers`)."""
    stored = 0
    prefix = f"{event.survey_id}:"
    for mapping in SurveyIndicatorMapping.objects.filter(network_id=event.network_id,
                                                         question__startswith=prefix):
        value = survey_value(mapping.indicator, event.answers.get(mapping.question[len(prefix):]))
        if value is None:
            continue
        stored += survey_answers_apply(network=mapping.network, question=mapping.question,
                                       answers=[(event.organisation_id,
                                                 survey_year(event.submitted_at), value)])
    return stored


def _survey_backfill(mapping: SurveyIndicatorMapping) -> None:
    survey_id = mapping.question.split(":", 1)[0]
    if not survey_id.isdigit():
        return
    name = mapping.question.split(":", 1)[1]
    answers = []
    for event in submitted_answers(int(survey_id)):
        value = survey_value(mapping.indicator, event.answers.get(name))
        if value is not None:
            answers.append((event.organisation_id, survey_year(event.submitted_at), value))
    if answers:
        survey_answers_apply(network=mapping.network, question=mapping.question, answers=answers)


@transaction.atomic
def survey_answers_apply(*, network: Organisation, question: str,
                         answers: list[tuple[int, int, Decimal]]) -> int:
    """What the surveys app's submissions feed: (member organisation id, year, value) answers to
    a question the network mapped to an indicator become values with source "survey". Shares
    are fractions (0.4 for 40 %), runway in months. Answers to unmapped questions, or from
    organisations that are not members, are ignored. Returns how many values were stored."""
    from bridgeway.orgs.models import NetworkMembership

    mapping = SurveyIndicatorMapping.objects.filter(network=network, question=question).first()
    if mapping is None:
        return 0
    members = set(NetworkMembership.objects.filter(network=network).values_list("member_id",
                                                                                flat=True))
    stored = 0
    for org_id, year, value in answers:
        if org_id not in members or value is None:
            continue
        SurveyIndicatorValue.objects.update_or_create(
            mapping=mapping, organisation_id=org_id, year=year, defaults={"value": value})
        stored += 1
    summary.changed()
    audit_record(action="funding.survey_values.applied", actor=None, organisation=network,
                 obj=mapping, payload={"values": stored})
    return stored
