from django import forms
from django.utils.translation import gettext_lazy as _

from bridgeway.protection.models import ConsentMethod, ConsentPurpose, ErasureRequest


class AuditFilterForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Organisation"))
    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.TypedChoiceField(label=_("Person"), required=False, coerce=int, empty_value=None)
    since = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False,
                            widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    subject = forms.CharField(label=_("Case, referral or person"), required=False, max_length=40,
                              help_text=_("A reference, such as C-2026-0012."))

    def __init__(self, *args, orgs, actions, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(str(o.pk), o.name) for o in orgs]
        self.fields["action"].choices = [("", _("All")), *actions]
        self.fields["actor"].choices = [("", _("Anyone")), *[(p.pk, p.full_name) for p in people]]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"))
    recipient_type = forms.ChoiceField(
        label=_("For referrals: kind of organisation"), required=False,
        help_text=_("Leave empty if the person agreed to referral to any kind of organisation."))
    method = forms.ChoiceField(label=_("How it was given"))
    given_on = forms.DateField(label=_("Given on"),
                               widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    expires_on = forms.DateField(label=_("Valid until"), required=False,
                                 widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    witness_or_guardian = forms.CharField(label=_("Witness or guardian"), required=False,
                                          max_length=200)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        from bridgeway.orgs.codes import OrgType
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = ConsentPurpose.choices
        self.fields["method"].choices = ConsentMethod.choices
        self.fields["recipient_type"].choices = [("", _("Any")), *OrgType.choices]


class InlineConsentForm(forms.Form):
    """Consent recorded where it is asked (intake, the referral form), in the same form as the
    rest of the page: prefixed "consent", so its fields never clash with the page's own.
    `purposes` limits what may be ticked (the referral form offers referral only)."""

    prefix = "consent"
    purposes = forms.MultipleChoiceField(label=_("The person consents to"), required=False,
                                         widget=forms.CheckboxSelectMultiple)
    recipient_type = forms.ChoiceField(
        label=_("For referrals: kind of organisation"), required=False,
        help_text=_("Leave empty if the person agreed to referral to any kind of organisation."))
    method = forms.ChoiceField(label=_("How it was given"), required=False)
    given_on = forms.DateField(label=_("Given on"), required=False,
                               widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    witness_or_guardian = forms.CharField(label=_("Witness or guardian"), required=False,
                                          max_length=200)

    def __init__(self, *args, purposes=None, **kwargs):
        from django.utils import timezone

        from bridgeway.orgs.codes import OrgType
        kwargs.setdefault("initial", {"given_on": timezone.localdate(),
                                      "method": ConsentMethod.WRITTEN})
        super().__init__(*args, **kwargs)
        allowed = [(v, label) for v, label in ConsentPurpose.choices
                   if purposes is None or v in purposes]
        self.fields["purposes"].choices = allowed
        self.fields["method"].choices = ConsentMethod.choices
        self.fields["recipient_type"].choices = [("", _("Any")), *OrgType.choices]
        if purposes is not None and ConsentPurpose.REFERRAL not in purposes:
            del self.fields["recipient_type"]

    def consent_data(self):
        """What to record (a protection.services.ConsentData), or None when nothing is
        ticked. Call after is_valid()."""
        from bridgeway.protection.services import ConsentData

        data = self.cleaned_data
        if not data.get("purposes"):
            return None
        return ConsentData(purposes=tuple(data["purposes"]), method=data.get("method") or "",
                           given_on=data.get("given_on"),
                           recipient_type=data.get("recipient_type") or "",
                           witness_or_guardian=data.get("witness_or_guardian") or "")


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("Document"))


class ErasureRequestForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [
            c for c in ErasureRequest.Reason.choices if c[0] != ErasureRequest.Reason.RETENTION]


class RetentionPolicyForm(forms.Form):
    years_after_closure = forms.IntegerField(label=_("Keep for (years after closure)"),
                                             min_value=1, max_value=100)


class SubjectSearchForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=200)
    fuzzy = forms.BooleanField(label=_("Also similar-sounding names"), required=False,
                               initial=True)


class AccessLogFilterForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Organisation"))
    user = forms.TypedChoiceField(label=_("Who"), required=False, coerce=int, empty_value=None)
    screen = forms.ChoiceField(label=_("What"), required=False)
    since = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False,
                            widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    subject = forms.CharField(label=_("Case, referral or person"), required=False, max_length=40,
                              help_text=_("A reference, such as C-2026-0012."))
    flagged = forms.BooleanField(label=_("Only unusual access"), required=False)

    def __init__(self, *args, orgs, people, screens=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(str(o.pk), o.name) for o in orgs]
        self.fields["user"].choices = [("", _("Anyone")), *[(p.pk, p.full_name) for p in people]]
        self.fields["screen"].choices = [("", _("Anything")), *screens]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data
