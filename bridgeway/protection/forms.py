from django import forms
from django.utils.translation import gettext_lazy as _


class AuditFilterForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Organisation"))
    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.TypedChoiceField(label=_("Person"), required=False, coerce=int, empty_value=None)
    since = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, orgs, actions, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(str(o.pk), o.name) for o in orgs]
        self.fields["action"].choices = [("", _("All")), *[(a, a) for a in actions]]
        self.fields["actor"].choices = [("", _("Anyone")), *[(p.pk, p.full_name) for p in people]]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data
