from django import forms
from django.utils.translation import gettext_lazy as _

from bridgeway.civicspace.codes import (
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
from bridgeway.orgs.codes import country_choices

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _countries():
    return [("", "—"), *country_choices()]


class IncidentForm(forms.Form):
    network = forms.TypedChoiceField(label=_("Network"), coerce=int, choices=[])
    title = forms.CharField(label=_("Title"), max_length=200)
    started_on = forms.DateField(label=_("Date (or start)"), widget=DATE)
    ended_on = forms.DateField(label=_("End date"), required=False, widget=DATE,
                               help_text=_("Leave empty for a single day or if it continues."))
    country = forms.ChoiceField(label=_("Country"), choices=_countries)
    region = forms.CharField(label=_("Region or city"), max_length=120, required=False)
    actors = forms.MultipleChoiceField(label=_("Actors"), choices=Actor.choices,
                                       widget=forms.CheckboxSelectMultiple)
    types = forms.TypedMultipleChoiceField(label=_("Restriction types"), coerce=int, choices=[],
                                           widget=forms.CheckboxSelectMultiple)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, max_length=8000)
    severity = forms.TypedChoiceField(label=_("Severity"), coerce=int, choices=Severity.choices,
                                      initial=Severity.MEDIUM)
    visibility = forms.ChoiceField(label=_("Who may see it"), choices=Visibility.choices,
                                   initial=Visibility.NETWORK)
    def __init__(self, *args, networks, types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].choices = [(n.pk, n.name) for n in networks]
        if len(networks) == 1:
            self.fields["network"].widget = forms.HiddenInput()
            self.fields["network"].initial = networks[0].pk
        self.fields["types"].choices = [
            (str(Family(f).label), [(t.pk, t.label) for t in types if t.family == f])
            for f in Family.values if any(t.family == f for t in types)]


class AffectedForm(forms.Form):
    """One affected organisation: linked from the directory, or described (or both)."""

    organisation = forms.TypedChoiceField(label=_("Affected organisation"), coerce=int,
                                          required=False, empty_value=None, choices=[])
    description = forms.CharField(
        label=_("Describe the affected organisation"), max_length=200, required=False,
        help_text=_("Shown instead of the name when it stays anonymous, e.g. 'a shelter in the "
                    "north'."))
    anonymous = forms.BooleanField(label=_("Keep the affected organisation anonymous"),
                                   required=False, initial=True)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", "—"), *[(o.pk, o.name) for o in organisations]]

    def is_blank(self) -> bool:
        d = getattr(self, "cleaned_data", {}) or {}
        return not d.get("organisation") and not (d.get("description") or "").strip()


class SourceForm(forms.Form):
    url = forms.URLField(label=_("Source link"), required=False, max_length=500,
                         assume_scheme="https")
    title = forms.CharField(label=_("What the source is"), required=False, max_length=200)
    is_public = forms.BooleanField(label=_("The source may be shown publicly"), required=False)

    def is_blank(self) -> bool:
        d = getattr(self, "cleaned_data", {}) or {}
        return not d.get("url") and not (d.get("title") or "").strip()


# Three empty rows below the filled ones; more rows by saving and editing again (no JavaScript).
AffectedFormSet = forms.formset_factory(AffectedForm, extra=3, max_num=50, validate_max=True)
SourceFormSet = forms.formset_factory(SourceForm, extra=3, max_num=50, validate_max=True)


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=[(s, s) for s in (Status.UNDER_REVIEW, Status.VERIFIED,
                                                     Status.PUBLISHED, Status.REJECTED)])
    reason = forms.CharField(label=_("Reason for rejection"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class FilterForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), choices=_countries, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *Status.choices],
                               required=False)
    family = forms.ChoiceField(label=_("Family"), choices=[("", "—"), *Family.choices],
                               required=False)
    actor = forms.ChoiceField(label=_("Actor"), choices=[("", "—"), *Actor.choices],
                              required=False)
    since = forms.DateField(label=_("From"), required=False, widget=DATE)
    until = forms.DateField(label=_("To"), required=False, widget=DATE)


class AssessmentForm(forms.Form):
    network = forms.TypedChoiceField(label=_("Network"), coerce=int, choices=[])
    period_start = forms.DateField(label=_("Period from"), widget=DATE)
    period_end = forms.DateField(label=_("Period to"), required=False, widget=DATE)
    rating = forms.ChoiceField(label=_("Rating (CIVICUS scale)"), choices=Civicus.choices)
    trend = forms.ChoiceField(label=_("Trend"), choices=Trend.choices)
    justification = forms.CharField(label=_("Justification"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, networks=None, **kwargs):
        super().__init__(*args, **kwargs)
        if networks is None:  # editing: the network does not change
            del self.fields["network"]
        else:
            self.fields["network"].choices = [(n.pk, n.name) for n in networks]


class ConsultationForm(forms.Form):
    network = forms.TypedChoiceField(label=_("Network"), coerce=int, choices=[])
    country = forms.ChoiceField(label=_("Country"), choices=_countries)
    title = forms.CharField(label=_("Title"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=ConsultationKind.choices)
    stage = forms.ChoiceField(label=_("Stage"), choices=ConsultationStage.choices)
    opened_on = forms.DateField(label=_("Opened on"), widget=DATE)
    closes_on = forms.DateField(label=_("Closes on"), required=False, widget=DATE)
    url = forms.URLField(label=_("Link"), required=False, assume_scheme="https")

    def __init__(self, *args, networks=None, **kwargs):
        super().__init__(*args, **kwargs)
        if networks is None:  # editing: the network does not change
            del self.fields["network"]
        else:
            self.fields["network"].choices = [(n.pk, n.name) for n in networks]


class ParticipationForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int, choices=[])
    invited = forms.ChoiceField(label=_("Invited?"), choices=Answer.choices,
                                initial=Answer.UNKNOWN)
    submitted = forms.ChoiceField(label=_("Submitted?"), choices=Answer.choices,
                                  initial=Answer.UNKNOWN)
    method = forms.ChoiceField(label=_("How"), choices=Method.choices, required=False)
    feedback = forms.ChoiceField(label=_("Feedback considered?"), choices=Feedback.choices,
                                 initial=Feedback.UNKNOWN)
    evidence = forms.CharField(label=_("Evidence"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]


class RestrictionTypeForm(forms.Form):
    network = forms.TypedChoiceField(label=_("Network"), coerce=int, choices=[])
    family = forms.ChoiceField(label=_("Family"), choices=Family.choices)
    label = forms.CharField(label=_("Label"), max_length=200,
                            help_text=_("In the language your network works in; it is not "
                                        "translated."))
    description = forms.CharField(label=_("Description"), required=False, max_length=1000,
                                  widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text=_("When to use this type."))

    def __init__(self, *args, networks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].choices = [(n.pk, n.name) for n in networks]
        if len(networks) == 1:
            self.fields["network"].widget = forms.HiddenInput()
            self.fields["network"].initial = networks[0].pk
