from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    preferred_language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=80,
                           help_text=_("What the token is for, e.g. 'monthly statistics script'."))
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=365, initial=90)
