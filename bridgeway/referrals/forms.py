from django import forms
from django.utils.translation import gettext_lazy as _

from bridgeway.core.dates import zone_name
from bridgeway.core.forms import BlankFormKept
from bridgeway.orgs.codes import Service, country_name
from bridgeway.referrals.codes import DeclineReason, ReferralReason, Section, Urgency


class ReferralForm(forms.Form):
    recipient = forms.TypedChoiceField(label=_("Refer to"), coerce=int,
                                       help_text=_("Organisations from the directory, with the "
                                                   "services they offer."))
    sections = forms.MultipleChoiceField(label=_("Sections to share"), choices=Section.choices,
                                         widget=forms.CheckboxSelectMultiple,
                                         help_text=_("The recipient sees these and nothing "
                                                     "else."))
    services = forms.MultipleChoiceField(label=_("Services requested"), choices=Service.choices,
                                         widget=forms.CheckboxSelectMultiple)
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "—"), *ReferralReason.choices])
    reason_text = forms.CharField(label=_("Reason, in words"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices,
                                initial=Urgency.NORMAL)
    deadline = forms.DateTimeField(
        label=_("Own answer deadline (optional)"), required=False,
        widget=forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"}),
        help_text=_("Leave empty for your organisation's response time for this urgency; at "
                    "most 30 days ahead."))
    override_reason = forms.CharField(
        label=_("Supervisor's override: why refer without consent"), required=False,
        max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only when no consent is recorded; supervisors only; audited."))

    def __init__(self, *args, recipients=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The time typed is read in the organisation's time zone: say which.
        self.fields["deadline"].help_text = _("%(help)s Times are in %(zone)s.") % {
            "help": self.fields["deadline"].help_text, "zone": zone_name()}
        self.fields["recipient"].choices = [("", "—")] + [
            (o.pk, f"{o.name} ({country_name(o.country)}; {o.get_org_type_display()})"
                   + (f" — {', '.join(str(s) for s in o.offered)}" if o.offered else ""))
            for o in recipients]


class DeclineForm(BlankFormKept):
    reason = forms.ChoiceField(label=_("Why decline"), choices=[("", "—"), *DeclineReason.choices])
    text = forms.CharField(label=_("Explanation (optional)"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class TransferForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I confirm: the case and the person's data move to the receiving organisation, "
                "and my organisation loses access."), required=False)


class SettingsForm(forms.Form):
    urgent_hours = forms.IntegerField(label=_("Urgent: hours to answer"), min_value=1,
                                      max_value=72)
    normal_working_days = forms.IntegerField(label=_("Normal: working days to answer"),
                                             min_value=1, max_value=30)
    low_working_days = forms.IntegerField(label=_("Low: working days to answer"), min_value=1,
                                          max_value=30)
