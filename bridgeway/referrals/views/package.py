"""Screens for referrals to an organisation that is not on the platform: sending one, and
handing over its encrypted package."""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy

from bridgeway.cases.queries import case_for_user
from bridgeway.core.forms import add_validation_error
from bridgeway.orgs.codes import OrgType, Role, country_choices
from bridgeway.orgs.queries import roles_in
from bridgeway.referrals import package, services
from bridgeway.referrals.forms import ReferralForm
from bridgeway.referrals.queries import SENDER, referral_for_user


class OffPlatformReferralForm(ReferralForm):
    offplatform_name = forms.CharField(label=gettext_lazy("Organisation (not on Bridgeway)"),
                                       max_length=200)
    offplatform_country = forms.ChoiceField(label=gettext_lazy("Its country"))
    offplatform_type = forms.ChoiceField(label=gettext_lazy("Kind of organisation"), choices=[
        ("", "—"), *[c for c in OrgType.choices if c[0] != OrgType.CSO_NETWORK]])
    offplatform_contact = forms.CharField(
        label=gettext_lazy("Contact e-mail or phone"), max_length=500,
        help_text=gettext_lazy("Professional contact of the organisation; stored encrypted."))
    package_language = forms.ChoiceField(label=gettext_lazy("Language of the package"),
                                         choices=settings.LANGUAGES)
    field_order = ["offplatform_name", "offplatform_country", "offplatform_type",
                   "offplatform_contact", "package_language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["recipient"]
        self.fields["offplatform_country"].choices = [("", "—"), *country_choices()]


class PackageForm(forms.Form):
    mode = forms.ChoiceField(label=gettext_lazy("Protect the package with"), choices=[
        (package.MODE_PASSPHRASE, gettext_lazy("a passphrase you give the recipient by another "
                                               "channel (phone, in person)")),
        (package.MODE_KEY, gettext_lazy("the recipient's public key (X25519)"))],
        widget=forms.RadioSelect, initial=package.MODE_PASSPHRASE)
    passphrase = forms.CharField(label=gettext_lazy("Passphrase (at least 12 characters)"),
                                 required=False, strip=False,
                                 widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
                                 help_text=gettext_lazy("Never stored: if it is lost, make a "
                                                        "new package."))
    public_key = forms.CharField(label=gettext_lazy("Recipient's public key (base64)"),
                                 required=False, max_length=100)
    language = forms.ChoiceField(label=gettext_lazy("Language of the package"),
                                 choices=settings.LANGUAGES)


@login_required
def referral_new_offplatform(request, case_pk):
    case = case_for_user(request.user, case_pk)
    if case.subject_id is None or case.subject.is_erased:
        raise Http404
    form = OffPlatformReferralForm(request.POST or None,
                                   initial={"package_language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_send(
                case=case, actor=request.user, recipient=None, sections=data["sections"],
                reason=data["reason"], reason_text=data["reason_text"], urgency=data["urgency"],
                services=data["services"], deadline=data["deadline"],
                override_reason=data["override_reason"], offplatform={
                    "name": data["offplatform_name"], "country": data["offplatform_country"],
                    "org_type": data["offplatform_type"],
                    "contact": data["offplatform_contact"],
                    "language": data["package_language"]})
        except ValidationError as exc:
            add_validation_error(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("referrals:package", referral.pk)
    return render(request, "referrals/new.html", {
        "case": case, "form": form, "consent": None, "offplatform": True,
        "is_supervisor": Role.SUPERVISOR in roles_in(request.user, case.organisation)},
        status=400 if form.is_bound and form.errors else 200)


@login_required
def package_view(request, pk):
    referral, side = referral_for_user(request.user, pk)
    if side != SENDER or not referral.is_offplatform:
        raise Http404
    form = PackageForm(request.POST or None,
                       initial={"language": referral.package_language or request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sealed = package.package_hand_over(
                referral=referral, actor=request.user, mode=data["mode"],
                passphrase=data["passphrase"], public_key=data["public_key"],
                language=data["language"])
        except ValidationError as exc:
            add_validation_error(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return package_file_response(referral, sealed)
    return render(request, "referrals/package_form.html", {"referral": referral, "form": form},
                  status=400 if form.is_bound and form.errors else 200)


def package_file_response(referral, sealed: bytes) -> HttpResponse:
    response = HttpResponse(sealed, content_type="application/octet-stream")
    # The reference only: never a name.
    response["Content-Disposition"] = f'attachment; filename="{referral.reference}.bwpkg"'
    response["Cache-Control"] = "no-store"
    return response


