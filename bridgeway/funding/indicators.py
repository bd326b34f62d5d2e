"""The funding indicators: pure functions over an organisation-year's totals, the same for the
organisation's own page, the network view, the API and the exports. Each result carries its
formula (shown on screen), the figures that went in, the rates used, or why it cannot be computed.

Money is converted to euros with the yearly rate an administrator imported (units per euro, as
the ECB publishes them): amount ÷ rate of (currency, year). A sum that needs a rate nobody
imported is not computable, and says which rate is missing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridgeway.funding.codes import BASE_CURRENCY, FOREIGN_TYPES, STATE_TYPES, Indicator, Source

FORMULAS: dict[str, Any] = {
    Indicator.STATE_SHARE: gettext_lazy(
        "money received from national and local government ÷ all money received in the year"),
    Indicator.FOREIGN_SHARE: gettext_lazy(
        "money received from funders based in another country, the EU, foreign governments and "
        "international organisations ÷ all money received in the year"),
    Indicator.CORE_SHARE: gettext_lazy("unrestricted (core) money received ÷ all money received"),
    Indicator.RUNWAY: gettext_lazy("unrestricted reserves ÷ (annual expenditure ÷ 12)"),
    Indicator.TOP_FUNDER: gettext_lazy("money from the largest funder ÷ all money received"),
    Indicator.HHI: gettext_lazy(
        "sum over funders of (funder's share of the money received)²; 1 = a single funder"),
    Indicator.LATE_SHARE: gettext_lazy(
        "grants with money received in the year whose payments came late ÷ those grants"),
    Indicator.STAFF_AT_RISK: gettext_lazy(
        "contracts ending within 12 months with no funding to continue ÷ staff on contract"),
    Indicator.YOY: gettext_lazy(
        "(money received this year − money received last year) ÷ money received last year"),
}

PERCENT = frozenset({Indicator.STATE_SHARE, Indicator.FOREIGN_SHARE, Indicator.CORE_SHARE,
                     Indicator.TOP_FUNDER, Indicator.LATE_SHARE, Indicator.STAFF_AT_RISK,
                     Indicator.YOY})


@dataclass(frozen=True)
class Rate:
    currency: str
    year: int
    rate: Decimal

    def __str__(self) -> str:
        return f"1 {BASE_CURRENCY} = {self.rate.normalize():f} {self.currency} ({self.year})"


class Rates:
    """Yearly rates by (currency, year); the euro needs none."""

    def __init__(self, rows: Iterable[tuple[str, int, Decimal]] = ()) -> None:
        self._rates = {(c, y): Decimal(r) for c, y, r in rows}

    def get(self, currency: str, year: int) -> Rate | None:
        if currency == BASE_CURRENCY:
            return Rate(currency, year, Decimal(1))
        rate = self._rates.get((currency, year))
        return None if rate is None else Rate(currency, year, rate)


@dataclass(frozen=True)
class Receipt:
    """Money of one grant received in one year, in the grant's currency."""

    funder: str  # a key: the funder's id, or the funder type for a group such as individuals
    funder_type: str
    foreign: bool
    restricted: bool
    paid_late: bool
    grant: int
    currency: str
    amount: Decimal


def is_foreign(funder_type: str, funder_country: str, org_country: str) -> bool:
    return funder_type in FOREIGN_TYPES or bool(funder_country and funder_country != org_country)


@dataclass
class Totals:
    """An organisation-year's money in euros, and its resilience figures (in their own
    currency: runway is a ratio of two amounts in the same currency, so it needs no rate)."""

    year: int
    income: Decimal = Decimal(0)
    state: Decimal = Decimal(0)
    foreign: Decimal = Decimal(0)
    core: Decimal = Decimal(0)
    by_funder: dict[str, Decimal] = field(default_factory=dict)
    grants: int = 0
    late_grants: int = 0
    # concentration: the largest funder's money and the sum of squares of each funder's money
    # (from `by_funder` here; the network adds them up in the database)
    top: Decimal = Decimal(0)
    squares: Decimal = Decimal(0)
    funders: int = 0
    previous_income: Decimal | None = None
    expenditure: Decimal | None = None
    reserves: Decimal | None = None
    staff: int | None = None
    contracts_end_12m: int = 0
    has_resilience: bool = False
    rates_used: set[Rate] = field(default_factory=set)
    missing_rates: set[tuple[str, int]] = field(default_factory=set)
    previous_missing: set[tuple[str, int]] = field(default_factory=set)


def totals_for(year: int, receipts: Iterable[Receipt], rates: Rates,
               previous: Iterable[Receipt] | None = None) -> Totals:
    """Adds up one year's receipts in euros (the same arithmetic as the network's SQL)."""
    t = Totals(year=year)
    grants: dict[int, bool] = {}
    for r in receipts:
        rate = rates.get(r.currency, year)
        if rate is None:
            t.missing_rates.add((r.currency, year))
            continue
        if r.currency != BASE_CURRENCY:
            t.rates_used.add(rate)
        eur = r.amount / rate.rate
        t.income += eur
        if r.funder_type in STATE_TYPES:
            t.state += eur
        if r.foreign:
            t.foreign += eur
        if not r.restricted:
            t.core += eur
        t.by_funder[r.funder] = t.by_funder.get(r.funder, Decimal(0)) + eur
        grants[r.grant] = grants.get(r.grant, False) or r.paid_late
    t.grants = len(grants)
    t.late_grants = sum(grants.values())
    t.top = max(t.by_funder.values(), default=Decimal(0))
    t.squares = sum((v * v for v in t.by_funder.values()), start=Decimal(0))
    t.funders = len(t.by_funder)
    if previous is not None:
        prev = Decimal(0)
        for r in previous:
            rate = rates.get(r.currency, year - 1)
            if rate is None:
                t.previous_missing.add((r.currency, year - 1))
                continue
            if r.currency != BASE_CURRENCY:
                t.rates_used.add(rate)
            prev += r.amount / rate.rate
        t.previous_income = prev
    return t


@dataclass
class Result:
    indicator: str
    value: Decimal | None
    formula: str
    inputs: str = ""
    reason: str = ""  # why it is not computable
    rates: list[str] = field(default_factory=list)
    year: int = 0
    source: str = Source.LEDGER

    @property
    def computable(self) -> bool:
        return self.value is not None

    @property
    def label(self) -> str:
        return str(Indicator(self.indicator).label)

    @property
    def shown(self) -> str:
        return show(self.indicator, self.value) if self.value is not None else _("not computable")

    def as_dict(self) -> dict:
        return {"indicator": self.indicator, "label": self.label, "year": self.year,
                "value": None if self.value is None else float(self.value),
                "shown": self.shown, "formula": self.formula, "inputs": self.inputs,
                "reason": self.reason, "rates": self.rates, "source": self.source}


def show(indicator: str, value: Decimal | float) -> str:
    v = Decimal(str(value))
    if indicator in PERCENT:
        return f"{(v * 100).quantize(Decimal('0.1'))} %"
    if indicator == Indicator.RUNWAY:
        return _("%(n)s months") % {"n": v.quantize(Decimal("0.1"))}
    return f"{v.quantize(Decimal('0.001'))}"


def _money(v: Decimal) -> str:
    return f"{v.quantize(Decimal('0.01')):,} {BASE_CURRENCY}"


def _missing(missing: set[tuple[str, int]]) -> str:
    return _("no exchange rate imported for %(which)s") % {
        "which": ", ".join(f"{c} {y}" for c, y in sorted(missing))}


def values(t: Totals) -> dict[str, Decimal]:
    """The arithmetic of `compute` alone, for the network view (a thousand members at a time):
    the computable indicators' values, no text. `compute` takes its values from here, so the two
    cannot disagree."""
    out: dict[str, Decimal] = {}
    money_ok = not t.missing_rates and t.income > 0
    if money_ok:
        out[Indicator.STATE_SHARE] = t.state / t.income
        out[Indicator.FOREIGN_SHARE] = t.foreign / t.income
        out[Indicator.CORE_SHARE] = t.core / t.income
        out[Indicator.TOP_FUNDER] = t.top / t.income
        out[Indicator.HHI] = t.squares / (t.income * t.income)
    if t.has_resilience and t.expenditure is not None and t.expenditure > 0 \
            and t.reserves is not None:
        out[Indicator.RUNWAY] = t.reserves / (t.expenditure / 12)
    if t.grants:
        out[Indicator.LATE_SHARE] = Decimal(t.late_grants) / t.grants
    if t.has_resilience and t.staff:
        out[Indicator.STAFF_AT_RISK] = Decimal(t.contracts_end_12m) / t.staff
    if not t.missing_rates and not t.previous_missing and t.previous_income is not None \
            and t.previous_income > 0:
        out[Indicator.YOY] = (t.income - t.previous_income) / t.previous_income
    return out


def compute(t: Totals) -> list[Result]:
    """Every indicator for one organisation-year, in the order of `Indicator`."""
    rates = sorted(str(r) for r in t.rates_used) or [_("none needed: all amounts in %(c)s")
                                                      % {"c": BASE_CURRENCY}]
    out: list[Result] = []
    v = values(t)

    def add(ind: str, value: Decimal | None, inputs: str = "", reason: str = "",
            rate_list: list[str] | None = None) -> None:
        out.append(Result(ind, value, str(FORMULAS[ind]), inputs, reason,
                          rates if rate_list is None else rate_list, t.year))

    def share(ind: str, part: Decimal, what: str) -> None:
        if t.missing_rates:
            add(ind, None, reason=_missing(t.missing_rates))
        elif t.income <= 0:
            add(ind, None, reason=_("no money received in %(year)s") % {"year": t.year})
        else:
            add(ind, v[ind], f"{what}: {_money(part)} ÷ {_money(t.income)}")

    share(Indicator.STATE_SHARE, t.state, _("state"))
    share(Indicator.FOREIGN_SHARE, t.foreign, _("foreign"))
    share(Indicator.CORE_SHARE, t.core, _("core"))

    no_rate = [_("none needed: reserves and expenditure are in the same currency")]
    if not t.has_resilience:
        add(Indicator.RUNWAY, None, reason=_("no resilience figures for %(year)s")
            % {"year": t.year}, rate_list=no_rate)
    elif t.expenditure is None or t.expenditure <= 0:
        add(Indicator.RUNWAY, None, reason=_("no expenditure recorded for %(year)s (division by "
                                             "zero)") % {"year": t.year}, rate_list=no_rate)
    elif t.reserves is None:
        add(Indicator.RUNWAY, None, reason=_("no unrestricted reserves recorded for %(year)s")
            % {"year": t.year}, rate_list=no_rate)
    else:
        add(Indicator.RUNWAY, v[Indicator.RUNWAY],
            f"{t.reserves:,.2f} ÷ ({t.expenditure:,.2f} ÷ 12)", rate_list=no_rate)

    if t.missing_rates:
        add(Indicator.TOP_FUNDER, None, reason=_missing(t.missing_rates))
        add(Indicator.HHI, None, reason=_missing(t.missing_rates))
    elif t.income <= 0:
        reason = _("no money received in %(year)s") % {"year": t.year}
        add(Indicator.TOP_FUNDER, None, reason=reason)
        add(Indicator.HHI, None, reason=reason)
    else:
        add(Indicator.TOP_FUNDER, v[Indicator.TOP_FUNDER], f"{_money(t.top)} ÷ {_money(t.income)}")
        add(Indicator.HHI, v[Indicator.HHI], _("%(n)s funders") % {"n": t.funders})

    if t.grants == 0:
        add(Indicator.LATE_SHARE, None, reason=_("no grant paid money in %(year)s")
            % {"year": t.year}, rate_list=[])
    else:
        add(Indicator.LATE_SHARE, v[Indicator.LATE_SHARE],
            f"{t.late_grants} ÷ {t.grants}", rate_list=[])

    if not t.has_resilience or not t.staff:
        add(Indicator.STAFF_AT_RISK, None, reason=_("no staff recorded for %(year)s")
            % {"year": t.year}, rate_list=[])
    else:
        add(Indicator.STAFF_AT_RISK, v[Indicator.STAFF_AT_RISK],
            f"{t.contracts_end_12m} ÷ {t.staff}", rate_list=[])

    if t.missing_rates or t.previous_missing:
        add(Indicator.YOY, None, reason=_missing(t.missing_rates | t.previous_missing))
    elif t.previous_income is None or t.previous_income <= 0:
        add(Indicator.YOY, None, reason=_("no money received in %(year)s")
            % {"year": t.year - 1})
    else:
        add(Indicator.YOY, v[Indicator.YOY],
            f"({_money(t.income)} − {_money(t.previous_income)}) ÷ {_money(t.previous_income)}")
    return out


def quartiles(values: list[float]) -> tuple[float, float, float]:
    """(first quartile, median, third quartile), linear interpolation between order statistics
    (the "inclusive" method, as spreadsheets' QUARTILE and PostgreSQL's percentile_cont)."""
    xs = sorted(values)

    def at(p: float) -> float:
        pos = (len(xs) - 1) * p
        lo = int(pos)
        hi = min(lo + 1, len(xs) - 1)
        return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)

    return at(0.25), at(0.5), at(0.75)
