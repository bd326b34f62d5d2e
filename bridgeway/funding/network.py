"""The network view: every member's indicators for one year, computed with the same formulas as
the member's own page (`indicators.compute`) from totals the database adds up in a few
statements, then shown as distributions (quartiles and median) by country and organisation
type. Groups of fewer than `MIN_GROUP` members are suppressed, and no member's funder is named:
the funder key is only used to measure concentration."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bridgeway.funding import indicators, summary
from bridgeway.funding.codes import Indicator, Source
from bridgeway.funding.models import (
    CurrencyRate,
    NetworkThreshold,
    ResilienceYear,
    SurveyIndicatorValue,
)
from bridgeway.orgs.codes import OrgType, country_name
from bridgeway.orgs.models import NetworkMembership, Organisation


def min_group() -> int:
    """Fewer members than this in a group and its distribution is not shown (as the statistics
    dashboards hide small cells); configurable, never below 3."""
    return max(3, int(getattr(settings, "BRIDGEWAY_FUNDING_MIN_GROUP", 3)))


def _totals(members: dict[int, Any], year: int, among: Any = None
            ) -> dict[int, indicators.Totals]:
    """Every member's totals for the year in three statements: the year's rates, the members'
    summary rows for the year and the year before (`funding.summary`, kept by the services: one
    row per member and year, the member page's arithmetic), and the resilience rows."""
    ids = list(members) if among is None else among  # a subquery: no thousand parameters
    rates = indicators.Rates(CurrencyRate.objects.filter(year__in=[year, year - 1])
                             .values_list("currency", "year", "rate"))
    out = summary.totals({pk: m.country for pk, m in members.items()}, year, rates, among)
    for res in ResilienceYear.objects.filter(organisation_id__in=ids, year=year).values(
            "organisation_id", "expenditure", "reserves", "staff", "contracts_end_12m"):
        t = out[res["organisation_id"]]
        t.has_resilience = True
        t.expenditure, t.reserves = res["expenditure"], res["reserves"]
        t.staff, t.contracts_end_12m = res["staff"], res["contracts_end_12m"]
    return out


@dataclass
class Distribution:
    group: str
    n: int
    suppressed: bool
    q1: float | None = None
    median: float | None = None
    q3: float | None = None
    from_survey: int = 0

    indicator: str = ""
    text: str = ""  # as shown in a table cell: built once, not by a template per cell

    @property
    def shown_values(self) -> dict:
        return self.shown(self.indicator)

    def shown(self, indicator: str) -> dict:
        if self.suppressed or self.median is None:
            return {}
        return {k: indicators.show(indicator, v)
                for k, v in (("q1", self.q1), ("median", self.median), ("q3", self.q3))
                if v is not None}


@dataclass
class IndicatorView:
    indicator: str
    label: str
    formula: str
    overall: Distribution
    by_country: list[Distribution]
    by_type: list[Distribution]
    not_computable: int = 0


@dataclass
class NetworkView:
    network: Organisation
    year: int
    members: int
    min_group: int
    indicators: list[IndicatorView] = field(default_factory=list)
    below: list[dict] = field(default_factory=list)
    rates: list[str] = field(default_factory=list)
    ledger_members: int = 0
    survey_members: int = 0
    survey_set_aside: int = 0  # survey answers not used: the member's ledger gave the figure


def _distribution(group: str, values: list[tuple[float, str]], k: int, indicator: str = ""
                  ) -> Distribution:
    n = len(values)
    d = Distribution(group=group, n=n, suppressed=0 < n < k, indicator=indicator,
                     from_survey=sum(1 for _v, s in values if s == Source.SURVEY))
    if n and not d.suppressed:
        d.q1, d.median, d.q3 = indicators.quartiles([v for v, _s in values])
    if d.suppressed:
        d.from_survey = 0  # a small group says nothing about its members, not even the source
        d.text = _("fewer than %(k)s members: not shown") % {"k": k}
    elif not n:
        d.text = "—"
    else:
        s = d.shown(indicator) if indicator else {}
        d.text = f"{s.get('median', '')} ({s.get('q1', '')} – {s.get('q3', '')}) · n = {n}"
        if d.from_survey:
            d.text += " · " + _("%(n)s from survey answers") % {"n": d.from_survey}
    return d


class Member(NamedTuple):
    """What the network view needs of a member (a thousand at a time: no model instances)."""

    pk: int
    name: str
    country: str
    org_type: str


def member_values(network: Organisation, year: int, set_aside: set | None = None,
                  fp: str = "") -> tuple[
        dict[int, Member], dict[int, dict[str, tuple[float, str]]], set[indicators.Rate], int]:
    """Every member's indicator values for the year with where each came from, the rates used
    and how many values could not be computed. A ledger figure wins over a survey answer; the
    (member, indicator) pairs whose survey answer was set aside go into `set_aside`.

    Each member's values from its ledger are kept (`_ledger_values`: only the members a write
    touched are recomputed); the members, the survey answers and the kept values are read each
    time (a handful of statements: no whole copy of a thousand members' values written to the
    cache after every write)."""
    found = _member_values(network, year, fp)
    if set_aside is not None:
        set_aside |= found[4]
    return found[:4]


def _member_values(network: Organisation, year: int, fp: str = "") -> tuple[
        dict[int, Member], dict[int, dict[str, tuple[float, str]]], set[indicators.Rate], int,
        set[tuple[int, str]]]:
    set_aside: set[tuple[int, str]] = set()
    among = NetworkMembership.objects.filter(network=network, member__is_active=True
                                             ).values("member_id")
    members = {pk: Member(pk, name, country, org_type) for pk, name, country, org_type in
               Organisation.objects.filter(pk__in=among)
               .values_list("pk", "name", "country", "org_type")}
    ledger = _ledger_values(network, year, members, among, fp)
    values: dict[int, dict[str, tuple[float, str]]] = {pk: {} for pk in members}
    rates: set[indicators.Rate] = set()
    not_computable = 0
    for pk in members:
        found, used = ledger[pk]
        if found is None:
            continue  # keeps no ledger here: survey answers may fill in
        not_computable += len(Indicator) - len(found)
        values[pk] = {ind: (v, LEDGER) for ind, v in found.items()}
        rates |= used
    for v in SurveyIndicatorValue.objects.filter(
            mapping__network=network, year=year, organisation_id__in=among).values(
            "organisation_id", "mapping__indicator", "value"):
        got = values[v["organisation_id"]].setdefault(v["mapping__indicator"],
                                                      (float(v["value"]), SURVEY))
        if got[1] == LEDGER:
            set_aside.add((v["organisation_id"], v["mapping__indicator"]))
    return members, values, rates, not_computable, set_aside


LEDGER, SURVEY = Source.LEDGER.value, Source.SURVEY.value  # plain text: pickled a thousand times

LedgerValues = tuple[dict[str, float] | None, frozenset[indicators.Rate]]


def _ledger_values(network: Organisation, year: int, members: dict[int, Member], among: Any,
                   fp: str = "") -> dict[int, LedgerValues]:
    """Each member's indicator values from its ledger for the year (None: keeps no ledger here)
    with the rates they used. Kept in the cache member by member with the member's token
    (`summary.org_versions`, renewed in the transaction of each write of its money or
    resilience): after a write only the members whose token moved are recomputed, not the
    thousand others. The tokens are read before the figures, so a write committing meanwhile
    leaves a newer token than the values kept: they are recomputed on the next read. The key
    holds the members' fingerprint and the two years' rates (`_fingerprint`): a member moved to
    another country or a rate changed recomputes them all."""
    seconds = _cache_seconds()
    key = ":".join(("funding:network:ledger", str(network.pk), str(year),
                    fp or _fingerprint(network, year))) if seconds else ""
    tokens = summary.org_versions(among) if key else {}
    kept: dict[int, tuple[str | None, LedgerValues]] = (cache.get(key) or {}) if key else {}
    todo = {pk: m for pk, m in members.items()
            if pk not in kept or kept[pk][0] != tokens.get(pk)}
    if todo:
        # all of them: the membership subquery; a few after a write: their ids
        totals = _totals(todo, year, among if len(todo) == len(members) else None)
        for pk, t in totals.items():
            if not (t.income or t.has_resilience or t.missing_rates):
                kept[pk] = (tokens.get(pk), (None, frozenset()))
            else:
                kept[pk] = (tokens.get(pk), ({str(ind): float(v) for ind, v in
                                               indicators.values(t).items()},
                                              frozenset(t.rates_used)))
        if key:
            # equal rate sets as one object: pickled once, not once per member
            same: dict[frozenset, frozenset] = {}
            cache.set(key, {pk: (tok, (got, same.setdefault(used, used)))
                            for pk, (tok, (got, used)) in ((pk, kept[pk]) for pk in members)},
                      seconds)
    return {pk: kept[pk][1] for pk in members}


def _cache_seconds() -> int:
    return max(0, int(getattr(settings, "BRIDGEWAY_FUNDING_VIEW_CACHE_SECONDS", 600)))


def _fingerprint(network: Organisation, year: int) -> str:
    """The network's active members (how many, which, their last change: a member added,
    removed, deactivated, renamed or moved to another country) and the two years' rates (changed
    around the services, a restore: noticed, as the summary rows' check): two statements."""
    fp = (NetworkMembership.objects.filter(network=network, member__is_active=True)
          .aggregate(n=Count("member_id"), ids=Sum("member_id"), at=Max("member__updated_at")))
    at = fp["at"].timestamp() if fp["at"] else 0
    created = network.created_at.timestamp() if network.created_at else 0
    rates = CurrencyRate.objects.filter(year__in=[year, year - 1]).aggregate(
        n=Count("pk"), s=Sum("rate"))
    return ":".join(str(p) for p in (created, fp["n"], fp["ids"], at, rates["n"], rates["s"]))


def _cache_key(kind: str, network: Organisation, year: int, fp: str, *parts: str) -> str:
    """The funding data's version (renewed by every funding write) and `_fingerprint`."""
    return ":".join(str(p) for p in (
        "funding:network", kind, network.pk, year, summary.version(), fp, *parts))


def network_view(network: Organisation, year: int, *, country: str = "", org_type: str = ""
                 ) -> NetworkView:
    """The view as the coordinator's screen and the API show it, in the current language;
    cached like `member_values` (a write of funding data, thresholds included, or a change of
    the members is a new key)."""
    seconds = _cache_seconds()
    fp = _fingerprint(network, year) if seconds else ""
    key = _cache_key("view", network, year, fp, country, org_type, get_language() or "",
                     str(min_group())) if seconds else ""
    if key:
        got = cache.get(key)
        if got is not None:
            got.network = network
            return got
    view = _network_view(network, year, country=country, org_type=org_type, fp=fp)
    if key:
        cache.set(key, view, seconds)
    return view


def _network_view(network: Organisation, year: int, *, country: str = "", org_type: str = "",
                  fp: str = "") -> NetworkView:
    set_aside: set[tuple[int, str]] = set()
    members, values, rates, _nc = member_values(network, year, set_aside, fp)
    if country:
        members = {pk: m for pk, m in members.items() if m.country == country}
    if org_type:
        members = {pk: m for pk, m in members.items() if m.org_type == org_type}
    k = min_group()
    view = NetworkView(network=network, year=year, members=len(members), min_group=k,
                       rates=sorted(str(r) for r in rates))
    view.ledger_members = sum(1 for pk in members
                              if any(s == Source.LEDGER for _v, s in values[pk].values()))
    view.survey_members = sum(1 for pk in members
                              if values[pk] and all(s == Source.SURVEY for _v, s in values[pk].values()))
    view.survey_set_aside = sum(1 for pk, _i in set_aside if pk in members)
    types = dict(OrgType.choices)
    for ind in Indicator:
        have = {pk: values[pk][ind] for pk in members if ind in values[pk]}
        by_country: dict[str, list] = {}
        by_type: dict[str, list] = {}
        for pk, v in have.items():
            by_country.setdefault(members[pk].country, []).append(v)
            by_type.setdefault(members[pk].org_type, []).append(v)
        view.indicators.append(IndicatorView(
            indicator=ind, label=str(ind.label), formula=str(indicators.FORMULAS[ind]),
            overall=_distribution(str(network), list(have.values()), k, ind),
            by_country=[_distribution(country_name(c), vs, k, ind)
                        for c, vs in sorted(by_country.items())],
            by_type=[_distribution(str(types.get(t, t)), vs, k, ind)
                     for t, vs in sorted(by_type.items())],
            not_computable=len(members) - len(have)))
    sources = {s.value: str(s.label) for s in Source}
    by_name = sorted(members.items(), key=lambda kv: kv[1].name)
    for th in NetworkThreshold.objects.filter(network=network):
        label, direction = str(Indicator(th.indicator).label), th.get_direction_display()
        threshold, limit = indicators.show(th.indicator, th.value), float(th.value)
        for pk, member in by_name:
            got = values[pk].get(th.indicator)
            if got is None:
                continue
            hit = got[0] < limit if th.direction == "below" else got[0] > limit
            if hit:
                view.below.append({"member": member.name, "member_id": pk,
                                   "indicator": th.indicator, "label": label,
                                   "direction": direction, "threshold": threshold,
                                   "value": indicators.show(th.indicator, got[0]),
                                   "source": sources[got[1]]})
    return view


def country_dependence(network: Organisation, country: str, year: int) -> dict:
    """The members' dependence on foreign funding in one country, for the civic-space page."""
    members, values, _rates, _nc = member_values(network, year)
    here = [values[pk][Indicator.FOREIGN_SHARE] for pk, m in members.items()
            if m.country == country and Indicator.FOREIGN_SHARE in values[pk]]
    d = _distribution(country_name(country), here, min_group())
    return {"network": network.name, "year": year, "n": d.n, "suppressed": d.suppressed,
            "min_group": min_group(), "shown": d.shown(Indicator.FOREIGN_SHARE),
            "formula": str(indicators.FORMULAS[Indicator.FOREIGN_SHARE])}
