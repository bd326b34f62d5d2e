from django import forms
from django.utils.translation import gettext_lazy as _

from bridgeway.stats.codes import DatasetKind
from bridgeway.stats.models import Release
from bridgeway.stats.release import DIMENSION_LABELS, DIMENSIONS


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Format"), choices=[
        (DatasetKind.CTDC, DatasetKind.CTDC.label), (DatasetKind.HTCDS, DatasetKind.HTCDS.label)])
    file = forms.FileField(label=_("File (CSV in UTF-8, or XLSX)"))
    label = forms.CharField(label=_("Label"), max_length=120, required=False,
                            help_text=_("For example the year or the source. No names."))
    dry_run = forms.BooleanField(label=_("Check only (dry run): nothing is imported"),
                                 required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.conf import settings
        from django.template.defaultfilters import filesizeformat

        # Said before the upload, so a person need not learn the limit by hitting it.
        self.fields["file"].help_text = _("At most %(size)s.") % {
            "size": filesizeformat(settings.BRIDGEWAY_IMPORT_MAX_BYTES)}
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx,text/csv"

    @classmethod
    def refused(cls, data, message: str) -> "ImportForm":
        """The form as sent, with the file refused for `message` and no other complaint: the
        body of an over-size upload is not read, so the other fields may be missing."""
        initial = {name: data[name] for name in ("kind", "label") if data.get(name)}
        form = cls(initial=initial)
        form.cleaned_data = {}
        form.add_error("file", message)
        return form


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=[
        ("htcds_csv", _("HTCDS, CSV: this organisation's cases")),
        ("htcds_xlsx", _("HTCDS, XLSX: this organisation's cases")),
        ("ctdc_csv", _("CTDC, CSV (semicolons): de-identified records")),
        ("ctdc_xlsx", _("CTDC, XLSX: de-identified records")),
    ])
    include_personal = forms.BooleanField(
        label=_("Include personal data (names, date of birth, contacts)"), required=False,
        help_text=_("Supervisors only. You will be asked to confirm your identity; the export is "
                    "recorded in the audit and access logs."))

    def __init__(self, *args, network: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if network:
            # A network holds no cases of its own: HTCDS exports of cases would only fail.
            self.fields["format"].choices = [c for c in self.fields["format"].choices
                                             if c[0].startswith("ctdc")]


class ReleaseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120,
                            help_text=_("For example \"Victims by year and sex, 2019–2024\"."))
    dataset = forms.TypedChoiceField(label=_("Dataset"), coerce=int, choices=[])
    kind = forms.ChoiceField(label=_("Method"), choices=Release.Kind.choices)
    dimensions = forms.MultipleChoiceField(
        label=_("Dimensions (quasi-identifiers)"), widget=forms.CheckboxSelectMultiple,
        choices=[(d, DIMENSION_LABELS[d]) for d in DIMENSIONS],
        help_text=_("Differentially private counts take one of: year, sex, age, citizenship, "
                    "country of exploitation."))
    k = forms.IntegerField(label=_("k (smallest group published)"), initial=11, min_value=2,
                           max_value=100, required=False)
    epsilon = forms.FloatField(label=_("ε to spend (differential privacy)"), required=False,
                               min_value=0.001, max_value=10)

    def __init__(self, *args, datasets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dataset"].choices = [(d.pk, f"{d} ({d.rows})") for d in datasets]


class BudgetForm(forms.Form):
    total_epsilon = forms.FloatField(label=_("Total ε for this dataset"), min_value=0.001,
                                     max_value=10)
