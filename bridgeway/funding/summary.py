"""The per-organisation-year summary the network view reads (issue 23's speed goal).

Each row is `indicators.totals_for` over the organisation-year's counted receipts with the
rates of that year (the member page's arithmetic, so the two cannot disagree), stored as exact
decimal strings. The services rewrite the rows a write touches inside the same transaction
(`refresh`: a record added, edited, deleted or imported; `refresh_rates`: a rate imported). The
network view (`totals`) reads at most two rows per member (the year and the year before) and
checks each against the current rates and the member's country: a row computed with another
rate, with a currency that has a rate now, or against another country is recomputed from the
receipts on the spot, so a stale row can cost time but never change a figure."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from uuid import uuid4

from django.core.cache import cache
from django.db import transaction

from bridgeway.funding import indicators
from bridgeway.funding.codes import BASE_CURRENCY

VERSION_KEY = "funding:view-version"


def changed(org_ids: Iterable[int] = ()) -> None:
    """Every write the network view reads (money, resilience, rates, thresholds, survey values)
    calls this: a new version, at once and again once the transaction commits (a view computed
    meanwhile from uncommitted-invisible data is cached under the first one, never read again).
    Caches keyed on `version()` (the network view's) are then never read again. A write of some
    organisations' money or resilience names them: their own tokens (`org_versions`) are renewed
    in the writing transaction, so the network recomputes only their values."""
    cache.set(VERSION_KEY, uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(VERSION_KEY, uuid4().hex, None))
    ids = sorted(set(org_ids))
    if ids:
        from bridgeway.funding.models import FundingOrgVersion

        FundingOrgVersion.objects.bulk_create(
            [FundingOrgVersion(organisation_id=pk, token=uuid4()) for pk in ids],
            update_conflicts=True, unique_fields=["organisation"], update_fields=["token"])


def org_versions(among: Any) -> dict[int, str]:
    """Each organisation's token (`among`: ids or a subquery of them); one without a row has
    none yet, and its first write gives it one (a change all the same)."""
    from bridgeway.funding.models import FundingOrgVersion

    return {pk: token.hex for pk, token in FundingOrgVersion.objects.filter(
        organisation_id__in=among).values_list("organisation_id", "token")}


def version() -> str:
    """The current version of the funding data (a token; a lost token is a new version)."""
    token = cache.get(VERSION_KEY)
    if token is None:
        cache.add(VERSION_KEY, uuid4().hex, None)
        token = cache.get(VERSION_KEY) or uuid4().hex
    return token


RECEIPT_FIELDS = ("organisation_id", "year", "record_id", "currency", "amount", "funder_key",
                  "funder_type", "funder_country", "restricted", "paid_late")


def _models() -> tuple[Any, Any, Any, Any]:
    from bridgeway.funding.models import CurrencyRate, FundingReceipt, FundingYearSummary
    from bridgeway.orgs.models import Organisation

    return FundingReceipt, CurrencyRate, FundingYearSummary, Organisation


def receipt(row: tuple, org_country: str) -> indicators.Receipt:
    _org, _year, record_id, currency, amount, key, ftype, fcountry, restricted, late = row
    return indicators.Receipt(funder=key, funder_type=ftype,
                              foreign=indicators.is_foreign(ftype, fcountry, org_country),
                              restricted=restricted, paid_late=late, grant=record_id,
                              currency=currency, amount=amount)


def figures(t: indicators.Totals) -> dict:
    return {"income": str(t.income), "state": str(t.state), "foreign": str(t.foreign),
            "core": str(t.core), "top": str(t.top), "squares": str(t.squares),
            "funders": t.funders, "grants": t.grants, "late": t.late_grants,
            "rates": {r.currency: str(r.rate) for r in t.rates_used},
            "missing": sorted(c for c, _y in t.missing_rates)}


def totals_from(year: int, f: dict) -> indicators.Totals:
    return indicators.Totals(
        year=year, income=Decimal(f["income"]), state=Decimal(f["state"]),
        foreign=Decimal(f["foreign"]), core=Decimal(f["core"]), top=Decimal(f["top"]),
        squares=Decimal(f["squares"]), funders=f["funders"], grants=f["grants"],
        late_grants=f["late"],
        rates_used={indicators.Rate(c, year, Decimal(r)) for c, r in f["rates"].items()},
        missing_rates={(c, year) for c in f["missing"]})


def fresh(f: dict, row_country: str, country: str, rates: indicators.Rates, year: int) -> bool:
    """Whether a stored row still holds: same country, same rates, no rate newly imported."""
    if row_country != country:
        return False
    for currency, rate in f["rates"].items():
        now = rates.get(currency, year)
        if now is None or now.rate != Decimal(rate):
            return False
    return all(rates.get(c, year) is None for c in f["missing"])


def compute(org_ids: Iterable[int], years: Iterable[int], *, models: tuple | None = None
            ) -> dict[tuple[int, int], tuple[str, indicators.Totals]]:
    """(organisation, year) -> (country, totals) from the receipts, for every pair of the given
    organisations and years that has counted receipts."""
    receipt_m, rate_m, _summary_m, org_m = models or _models()
    ids, yrs = sorted(set(org_ids)), sorted(set(years))
    if not ids or not yrs:
        return {}
    rates = indicators.Rates(rate_m.objects.filter(year__in=yrs)
                             .values_list("currency", "year", "rate"))
    countries = dict(org_m.objects.filter(pk__in=ids).values_list("pk", "country"))
    grouped: dict[tuple[int, int], list[indicators.Receipt]] = {}
    for row in (receipt_m.objects.filter(organisation_id__in=ids, year__in=yrs, counted=True)
                .order_by("organisation_id", "year", "pk").values_list(*RECEIPT_FIELDS)):
        grouped.setdefault((row[0], row[1]), []).append(receipt(row, countries[row[0]]))
    return {(org, year): (countries[org], indicators.totals_for(year, rs, rates))
            for (org, year), rs in grouped.items()}


def refresh(org_ids: Iterable[int], years: Iterable[int], *, models: tuple | None = None) -> None:
    """Rewrites the summary rows of these organisations and years (call inside the writing
    transaction); a pair without counted receipts loses its row. Renews the organisations'
    tokens, except with a migration's historical models (no tokens nor cache then)."""
    historical, models = models is not None, models or _models()
    summary_m = models[2]
    ids, yrs = sorted(set(org_ids)), sorted(set(years))
    if not ids or not yrs:
        return
    computed = compute(ids, yrs, models=models)
    if not historical:  # a migration touches no cache (see rebuild)
        changed(ids)
    summary_m.objects.filter(organisation_id__in=ids, year__in=yrs).delete()
    summary_m.objects.bulk_create(
        [summary_m(organisation_id=org, year=year, org_country=country, figures=figures(t))
         for (org, year), (country, t) in sorted(computed.items())], batch_size=1000)


def refresh_rates(pairs: Iterable[tuple[str, int]]) -> None:
    """After rates were imported: the organisation-years with money in those currencies."""
    receipt_m = _models()[0]
    by_year: dict[int, set[str]] = {}
    for currency, year in pairs:
        if currency != BASE_CURRENCY:
            by_year.setdefault(year, set()).add(currency)
    for year, currencies in sorted(by_year.items()):
        orgs = set(receipt_m.objects.filter(year=year, currency__in=sorted(currencies))
                   .values_list("organisation_id", flat=True).distinct())
        for chunk in range(0, len(orgs), 500):
            refresh(sorted(orgs)[chunk:chunk + 500], [year])


def rebuild(*, models: tuple | None = None) -> int:
    """Every row again from the receipts (the migration that adds the table, data loaded
    without the services such as the benchmark's); returns the number of rows."""
    historical, models = models is not None, models or _models()
    receipt_m, summary_m = models[0], models[2]
    summary_m.objects.all().delete()
    if not historical:
        # Not from the migration: on a new database the cache's table does not exist yet
        # (`createcachetable` comes after `migrate`), and a summary rebuilt from the same
        # receipts leaves every kept view right.
        changed()
    pairs = sorted(set(receipt_m.objects.filter(counted=True)
                       .values_list("year", "organisation_id").distinct()))
    by_year: dict[int, list[int]] = {}
    for year, org in pairs:
        by_year.setdefault(year, []).append(org)
    for year, orgs in by_year.items():
        for chunk in range(0, len(orgs), 500):
            refresh(orgs[chunk:chunk + 500], [year], models=models if historical else None)
    if not historical:  # every organisation's values may have moved: a new token for each
        from bridgeway.funding.models import FundingOrgVersion

        changed({org for _y, org in pairs}
                | set(FundingOrgVersion.objects.values_list("organisation_id", flat=True)))
    return len(pairs)


def totals(countries: dict[int, str], year: int, rates: indicators.Rates, among: Any = None
           ) -> dict[int, indicators.Totals]:
    """Every given member's totals for the year (money and last year's income; no resilience)
    from at most two summary rows each; `rates` must hold the year's and the year before's."""
    summary_m = _models()[2]
    rows: dict[tuple[int, int], tuple[str, dict]] = {}
    stale: set[int] = set()
    ids = list(countries) if among is None else among  # `among`: the same ids as a subquery
    for org, y, country, f in (summary_m.objects.filter(organisation_id__in=ids,
                                                        year__in=[year, year - 1])
                               .values_list("organisation_id", "year", "org_country", "figures")):
        if org not in countries:
            continue
        if fresh(f, country, countries[org], rates, y):
            rows[(org, y)] = (country, f)
        else:
            stale.add(org)
    recomputed = compute(stale, [year, year - 1])
    out: dict[int, indicators.Totals] = {}
    for org in countries:
        if org in stale:
            this, last = recomputed.get((org, year)), recomputed.get((org, year - 1))
            t = this[1] if this else indicators.Totals(year=year)
            prev = last[1] if last else None
        else:
            got, had = rows.get((org, year)), rows.get((org, year - 1))
            t = totals_from(year, got[1]) if got else indicators.Totals(year=year)
            prev = totals_from(year - 1, had[1]) if had else None
        # as totals_for with `previous`: last year's money, its missing rates and rates used
        t.previous_income = prev.income if prev else Decimal(0)
        if prev:
            t.previous_missing = {(c, year - 1) for c, _y in prev.missing_rates}
            t.rates_used |= prev.rates_used
        out[org] = t
    return out
