from django import forms
from django.utils.translation import gettext_lazy as _

from bridgeway.cases.codes import (
    FORMAL_DECISION_ORGS,
    CaseStatus,
    CloseReason,
    ContactChannel,
    ControlMethod,
    DecisionOrg,
    EventKind,
    Exploitation,
    ForcedLabourIndustry,
    Gender,
    IdentityDocumentKind,
    IndicatorSource,
    RecruitmentMethod,
    Relationship,
    ServiceOutcome,
    TraffickingStatus,
)
from bridgeway.cases.set_translations import localised_label
from bridgeway.core.forms import BlankFormKept
from bridgeway.orgs.codes import Service, country_choices

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _countries(blank=True):
    return [("", "—"), *country_choices()] if blank else country_choices()


class IntakeForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    second_name = forms.CharField(label=_("Second name"), max_length=100, required=False)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DATE)
    age = forms.IntegerField(label=_("Age, if the date of birth is unknown"), required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *Gender.choices],
                               required=False)
    citizenship = forms.ChoiceField(label=_("Citizenship"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    exploitation_types = forms.MultipleChoiceField(
        label=_("Types of exploitation"), choices=Exploitation.choices, required=False,
        widget=forms.CheckboxSelectMultiple)
    opened_on = forms.DateField(label=_("Opened on"), required=False, widget=DATE)
    confirm_new = forms.BooleanField(
        label=_("This is a different person: open a new case anyway"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["citizenship"].choices = _countries()


class ContextForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *Gender.choices],
                               required=False)
    citizenship = forms.ChoiceField(label=_("Citizenship"), required=False)
    exploitation_types = forms.MultipleChoiceField(
        label=_("Types of exploitation"), choices=Exploitation.choices, required=False,
        widget=forms.CheckboxSelectMultiple)
    forced_labour_industry = forms.ChoiceField(
        label=_("Forced labour industry"), choices=[("", "—"), *ForcedLabourIndustry.choices],
        required=False)
    recruitment_methods = forms.MultipleChoiceField(
        label=_("Methods of recruitment"), choices=RecruitmentMethod.choices, required=False,
        widget=forms.CheckboxSelectMultiple)
    control_methods = forms.MultipleChoiceField(
        label=_("Methods of control"), choices=ControlMethod.choices, required=False,
        widget=forms.CheckboxSelectMultiple)
    relationship_to_trafficker = forms.ChoiceField(
        label=_("Relationship to trafficker"), choices=[("", "—"), *Relationship.choices],
        required=False)
    recruitment_country = forms.ChoiceField(label=_("Country of recruitment"), required=False)
    exploitation_country = forms.ChoiceField(label=_("Country of exploitation"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("citizenship", "recruitment_country", "exploitation_country"):
            self.fields[name].choices = _countries()


class StatusForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    seen_status = forms.CharField(widget=forms.HiddenInput, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices)
    close_reason = forms.ChoiceField(label=_("Reason (when closing)"),
                                     choices=[("", "—"), *[c for c in CloseReason.choices
                                                           if c[0] != CloseReason.MERGED]],
                                     required=False)


class NoteForm(BlankFormKept):
    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=20000)


class ServiceForm(BlankFormKept):
    service = forms.ChoiceField(label=_("Service"), choices=Service.choices)
    provider_other = forms.CharField(label=_("Provider"), max_length=200, required=False)
    started_on = forms.DateField(label=_("Started on"), widget=DATE)
    ended_on = forms.DateField(label=_("Ended on"), required=False, widget=DATE)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ServiceOutcome.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    assessment = forms.ChoiceField(label=_("Based on the assessment"))
    status = forms.ChoiceField(label=_("Decision"), choices=TraffickingStatus.choices)
    decided_on = forms.DateField(label=_("Decided on"), required=False, widget=DATE)

    def __init__(self, *args, assessments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessment"].choices = [
            (str(a.pk), f"{a.assessed_on:%Y-%m-%d} — {localised_label(a.indicator_set)}")
            for a in assessments]


class FormalDecisionForm(BlankFormKept):
    """A formal identification decision received from a state body."""

    decision_org = forms.ChoiceField(
        label=_("Kind of body that decided"),
        choices=[(c.value, c.label) for c in DecisionOrg if c in FORMAL_DECISION_ORGS])
    decision_body = forms.CharField(label=_("Deciding body"), max_length=200,
                                    help_text=_("e.g. the national referral mechanism's "
                                                "identification unit"))
    status = forms.ChoiceField(label=_("Decision"), choices=TraffickingStatus.choices)
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "formal")  # beside the organisation's own decision form
        super().__init__(*args, **kwargs)


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=200)
    fuzzy = forms.BooleanField(label=_("Similar-sounding names too"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any")), *CaseStatus.choices],
                               required=False)
    exploitation = forms.ChoiceField(label=_("Exploitation"),
                                     choices=[("", _("Any")), *Exploitation.choices],
                                     required=False)
    child = forms.ChoiceField(label=_("Age group"), required=False, choices=[
        ("", _("Any")), ("1", _("Children")), ("0", _("Adults"))])
    assignee = forms.TypedChoiceField(label=_("Caseworker"), required=False, coerce=int,
                                      empty_value=None)
    opened_from = forms.DateField(label=_("Opened from"), required=False, widget=DATE)
    opened_to = forms.DateField(label=_("Opened until"), required=False, widget=DATE)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Anyone")),
                                           *[(p.pk, p.full_name) for p in people]]


SOURCE_CHOICES = IndicatorSource.choices


class ObjectiveForm(forms.Form):
    objective = forms.CharField(label=_("Objective"), max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=500)
    due_on = forms.DateField(label=_("Due on"), widget=DATE)
    assignee = forms.TypedChoiceField(label=_("For"), coerce=int, required=False,
                                      empty_value=None)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Me")), *[(p.pk, p.full_name) for p in people]]


class AssignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    assignees = forms.TypedMultipleChoiceField(label=_("Caseworkers"), coerce=int,
                                               required=False,
                                               widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignees"].choices = [(p.pk, p.full_name) for p in people]


class FirstContactForm(forms.Form):
    contact_channel = forms.ChoiceField(label=_("Channel"), choices=ContactChannel.choices)
    exploitation_types = forms.MultipleChoiceField(
        label=_("Types of exploitation mentioned"), choices=Exploitation.choices, required=False,
        widget=forms.CheckboxSelectMultiple)


class IndicatorSetImportForm(forms.Form):
    file = forms.FileField(label=_("Indicator set file (JSON)"),
                           help_text=_("Same shape as the shipped file: a list under 'sets', "
                                       "each with dimensions and indicators."))
    source = forms.CharField(label=_("Source"), max_length=200,
                             help_text=_("Where this list comes from, e.g. the national "
                                         "referral mechanism's regulation."))


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of event"), choices=EventKind.choices)
    country = forms.ChoiceField(label=_("Country"), required=False)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = _countries()


class PerpetratorForm(forms.Form):
    relationship = forms.ChoiceField(label=_("Relationship to the person"),
                                     choices=[("", "—"), *Relationship.choices], required=False)
    citizenship = forms.ChoiceField(label=_("Citizenship"), required=False)
    description = forms.CharField(label=_("Description"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text=_("Only what the case work needs."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["citizenship"].choices = _countries()


DOCUMENT_ROWS = 3


class PersonForm(forms.Form):
    """Correcting the person after intake. The hidden `seen_*` inputs (see the template) carry
    what the editor loaded, so a conflict can name what someone else changed."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    first_name = forms.CharField(label=_("First name"), max_length=100)
    second_name = forms.CharField(label=_("Second name"), max_length=100, required=False)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DATE)
    age = forms.IntegerField(label=_("Age at intake, if the date of birth is unknown"),
                             required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *Gender.choices],
                               required=False)
    citizenship = forms.ChoiceField(label=_("Citizenship"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    address_street = forms.CharField(label=_("Street and number"), max_length=200,
                                     required=False)
    address_city = forms.CharField(label=_("City or village"), max_length=200, required=False)
    address_state = forms.CharField(label=_("Region"), max_length=200, required=False)
    address_postal_code = forms.CharField(label=_("Postal code"), max_length=200,
                                          required=False)
    address_country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(self, *args, document_rows: int = DOCUMENT_ROWS, **kwargs):
        super().__init__(*args, **kwargs)
        self.document_rows = document_rows
        self.fields["citizenship"].choices = _countries()
        self.fields["address_country"].choices = _countries()
        for n in range(1, document_rows + 1):
            self.fields[f"document_kind_{n}"] = forms.ChoiceField(
                label=_("Identity document %(n)s: type") % {"n": n}, required=False,
                choices=[("", "—"), *IdentityDocumentKind.choices])
            self.fields[f"document_number_{n}"] = forms.CharField(
                label=_("Identity document %(n)s: number") % {"n": n}, max_length=60,
                required=False)

    def clean(self):
        data = super().clean()
        for n in range(1, self.document_rows + 1):
            kind, number = data.get(f"document_kind_{n}"), data.get(f"document_number_{n}")
            if bool(kind) != bool((number or "").strip()):
                self.add_error(f"document_number_{n}" if kind else f"document_kind_{n}",
                               _("Give both the type and the number of the document."))
        return data

    def person_data(self) -> dict:
        """The cleaned values in the shape services.person_update takes."""
        data = self.cleaned_data
        return {
            **{f: data[f] for f in ("first_name", "second_name", "birth_date", "age", "gender",
                                    "citizenship", "phone", "email")},
            "address": {part: data[f"address_{part}"] for part in
                        ("street", "city", "state", "postal_code", "country")},
            "identity_documents": [
                {"kind": data[f"document_kind_{n}"], "number": data[f"document_number_{n}"]}
                for n in range(1, self.document_rows + 1) if data.get(f"document_kind_{n}")],
        }

    @staticmethod
    def form_values(field: str, initial: dict, rows: int) -> dict:
        """The form inputs (from `initial`) that hold one of services.PERSON_FIELDS."""
        if field == "address":
            keys = [f"address_{part}" for part in
                    ("street", "city", "state", "postal_code", "country")]
        elif field == "identity_documents":
            keys = [f"document_{what}_{n}" for n in range(1, rows + 1)
                    for what in ("kind", "number")]
        else:
            keys = [field]
        return {key: initial.get(key) for key in keys}

    @staticmethod
    def initial_from(values: dict) -> dict:
        """Form initial values from changes.person_values."""
        initial = {f: values[f] for f in ("first_name", "second_name", "birth_date", "age",
                                          "gender", "citizenship", "phone", "email")}
        for part, value in (values["address"] or {}).items():
            initial[f"address_{part}"] = value
        for n, doc in enumerate(values["identity_documents"], start=1):
            initial[f"document_kind_{n}"] = doc.get("kind", "")
            initial[f"document_number_{n}"] = doc.get("number", "")
        return initial


class CaseSettingsForm(forms.Form):
    decisions_need_approval = forms.BooleanField(
        label=_("Identification decisions need a supervisor's approval"), required=False,
        help_text=_("A caseworker's decision (possible, actual or not a victim) then waits "
                    "until a supervisor of the organisation approves it; supervisors' own "
                    "decisions count at once."))
