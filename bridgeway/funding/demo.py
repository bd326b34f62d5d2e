"""Demo funding: three years of records and resilience figures for the demo network's members,
so the screens show something on first run. Fictional funders and amounts; the demo rates are
round approximations of yearly averages, marked as demo figures.

- Lumina depends on one foreign foundation (about three quarters of its money);
- Safe Harbour lives on state-delegated shelter money;
- Open Roads has under three months of runway;
- Pas cu Pas has a mixed, healthier budget;
- Lumina has not entered last year's resilience figures: its months of runway come from its
  answer to the member survey (mapped by `map_survey`, run after the surveys demo)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from bridgeway.funding import queries, services
from bridgeway.funding.models import CurrencyRate, Funder, FundingRecord

DEMO_RATES = {"MDL": ("19.6", "19.4", "19.9"), "RON": ("4.93", "4.95", "4.97"),
              "USD": ("1.08", "1.08", "1.12")}

FUNDERS = [
    ("Nordlys Freedom Foundation (demo)", "foundation", "NO", "NO-BRC-900000001"),
    ("Ministry of Labour and Social Protection (demo)", "national_government", "MD", ""),
    ("National Agency against Trafficking in Persons (demo)", "national_government", "RO", ""),
    ("Constanța County Council (demo)", "local_government", "RO", ""),
    ("European Commission – AMIF (demo)", "eu", "BE", "XI-EU-AMIF"),
    ("Open Horizons Fund (demo)", "foundation", "US", "US-EIN-000000001"),
    ("Iași Business Circle (demo)", "corporate", "RO", ""),
]


def already_seeded() -> bool:
    return FundingRecord.objects.filter(title__endswith="(demo)").exists()


def seed_demo(orgs: dict, admins: dict) -> None:
    """`orgs` by demo key; `admins` maps an organisation key to its administrator."""
    if already_seeded():
        return
    last = timezone.localdate().year - 1
    years = [last - 2, last - 1, last]
    for cur, values in DEMO_RATES.items():
        for year, rate in zip(years, values, strict=True):
            CurrencyRate.objects.update_or_create(currency=cur, year=year, defaults={
                "rate": Decimal(rate), "source": "demo figures"})
    f = {}
    for name, kind, country, org_id in FUNDERS:
        f[name.split(" ")[0]], _c = Funder.objects.get_or_create(
            name=name, country=country, defaults={"funder_type": kind, "org_identifier": org_id})

    def grant(key, title, funder, amounts, *, currency="EUR", restricted=True, late=0,
              delegated=False, shared=False, ends=None):
        funder_obj = f.get(funder)
        services.record_add(actor=admins[key], org=orgs[key], data=services.RecordData(
            title=f"{title} (demo)", funder_type=funder_obj.funder_type if funder_obj else "individuals",
            funder_id=funder_obj.pk if funder_obj else None,
            funder_country=funder_obj.country if funder_obj else "", currency=currency,
            restricted=restricted, amount_awarded=sum(amounts, start=Decimal(0)),
            status="received", paid_late=late > 0, late_days=late or None,
            delegated_state_work=delegated, shared_with_network=shared,
            starts_on=date(years[0], 1, 1), ends_on=ends,
            received={y: Decimal(a) for y, a in zip(years, amounts, strict=True) if a}))

    def resilience(key, currency, rows):
        for year, row in zip(years, rows, strict=True):
            if row is None:
                continue
            spent, reserves, staff, end6, end12 = row
            services.resilience_save(actor=admins[key], org=orgs[key], data=services.ResilienceData(
                year=year, currency=currency, expenditure=Decimal(spent), reserves=Decimal(reserves),
                staff=staff, contracts_end_6m=end6, contracts_end_12m=end12,
                needs=[services.Need("Protective equipment for outreach", Decimal("1500"), True)]
                if year == last else []))

    ending = timezone.localdate().replace(day=1) + timedelta(days=120)
    # Lumina: one foreign foundation pays for most of it.
    grant("lumina", "Survivor support programme", "Nordlys", [Decimal(90000), Decimal(95000),
                                                               Decimal(98000)], ends=ending)
    grant("lumina", "Legal aid", "Ministry", [Decimal(300000), Decimal(350000), Decimal(360000)],
          currency="MDL", late=75)
    grant("lumina", "Individual donations", None, [Decimal(6000), Decimal(5500), Decimal(7000)],
          restricted=False)
    resilience("lumina", "EUR", [(118000, 40000, 14, 1, 3), (123000, 38000, 15, 2, 4), None])
    # Safe Harbour: state-delegated shelter money.
    grant("harbour", "Shelter places for survivors", "National",
          [Decimal(610000), Decimal(640000), Decimal(655000)], currency="RON", delegated=True,
          late=120, shared=True)
    grant("harbour", "Child protection beds", "Constanța", [Decimal(90000), Decimal(95000),
                                                            Decimal(99000)], currency="RON",
          delegated=True)
    grant("harbour", "Donations", None, [Decimal(4000), Decimal(4500), Decimal(5000)],
          restricted=False)
    resilience("harbour", "RON", [(700000, 150000, 22, 2, 4), (760000, 120000, 23, 3, 6),
                                  (800000, 90000, 23, 5, 9)])
    # Open Roads: little reserve, under three months of runway.
    grant("openroads", "Migrant workers' legal clinic", "European", [Decimal(40000), Decimal(42000),
                                                                    Decimal(30000)], late=45,
          ends=ending)
    grant("openroads", "Strategic litigation", "Open", [Decimal(12000), Decimal(0), Decimal(15000)],
          currency="USD")
    resilience("openroads", "EUR", [(52000, 15000, 7, 1, 2), (55000, 11000, 7, 2, 4),
                                    (58000, 9000, 6, 3, 5)])
    # Pas cu Pas: mixed.
    grant("pascupas", "Reintegration through work", "European", [Decimal(60000), Decimal(62000),
                                                                Decimal(65000)])
    grant("pascupas", "Job counselling", "National", [Decimal(80000), Decimal(85000),
                                                      Decimal(90000)], currency="RON")
    grant("pascupas", "Mentoring sponsorship", "Iași", [Decimal(30000), Decimal(35000),
                                                        Decimal(40000)], currency="RON",
          restricted=False)
    resilience("pascupas", "EUR", [(98000, 60000, 11, 0, 1), (104000, 65000, 12, 0, 1),
                                   (110000, 70000, 12, 1, 2)])


# The demo member survey's questions (bridgeway/surveys/demo.py) that feed indicators.
SURVEY_MAPPINGS = (("share_state", "state_share"), ("months_runway", "runway_months"))


def map_survey(network, coordinator) -> int:
    """Maps the demo survey's funding questions to indicators (answers already submitted count
    at once); returns how many mappings were added. Does nothing without the demo survey."""
    questions = {q.split(":", 1)[1]: q for q, _label in queries.survey_questions(network)}
    added = 0
    for name, indicator in SURVEY_MAPPINGS:
        key = questions.get(name)
        if key and not queries.mappings_of(network).filter(question=key).exists():
            services.mapping_set(actor=coordinator, network=network, question=key,
                                 indicator=indicator)
            added += 1
    return added
