from django import forms
from django.utils.translation import gettext_lazy as _

from bridgeway.surveys.codes import Scope
from bridgeway.surveys.xlsform import MAX_UPLOAD


class XLSFormField(forms.FileField):
    def clean(self, data, initial=None):
        f = super().clean(data, initial)
        if f is not None and f.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 5 MB: an XLSForm is much "
                                          "smaller."))
        return f


class SurveyForm(forms.Form):
    network: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Network"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    scope = forms.ChoiceField(label=_("Who answers"), choices=Scope.choices)
    deadline = forms.DateTimeField(label=_("Deadline"), required=False,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    threshold = forms.IntegerField(label=_("Smallest group shown"), initial=5, min_value=1,
                                   max_value=100,
                                   help_text=_("Cells based on fewer respondents are suppressed "
                                               "in network views and exports."))
    xlsform = XLSFormField(label=_("XLSForm (.xlsx)"))

    def __init__(self, *args, networks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = networks


class VersionForm(forms.Form):
    xlsform = XLSFormField(label=_("New version of the XLSForm (.xlsx)"))


class SurveyEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    scope = forms.ChoiceField(label=_("Who answers"), choices=Scope.choices)
    deadline = forms.DateTimeField(label=_("Deadline"), required=False,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    threshold = forms.IntegerField(label=_("Smallest group shown"), min_value=1, max_value=100,
                                   help_text=_("Cells based on fewer respondents are suppressed "
                                               "in network views and exports."))
