"""Referral statistics on screen and as CSV."""

import csv

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridgeway.core.spreadsheets import safe_cell
from bridgeway.referrals.statistics import referral_statistics

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class PeriodForm(forms.Form):
    since = forms.DateField(label=gettext_lazy("Sent from"), required=False, widget=DATE)
    until = forms.DateField(label=gettext_lazy("Sent until"), required=False, widget=DATE)

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", _("The end of the period is before its start."))
        return data


TABLES = ("by_organisation", "by_type", "pathways")


@login_required
def referral_statistics_view(request):
    form = PeriodForm(request.GET or None)
    period = form.cleaned_data if form.is_valid() else {}
    data = referral_statistics(request.user, since=period.get("since"),
                               until=period.get("until"))
    table = request.GET.get("csv")
    if table in TABLES and form.is_valid():
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="referrals-{table}.csv"'
        writer = csv.writer(response)
        keys = ["label", "sent", "answered", "accepted", "declined", "expired", "pending",
                "overdue", "acceptance_rate", "median_hours", "slowest_hours"]
        writer.writerow(keys)
        for row in data[table]:
            writer.writerow([safe_cell(row[k]) for k in keys])
        return response
    return render(request, "referrals/statistics.html", {"form": form, "data": data},
                  status=400 if form.is_bound and form.errors else 200)
