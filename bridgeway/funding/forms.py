import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgeway.funding.codes import FunderType, GrantStatus, Indicator, ThresholdDirection
from bridgeway.orgs.codes import country_choices

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _countries():
    return [("", "—"), *country_choices()]


def parse_received(text: str) -> dict[int, Decimal]:
    """Lines "2025 12000.50" (or "2025: 12000"): money received by year."""
    out: dict[int, Decimal] = {}
    for n, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        m = re.match(r"^(\d{4})\s*[:=]?\s*(-?[\d.,\s]+)$", line)
        if not m:
            raise forms.ValidationError(
                _("Line %(n)s: write the year and the amount, e.g. 2025 12000."), params={"n": n})
        try:
            amount = Decimal(m.group(2).replace(" ", "").replace(",", ""))
        except InvalidOperation:
            raise forms.ValidationError(_("Line %(n)s: the amount is not a number."),
                                        params={"n": n}) from None
        year = int(m.group(1))
        if year in out:
            raise forms.ValidationError(_("Line %(n)s: %(year)s is there twice."),
                                        params={"n": n, "year": year})
        out[year] = amount
    return out


class RecordForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    funder = forms.TypedChoiceField(label=_("Funder"), coerce=int, required=False, empty_value=None,
                                    choices=[], help_text=_("From the shared register; empty for "
                                                            "individual donors as a group."))
    funder_type = forms.ChoiceField(label=_("Funder type"), choices=FunderType.choices)
    funder_country = forms.ChoiceField(label=_("Funder country"), choices=_countries, required=False)
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 2}),
                              max_length=2000, required=False)
    restricted = forms.BooleanField(label=_("Restricted to a project (untick for core money)"),
                                    required=False, initial=True)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="EUR",
                               help_text=_("ISO 4217, e.g. EUR, MDL, RON, USD"))
    amount_awarded = forms.DecimalField(label=_("Amount awarded"), required=False, max_digits=16,
                                        decimal_places=2)
    received = forms.CharField(
        label=_("Received by year"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One line per year: the year and the amount, e.g. 2025 12000"))
    starts_on = forms.DateField(label=_("Grant starts"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("Grant ends"), required=False, widget=DATE)
    status = forms.ChoiceField(label=_("Status"), choices=GrantStatus.choices,
                               initial=GrantStatus.AWARDED)
    paid_late = forms.BooleanField(label=_("Payments came late"), required=False)
    late_days = forms.IntegerField(label=_("By how many days"), required=False, min_value=0)
    delegated_state_work = forms.BooleanField(
        label=_("Delegated state work (victim services paid by the state)"), required=False)
    shared_with_network = forms.BooleanField(
        label=_("Share this record with our networks' coordinators"), required=False)

    def __init__(self, *args, funders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funder"].choices = [("", _("Individual donors / not in the register")),
                                         *[(f.pk, f"{f.name} ({f.country or '—'})") for f in funders]]

    def clean_currency(self):
        return (self.cleaned_data.get("currency") or "").strip().upper()

    def clean_received(self):
        return parse_received(self.cleaned_data.get("received", ""))


class ResilienceForm(forms.Form):
    year = forms.IntegerField(label=_("Year"))
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="EUR")
    expenditure = forms.DecimalField(label=_("Annual expenditure"), required=False, max_digits=16,
                                     decimal_places=2)
    reserves = forms.DecimalField(label=_("Unrestricted reserves"), required=False, max_digits=16,
                                  decimal_places=2)
    staff = forms.IntegerField(label=_("Staff on contract"), required=False)
    contracts_end_6m = forms.IntegerField(
        label=_("Contracts ending within 6 months with no funding to continue"), initial=0)
    contracts_end_12m = forms.IntegerField(
        label=_("Contracts ending within 12 months with no funding to continue"), initial=0,
        help_text=_("Including those ending within 6 months"))
    services_cut = forms.CharField(label=_("Services cut or suspended for lack of funding"),
                                   widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                   max_length=2000)
    needs = forms.CharField(
        label=_("Emergency and contingency needs"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: what; cost; met or not met — e.g. "
                    "\"Protective equipment; 1200; met\""))

    def clean_currency(self):
        return (self.cleaned_data.get("currency") or "").strip().upper()

    def clean_needs(self):
        out = []
        for n, line in enumerate((self.cleaned_data.get("needs") or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")]
            cost = None
            if len(parts) > 1 and parts[1]:
                try:
                    cost = Decimal(parts[1].replace(",", ""))
                except InvalidOperation:
                    raise forms.ValidationError(_("Line %(n)s: the cost is not a number."),
                                                params={"n": n}) from None
            met = len(parts) > 2 and parts[2].lower() in ("met", "yes", "y", "1", "true")
            out.append((parts[0], cost, met))
        return out


class FunderForm(forms.Form):
    name = forms.CharField(label=_("Funder's name"), max_length=200)
    funder_type = forms.ChoiceField(label=_("Funder type"), choices=FunderType.choices)
    country = forms.ChoiceField(label=_("Country"), choices=_countries, required=False)
    org_identifier = forms.CharField(label=_("Org-id"), max_length=80, required=False,
                                     help_text=_("e.g. GB-CHC-1234567 or NL-KVK-12345678"))


class ProfileForm(forms.Form):
    org_identifier = forms.CharField(label=_("Our org-id"), max_length=80, required=False,
                                     help_text=_("e.g. MD-IDNO-1003600000000 or GB-CHC-1234567"))


class FinancePeopleForm(forms.Form):
    users = forms.TypedMultipleChoiceField(label=_("Finance people"), coerce=int, required=False,
                                           widget=forms.CheckboxSelectMultiple, choices=[],
                                           help_text=_("Administrators always are."))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].choices = [(u.pk, u.full_name or u.email) for u in members]


class ImportForm(forms.Form):
    KINDS = [("ledger", _("Simple ledger (CSV or XLSX)")),
             ("360giving", _("360Giving (JSON, CSV or XLSX)"))]
    kind = forms.ChoiceField(label=_("Format"), choices=KINDS)
    file = forms.FileField(label=_("File"))
    dry_run = forms.BooleanField(label=_("Check only (dry run): nothing is imported"),
                                 required=False, initial=True)


class RatesForm(forms.Form):
    file = forms.FileField(label=_("CSV of yearly rates (columns currency, year, rate: units per "
                                   "euro)"))
    source = forms.CharField(label=_("Source"), max_length=200, required=False,
                             help_text=_("e.g. ECB yearly averages"))


class ThresholdForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"), choices=Indicator.choices)
    direction = forms.ChoiceField(label=_("List members"), choices=ThresholdDirection.choices)
    value = forms.DecimalField(label=_("Value"), required=False, max_digits=12, decimal_places=4,
                               help_text=_("Shares as fractions (0.5 for 50 %), runway in months; "
                                           "empty removes the line"))


class MappingForm(forms.Form):
    question = forms.ChoiceField(
        label=_("Survey question"), choices=[],
        help_text=_("Questions of the network's surveys answered with a number. Answers for a "
                    "share are read as percentages (40 = 40 %), runway in months, and count "
                    "for the year before the answers were submitted (the survey asks about last "
                    "year)."))
    indicator = forms.ChoiceField(label=_("Indicator"), choices=Indicator.choices)

    def __init__(self, *args, questions: list[tuple[str, str]] = (), **kwargs):  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        field = self.fields["question"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *questions]
