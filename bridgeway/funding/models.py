"""Funding and resilience: who funds an organisation, how much it received each year, what it
spends and holds, and the settings that decide who sees it. Amounts are money of organisations,
not personal data; the names of individual donors are never recorded (they are one group)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from bridgeway.funding.codes import FunderType, GrantStatus, Indicator, Source, ThresholdDirection
from bridgeway.orgs.models import Organisation


class Funder(models.Model):
    """The shared, searchable register of funders: every organisation picks from it."""

    name = models.CharField(_("name"), max_length=200)
    funder_type = models.CharField(_("funder type"), max_length=30, choices=FunderType.choices)
    country = models.CharField(_("country"), max_length=2, blank=True,
                               help_text=_("ISO 3166 country where the funder is based"))
    org_identifier = models.CharField(_("org-id"), max_length=80, blank=True,
                                      help_text=_("e.g. GB-CHC-1234567 or NL-KVK-12345678"))
    added_by = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), "country",
                                               name="funding_funder_unique_name")]

    def __str__(self) -> str:
        return self.name


class FundingProfile(models.Model):
    """The funding side of an organisation: its org-id code (orgs has no field for it)."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE,
                                        related_name="funding_profile")
    org_identifier = models.CharField(_("org-id"), max_length=80, blank=True,
                                      help_text=_("e.g. GB-CHC-1234567, NL-KVK-12345678, "
                                                  "MD-IDNO-1003600000000"))

    def __str__(self) -> str:
        return f"funding profile of {self.organisation_id}"


class FinancePerson(models.Model):
    """A member the organisation's administrator designated to see and edit its funding
    (administrators are finance people without a row here)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint("organisation", "user",
                                               name="funding_finance_person_unique")]

    def __str__(self) -> str:
        return f"finance person {self.user_id} of {self.organisation_id}"


class FundingRecord(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="funding_records")
    funder = models.ForeignKey(Funder, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="records",
                               help_text=_("Empty for individual donors as a group"))
    funder_type = models.CharField(_("funder type"), max_length=30, choices=FunderType.choices)
    funder_country = models.CharField(_("funder country"), max_length=2, blank=True)
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True, max_length=2000)
    restricted = models.BooleanField(_("restricted"), default=True,
                                     help_text=_("Restricted to a project; unticked for core money"))
    currency = models.CharField(_("currency"), max_length=3)
    amount_awarded = models.DecimalField(_("amount awarded"), max_digits=16, decimal_places=2,
                                   null=True, blank=True)
    starts_on = models.DateField(_("grant starts"), null=True, blank=True)
    ends_on = models.DateField(_("grant ends"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=GrantStatus.choices,
                              default=GrantStatus.AWARDED)
    paid_late = models.BooleanField(_("payments came late"), default=False)
    late_days = models.PositiveIntegerField(_("days late"), null=True, blank=True)
    delegated_state_work = models.BooleanField(
        _("delegated state work"), default=False,
        help_text=_("Victim services the state pays the organisation to deliver"))
    shared_with_network = models.BooleanField(
        _("shared with our networks"), default=False,
        help_text=_("Coordinators of the organisation's networks may see this record"))
    identifier = models.CharField(_("360Giving identifier"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "title", "pk"]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def received_total(self):
        return sum((r.amount for r in self.receipts.all()), start=0)


class FundingReceipt(models.Model):
    """Money of a record received in one year, in the record's currency."""

    record = models.ForeignKey(FundingRecord, on_delete=models.CASCADE, related_name="receipts")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount received"), max_digits=16, decimal_places=2)
    # Copies of the record's fields, written with it (services._write_record), so the network
    # view adds a year's money up from this table alone (see docs/funding.md, "Speed").
    currency = models.CharField(max_length=3, default="")
    funder_key = models.CharField(max_length=40, default="")
    funder_type = models.CharField(max_length=30, default="")
    funder_country = models.CharField(max_length=2, blank=True, default="")
    restricted = models.BooleanField(default=True)
    paid_late = models.BooleanField(default=False)
    counted = models.BooleanField(default=True, help_text="False once the grant is withdrawn")

    class Meta:
        ordering = ["year"]
        constraints = [models.UniqueConstraint("record", "year", name="funding_receipt_year")]
        indexes = [models.Index(fields=["year", "organisation"])]

    def __str__(self) -> str:
        return f"{self.year}: {self.amount}"


class ResilienceYear(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="resilience_years")
    year = models.PositiveSmallIntegerField(_("year"))
    currency = models.CharField(_("currency"), max_length=3)
    expenditure = models.DecimalField(_("annual expenditure"), max_digits=16, decimal_places=2,
                                   null=True, blank=True)
    reserves = models.DecimalField(_("unrestricted reserves"), max_digits=16, decimal_places=2,
                                   null=True, blank=True)
    staff = models.PositiveIntegerField(_("staff (people on contract)"), null=True, blank=True)
    contracts_end_6m = models.PositiveIntegerField(
        _("contracts ending within 6 months with no funding to continue"), default=0)
    contracts_end_12m = models.PositiveIntegerField(
        _("contracts ending within 12 months with no funding to continue"), default=0,
        help_text=_("Including those ending within 6 months"))
    services_cut = models.TextField(_("services cut or suspended for lack of funding"),
                                    blank=True, max_length=2000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint("organisation", "year",
                                               name="funding_resilience_year")]

    def __str__(self) -> str:
        return f"resilience {self.year} of {self.organisation_id}"


class EmergencyNeed(models.Model):
    resilience = models.ForeignKey(ResilienceYear, on_delete=models.CASCADE, related_name="needs")
    description = models.CharField(_("need"), max_length=300,
                                   help_text=_("e.g. protective equipment, quarantine-compliant "
                                               "shelter places"))
    cost = models.DecimalField(_("cost"), max_digits=16, decimal_places=2,
                                   null=True, blank=True)
    met = models.BooleanField(_("met"), default=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.description


class CurrencyRate(models.Model):
    """A yearly average rate imported by a platform administrator: units of `currency` per
    euro (the ECB's convention). Nothing is fetched from the internet."""

    currency = models.CharField(_("currency"), max_length=3)
    year = models.PositiveSmallIntegerField(_("year"))
    rate = models.DecimalField(_("units per euro"), max_digits=18, decimal_places=6)
    source = models.CharField(_("source"), max_length=200, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["currency", "-year"]
        constraints = [models.UniqueConstraint("currency", "year", name="funding_rate_unique")]

    def __str__(self) -> str:
        return f"{self.currency} {self.year}: {self.rate}"


class NetworkThreshold(models.Model):
    """A line the network draws: members whose indicator falls below (or above) it are listed."""

    network = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    indicator = models.CharField(_("indicator"), max_length=30, choices=Indicator.choices)
    direction = models.CharField(_("direction"), max_length=5, choices=ThresholdDirection.choices,
                                 default=ThresholdDirection.BELOW)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=4)

    class Meta:
        ordering = ["indicator"]
        constraints = [models.UniqueConstraint("network", "indicator",
                                               name="funding_threshold_unique")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.direction} {self.value}"


class SurveyIndicatorMapping(models.Model):
    """A network's mapping of a member-survey question to an indicator, so survey answers fill
    the network view for members who keep no ledger here. `question` names the question as the
    surveys app does ("<survey id>:<question name>")."""

    network = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    question = models.CharField(_("survey question"), max_length=200)
    indicator = models.CharField(_("indicator"), max_length=30, choices=Indicator.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator"]
        constraints = [models.UniqueConstraint("network", "question",
                                               name="funding_mapping_unique")]

    def __str__(self) -> str:
        return f"{self.question} -> {self.indicator}"


class SurveyIndicatorValue(models.Model):
    """An indicator value that came from a member's survey answer (source "survey")."""

    mapping = models.ForeignKey(SurveyIndicatorMapping, on_delete=models.CASCADE,
                                related_name="values")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SURVEY)

    class Meta:
        constraints = [models.UniqueConstraint("mapping", "organisation", "year",
                                               name="funding_survey_value_unique")]

    def __str__(self) -> str:
        return f"{self.mapping_id} {self.organisation_id} {self.year}"


class FundingYearSummary(models.Model):
    """An organisation-year's money added up in euros by `indicators.totals_for` (the member
    page's arithmetic), kept by the funding services in the same transaction as every write, so
    the network view reads one row per member and year instead of every receipt. `figures` holds
    the sums as exact decimal strings, the rates used and the currencies without a rate;
    `org_country` the country the foreign share was measured against. The network view checks
    both against the current rates and country and recomputes a row that no longer matches (see
    `funding.summary`)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    org_country = models.CharField(max_length=2, blank=True)
    figures = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint("year", "organisation",
                                               name="funding_year_summary_unique")]

    def __str__(self) -> str:
        return f"summary {self.year} of {self.organisation_id}"


class FundingOrgVersion(models.Model):
    """A token renewed in the same transaction as every write of an organisation's money or
    resilience figures (`funding.summary.changed`). The network view keeps each member's values
    with the token they were computed under and, after a write, recomputes only the members
    whose token moved, not the thousand others. A database row, not a cache key: it commits or
    rolls back with the write, and a thousand members do not crowd the cache."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE,
                                        primary_key=True, related_name="+")
    token = models.UUIDField()

    def __str__(self) -> str:
        return f"funding version of {self.organisation_id}"
