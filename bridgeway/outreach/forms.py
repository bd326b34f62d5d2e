"""The field forms. Their field names are the services' (bridgeway.outreach.services.FIELDS),
so the offline outbox can send a form's values to the sync API as they are."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgeway.civicspace.codes import Actor, Severity
from bridgeway.orgs.codes import country_choices, country_name, language_choices
from bridgeway.outreach.codes import (
    PARTICIPANTS_BY_SEX,
    REACH_BY_AGE,
    REACH_BY_SEX,
    ActivityKind,
    Basis,
    Condition,
    FacilityType,
    InstitutionType,
    Outcome,
    TargetGroup,
    TrainingStatus,
)

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _count(label) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, initial=0,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


def _countries():
    return [("", "—"), *country_choices()]


class RecordForm(forms.Form):
    """What every field record form carries besides its fields: the organisation (when the
    person works for several), and for an edit the version and values it started from."""

    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int, choices=[])
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    original = forms.JSONField(required=False, widget=forms.HiddenInput)
    META = ("organisation", "version", "original")

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in orgs]
        if len(orgs) == 1:
            self.fields["organisation"].widget = forms.HiddenInput()
            self.fields["organisation"].initial = orgs[0].pk

    renamed: dict[str, str] = {}

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in self.META}


class ActivityForm(RecordForm):
    kind = forms.ChoiceField(label=_("Kind of activity"), choices=ActivityKind.choices)
    started_on = forms.DateField(label=_("Start date"), widget=DATE)
    ended_on = forms.DateField(label=_("End date"), required=False, widget=DATE)
    country = forms.ChoiceField(label=_("Country"), choices=_countries)
    region = forms.CharField(label=_("Region"), max_length=120, required=False)
    place = forms.CharField(label=_("Place"), max_length=4000, required=False,
                            help_text=_("Stored encrypted: it could locate people."))
    partners = forms.TypedMultipleChoiceField(label=_("Partner organisations"), coerce=int,
                                              required=False, choices=[],
                                              widget=forms.CheckboxSelectMultiple)
    target_groups = forms.MultipleChoiceField(label=_("Target groups"), required=False,
                                              choices=TargetGroup.choices,
                                              widget=forms.CheckboxSelectMultiple)
    reached_total = _count(_("People reached (total)"))
    materials = forms.CharField(label=_("Materials used"), max_length=300, required=False)
    languages = forms.MultipleChoiceField(label=_("Languages used"), required=False,
                                          choices=language_choices)
    potential_victims = _count(_("Potential victims met"))
    follow_up = forms.CharField(label=_("Follow-ups"), widget=forms.Textarea(attrs={"rows": 3}),
                                max_length=4000, required=False,
                                help_text=_("Stored encrypted. No names."))

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partners"].choices = [(o.pk, o.name) for o in partners]
        for name, label in REACH_BY_SEX + REACH_BY_AGE:
            self.fields[name] = _count(label)
        order = ["organisation", "kind", "started_on", "ended_on", "country", "region", "place",
                 "partners", "target_groups", "reached_total",
                 *[n for n, _l in REACH_BY_SEX + REACH_BY_AGE]]
        self.order_fields(order)


class AccessForm(RecordForm):
    facility = forms.TypedChoiceField(label=_("Facility"), coerce=int, choices=[])
    requested_on = forms.DateField(label=_("Access requested on"), widget=DATE)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices,
                                initial=Outcome.PENDING)
    answered_on = forms.DateField(label=_("Answered on"), required=False, widget=DATE)
    conditions = forms.MultipleChoiceField(label=_("Conditions"), required=False,
                                           choices=Condition.choices,
                                           widget=forms.CheckboxSelectMultiple)
    reason_given = forms.CharField(label=_("Reason given"), max_length=2000, required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    visited_on = forms.DateField(label=_("Visited on"), required=False, widget=DATE)
    people_met = forms.CharField(label=_("Who was met"), max_length=4000, required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}),
                                 help_text=_("Officials and functions; stored encrypted."))
    presumed_victims = _count(_("Presumed victims identified"))
    referrals_made = _count(_("Referrals made from the visit"))

    def __init__(self, *args, facilities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].choices = [("", "—"), *((f.pk, f"{f.name} ({f.country})")
                                                        for f in facilities)]


class TrainingForm(RecordForm):
    institution_type = forms.ChoiceField(label=_("Institution type"),
                                         choices=InstitutionType.choices)
    institution = forms.CharField(label=_("Institution"), max_length=200, required=False)
    country = forms.ChoiceField(label=_("Country"), choices=_countries)
    topic = forms.CharField(label=_("Topic"), max_length=300)
    planned_on = forms.DateField(label=_("Planned date"), widget=DATE)
    status = forms.ChoiceField(label=_("Status"), choices=TrainingStatus.choices,
                               initial=TrainingStatus.PLANNED)
    status_reason = forms.CharField(label=_("Reason (postponed, suspended or cancelled)"),
                                    max_length=2000, required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    held_on = forms.DateField(label=_("Date held"), required=False, widget=DATE)
    hours = forms.DecimalField(label=_("Hours"), required=False, decimal_places=1, max_digits=5)
    materials = forms.CharField(label=_("Materials"), max_length=300, required=False)
    pre_score = forms.DecimalField(label=_("Evaluation before (score 0–100)"), required=False,
                                   decimal_places=1, max_digits=5)
    post_score = forms.DecimalField(label=_("Evaluation after (score 0–100)"), required=False,
                                    decimal_places=1, max_digits=5)
    basis = forms.ChoiceField(label=_("Request or agreement"), choices=Basis.choices,
                              required=False)

    INSTITUTIONS = "participant_institutions"

    def __init__(self, *args, **kwargs):
        initial = kwargs.get("initial") or {}
        by_inst = initial.get(self.INSTITUTIONS) or {}
        if by_inst:
            kwargs["initial"] = {**initial, **{f"{self.INSTITUTIONS}.{code}": n
                                               for code, n in by_inst.items()}}
        super().__init__(*args, **kwargs)
        for name, label in PARTICIPANTS_BY_SEX:
            self.fields[name] = _count(_("Participants: %(who)s") % {"who": label})
        # Participants by institution: one count per institution type; they must add up to the
        # participants by sex (the service checks it and names the field).
        for code, label in InstitutionType.choices:
            self.fields[f"{self.INSTITUTIONS}.{code}"] = _count(
                _("Participants by institution: %(institution)s") % {"institution": label})

    def institution_fields(self):
        return [self[f"{self.INSTITUTIONS}.{code}"] for code in InstitutionType.values]

    # The service names the group: its message goes above the group's first count.
    renamed = {INSTITUTIONS: f"{INSTITUTIONS}.{InstitutionType.values[0]}"}

    def values(self) -> dict:
        prefix = f"{self.INSTITUTIONS}."
        out = {k: v for k, v in super().values().items() if not k.startswith(prefix)}
        out[self.INSTITUTIONS] = {k[len(prefix):]: v for k, v in self.cleaned_data.items()
                                  if k.startswith(prefix) and v}
        return out


class FacilityForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int, choices=[])
    name = forms.CharField(label=_("Name"), max_length=200)
    facility_type = forms.ChoiceField(label=_("Type"), choices=FacilityType.choices)
    country = forms.ChoiceField(label=_("Country"), choices=_countries)
    region = forms.CharField(label=_("Region or city"), max_length=120, required=False)
    authority = forms.CharField(label=_("Authority in charge"), max_length=200, required=False)
    network = forms.TypedChoiceField(label=_("Share with the network"), coerce=int,
                                     required=False, empty_value=None, choices=[])

    def __init__(self, *args, orgs, networks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in orgs]
        if len(orgs) == 1:
            self.fields["organisation"].widget = forms.HiddenInput()
            self.fields["organisation"].initial = orgs[0].pk
        self.fields["network"].choices = [("", _("No network (own organisation only)")),
                                          *((n.pk, n.name) for n in networks)]
        if networks:
            self.fields["network"].initial = networks[0].pk


class IncidentForm(forms.Form):
    """The civic-space incident a refusal becomes, prefilled: one press of the button sends it."""

    network = forms.TypedChoiceField(label=_("Network"), coerce=int, choices=[])
    title = forms.CharField(label=_("Title"), max_length=200)
    started_on = forms.DateField(label=_("Date"), widget=DATE)
    country = forms.ChoiceField(label=_("Country"), choices=_countries)
    region = forms.CharField(label=_("Region or city"), max_length=120, required=False)
    actors = forms.MultipleChoiceField(label=_("Actors"), choices=Actor.choices,
                                       widget=forms.CheckboxSelectMultiple)
    severity = forms.TypedChoiceField(label=_("Severity"), coerce=int, choices=Severity.choices,
                                      initial=Severity.MEDIUM)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, max_length=8000)

    def __init__(self, *args, networks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].choices = [(n.pk, n.name) for n in networks]
        if len(networks) == 1:
            self.fields["network"].widget = forms.HiddenInput()
            self.fields["network"].initial = networks[0].pk


class NetworkFilterForm(forms.Form):
    network = forms.TypedChoiceField(label=_("Network"), coerce=int, required=False,
                                     empty_value=None, choices=[])
    country = forms.ChoiceField(label=_("Country"), choices=[], required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)

    def __init__(self, *args, networks=(), countries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].choices = [("", "—"), *((n.pk, n.name) for n in networks)]
        # The countries the work is recorded in, not all 249: a short list, a light page.
        self.fields["country"].choices = [("", "—"), *sorted(
            ((c, country_name(c)) for c in countries), key=lambda item: item[1])]


class FacilityEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    facility_type = forms.ChoiceField(label=_("Type"), choices=FacilityType.choices)
    country = forms.ChoiceField(label=_("Country"), choices=_countries)
    region = forms.CharField(label=_("Region or city"), max_length=120, required=False)
    authority = forms.CharField(label=_("Authority in charge"), max_length=200, required=False)
