from django import forms
from django.utils.translation import gettext_lazy as _

from bridgeway.stats.codes import DatasetKind


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Format"), choices=[
        (DatasetKind.CTDC, DatasetKind.CTDC.label), (DatasetKind.HTCDS, DatasetKind.HTCDS.label)])
    file = forms.FileField(label=_("File (CSV in UTF-8, or XLSX)"))
    label = forms.CharField(label=_("Label"), max_length=120, required=False,
                            help_text=_("For example the year or the source. No names."))
    dry_run = forms.BooleanField(label=_("Check only (dry run): nothing is imported"),
                                 required=False, initial=True)


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
