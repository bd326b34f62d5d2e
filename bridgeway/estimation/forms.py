from django import forms
from django.utils.translation import gettext_lazy as _

from bridgeway.estimation.models import Estimate


class ParticipationForm(forms.Form):
    enabled = forms.BooleanField(label=_("Take part in the network's linkage"), required=False)
    secret = forms.CharField(
        label=_("Linkage secret"), required=False, strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("The secret the participating organisations agreed among themselves (at "
                    "least 16 characters). The network's coordinator must never know it. It is "
                    "stored encrypted and never shown again; leave empty to keep the one "
                    "stored."))
    secret_file = forms.FileField(
        label=_("…or a key file"), required=False,
        help_text=_("A file holding the secret, if your organisations share one."))

    def clean(self):
        data = super().clean()
        upload = data.get("secret_file")
        if upload is not None:
            if upload.size > 4096:
                self.add_error("secret_file", _("A key file is at most 4 KB."))
                return data
            if data.get("secret"):
                self.add_error("secret_file", _("Give the secret or a key file, not both."))
                return data
            data["secret_bytes"] = upload.read()
        elif data.get("secret"):
            data["secret_bytes"] = data["secret"].encode("utf-8")
        else:
            data["secret_bytes"] = None
        return data


class EncodingsUploadForm(forms.Form):
    file = forms.FileField(label=_("Encodings file (CSV from the standalone encoder)"))


class OffPlatformUploadForm(forms.Form):
    list_name = forms.CharField(label=_("List name"), max_length=120,
                                help_text=_("The organisation the list comes from, e.g. "
                                            "\"Labour inspectorate 2025\"."))
    file = forms.FileField(label=_("Encodings file (CSV from the standalone encoder)"))


class RunForm(forms.Form):
    threshold = forms.FloatField(label=_("Similarity threshold (Dice)"), min_value=0.5,
                                 max_value=1.0, required=False,
                                 help_text=_("Leave empty for the tuned default."))


class SettingsForm(forms.Form):
    share_matches = forms.BooleanField(
        label=_("Members see which of their own cases are also known elsewhere"), required=False,
        help_text=_("Only for persons whose consent for statistics is recorded. Members never "
                    "see which other organisation knows the person."))


class EstimateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120,
                            error_messages={"required": _("Give the estimate a title.")})
    run = forms.TypedChoiceField(label=_("From a linkage run"), required=False, coerce=int,
                                 empty_value=None)
    file = forms.FileField(
        label=_("…or a capture-history table (CSV)"), required=False,
        help_text=_("One 0/1 column per list and a count column; one row per pattern seen."))
    list_definitions = forms.CharField(
        label=_("What each list counts"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("e.g. A: persons assisted by NGO shelters in 2025; B: victims identified by "
                    "the police in 2025. Shown with the result."))
    method = forms.ChoiceField(label=_("Model"), choices=Estimate.Method.choices,
                               initial=Estimate.Method.STEPWISE)
    pthresh = forms.FloatField(label=_("p-value threshold for adding an interaction"),
                               initial=0.02, min_value=0.0001, max_value=0.5)
    bootstrap = forms.IntegerField(label=_("Bootstrap replicates"), initial=1000, min_value=0,
                                   max_value=5000)

    def __init__(self, *args, runs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["run"].choices = [("", "—")] + [
            (r.pk, _("Run %(n)s of %(date)s") % {"n": r.pk,
                                                 "date": r.created_at.date().isoformat()})
            for r in runs]
        if not runs:
            del self.fields["run"]


class PairDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirmed", _("Same person")),
                                          ("rejected", _("Different persons"))])
