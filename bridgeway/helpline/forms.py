from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgeway.helpline.codes import (
    CallerType,
    Channel,
    Direction,
    FormField,
    Outcome,
    ReachKind,
    Relation,
    Urgency,
    topic_choices,
)
from bridgeway.helpline.services import ANSWER_LIMIT, SHORT_LIMIT, SUMMARY_LIMIT, ContactData
from bridgeway.orgs.codes import language_choices

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def _blank(choices) -> list:
    return [("", "—")] + list(choices)


class ContactForm(forms.Form):
    """Channel, time and outcome first; everything else may stay empty."""

    channel = forms.ChoiceField(label=_("Channel"), choices=_blank(Channel.choices))
    started_at = forms.DateTimeField(
        label=_("Time"), input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    outcome = forms.ChoiceField(label=_("Outcome"), choices=_blank(Outcome.choices))
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices,
                                  initial=Direction.INCOMING)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), required=False,
                                          min_value=0, max_value=1440)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices,
                                initial=Urgency.NORMAL)
    language = forms.ChoiceField(label=_("Language"), required=False)
    caller_type = forms.ChoiceField(label=_("Who contacted"), required=False,
                                    choices=_blank(CallerType.choices))
    relation = forms.ChoiceField(label=_("Relation to the person concerned"), required=False,
                                 choices=_blank(Relation.choices))
    topics = forms.MultipleChoiceField(label=_("Topics"), required=False,
                                       widget=forms.CheckboxSelectMultiple)
    summary = forms.CharField(label=_("Summary"), required=False, max_length=SUMMARY_LIMIT,
                              strip=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("Encrypted. Write only what the work needs."))
    reach_kind = forms.ChoiceField(label=_("Contact detail the caller agreed to give"),
                                   required=False, choices=_blank(ReachKind.choices))
    reach = forms.CharField(label=_("Phone number, handle or e-mail"), required=False,
                            max_length=SHORT_LIMIT, strip=False,
                            help_text=_("Only with the caller's agreement. Stored encrypted, "
                                        "and as a keyed index that recognises a repeat caller."))
    follow_up = forms.CharField(label=_("Follow-up task"), required=False,
                                max_length=SHORT_LIMIT * 2, strip=False)
    follow_up_due = forms.DateField(label=_("Follow up by"), required=False, widget=DATE)
    referral = forms.UUIDField(label=_("Referral (its id)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = _blank(language_choices())
        self.fields["topics"].choices = topic_choices()
        if not self.is_bound and "started_at" not in self.initial:
            self.initial["started_at"] = timezone.localtime().replace(second=0, microsecond=0)

    def data_object(self) -> ContactData:
        d = self.cleaned_data
        return ContactData(
            channel=d["channel"], started_at=d["started_at"], outcome=d["outcome"],
            direction=d["direction"], duration_minutes=d["duration_minutes"],
            language=d["language"], caller_type=d["caller_type"], relation=d["relation"],
            topics=d["topics"], urgency=d["urgency"], summary=d["summary"],
            follow_up=d["follow_up"], follow_up_due=d["follow_up_due"],
            referral_id=d["referral"], reach=d["reach"], reach_kind=d["reach_kind"])


class CallLogForm(forms.Form):
    file = forms.FileField(label=_("Call log (CSV or XLSX)"),
                           help_text=_("Columns: date, channel, duration, topic, outcome."))
    dry_run = forms.BooleanField(label=_("Dry run: check only, import nothing"),
                                 required=False, initial=True)


class LinkCaseForm(forms.Form):
    case = forms.CharField(label=_("Case reference"), max_length=30)


class FilterForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), required=False,
                                choices=_blank(Channel.choices))
    outcome = forms.ChoiceField(label=_("Outcome"), required=False,
                                choices=_blank(Outcome.choices))


class SettingsForm(forms.Form):
    slug = forms.SlugField(label=_("Address of the public form"), max_length=60,
                           help_text=_("The form is at /help/<address>/."))
    form_enabled = forms.BooleanField(label=_("Public form open"), required=False)
    form_fields = forms.MultipleChoiceField(label=_("Questions the form asks"), required=False,
                                            choices=FormField.choices,
                                            widget=forms.CheckboxSelectMultiple)
    form_languages = forms.MultipleChoiceField(
        label=_("Extra form languages"), required=False,
        help_text=_("Besides the interface languages. Give the labels in these languages "
                    "below."))
    daily_quota = forms.IntegerField(
        label=_("Submissions a day before holding for moderation"), min_value=1,
        max_value=100000)
    retention_months = forms.IntegerField(
        label=_("Keep contacts that never became a case for (months)"), min_value=1,
        max_value=120)
    form_labels = forms.CharField(
        label=_("Translated questions"), required=False, max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One a line: question code, language code, label — e.g. "
                    "“what_happened | uk | Що сталося?”"))
    form_intro = forms.CharField(
        label=_("What happens next (shown above the form)"), required=False, max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One a line: language code, text — e.g. “uk | Ми відповімо протягом "
                    "доби.”"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form_languages"].choices = language_choices()

    def clean_form_labels(self) -> dict:
        labels: dict[str, dict[str, str]] = {}
        for n, line in enumerate(self.cleaned_data["form_labels"].splitlines(), 1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|", 2)]
            if len(parts) != 3 or not all(parts):
                raise forms.ValidationError(_("Line %(n)s: write question | language | "
                                              "label.") % {"n": n})
            labels.setdefault(parts[0], {})[parts[1]] = parts[2]
        return labels

    def clean_form_intro(self) -> dict:
        intro: dict[str, str] = {}
        for n, line in enumerate(self.cleaned_data["form_intro"].splitlines(), 1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|", 1)]
            if len(parts) != 2 or not all(parts):
                raise forms.ValidationError(_("Line %(n)s: write language | text.") % {"n": n})
            intro[parts[0]] = parts[1]
        return intro


def labels_text(labels: dict) -> str:
    return "\n".join(f"{name} | {code} | {label}" for name, by_lang in labels.items()
                     for code, label in by_lang.items())


def intro_text(intro: dict) -> str:
    return "\n".join(f"{code} | {text}" for code, text in intro.items())


ANSWER_MAX = ANSWER_LIMIT
