from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from bridgeway.core.dates import time_zone_choices
from bridgeway.core.forms import StaticSelect
from bridgeway.orgs.codes import (
    OrgType,
    Role,
    Service,
    country_choices,
    language_choices,
    role_allowed_for,
)
from bridgeway.orgs.models import (
    CoordinationMechanism,
    MechanismMember,
    Organisation,
    PointOfContact,
)


class OrganisationForm(forms.ModelForm):
    country = forms.ChoiceField(label=_("Country"))
    languages = forms.MultipleChoiceField(
        label=_("Working languages"), required=False,
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )

    class Meta:
        model = Organisation
        fields = ["name", "org_type", "country", "city", "languages", "phone", "email", "website",
                  "description", "listed_in_directory", "time_zone"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—"), *country_choices()]
        self.fields["languages"].choices = language_choices()
        zone = self.fields["time_zone"]
        self.fields["time_zone"] = forms.ChoiceField(
            label=zone.label, help_text=zone.help_text, required=False,
            choices=[("", "—"), *time_zone_choices()],
            error_messages={"invalid_choice": _(
                "Time zone: %(value)s is not a time zone. Choose one from the list, such as "
                "Europe/Chisinau.")})

    def validate_constraints(self):
        # The service checks the name clash and reports it against the name field.
        pass


class OrganisationCreateForm(OrganisationForm):
    first_admin_email = forms.EmailField(
        label=_("First administrator's e-mail"), required=False,
        help_text=_("They receive an invitation to become this organisation's administrator."),
    )


class ServicesForm(forms.Form):
    """One row per service: offered or not, which countries, which area."""

    def __init__(self, *args, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = current or {}
        self.rows = []
        for code, label in Service.choices:
            row = current.get(code)
            self.fields[f"{code}__on"] = forms.BooleanField(
                label=label, required=False, initial=row is not None)
            self.fields[f"{code}__countries"] = forms.CharField(
                label=_("Countries for %(service)s") % {"service": label}, required=False,
                initial=", ".join(row.countries) if row else "",
                help_text=_("ISO codes, comma-separated, e.g. MD, RO"))
            self.fields[f"{code}__area"] = forms.CharField(
                label=_("Area for %(service)s") % {"service": label}, required=False,
                max_length=200, initial=row.area if row else "")
            self.rows.append((code, label))

    def bound_rows(self):
        return [(label, self[f"{code}__on"], self[f"{code}__countries"], self[f"{code}__area"])
                for code, label in self.rows]

    def services(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "service": code,
                "countries": [c.strip().upper() for c in data[f"{code}__countries"].split(",")
                              if c.strip()],
                "area": data[f"{code}__area"].strip(),
            }
            for code, _label in self.rows if data.get(f"{code}__on")
        ]


def role_choices_for(org: Organisation) -> list[tuple[str, str]]:
    return [(value, label) for value, label in Role.choices if role_allowed_for(value, org.org_type)]


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, org: Organisation, only_admin: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = role_choices_for(org)
        if only_admin:
            choices = [c for c in choices if c[0] == Role.ORG_ADMIN]
        self.fields["role"].choices = choices


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, org: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices_for(org)


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Your full name"), max_length=150)
    password1 = forms.CharField(label=_("Choose a password"), widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters; not a common password."))
    password2 = forms.CharField(label=_("Repeat the password"), widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords do not match."))
        elif p1:
            try:
                validate_password(p1, get_user_model()(email=self.email, full_name=data.get("full_name", "")))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class NetworkMemberForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    joined_on = forms.DateField(label=_("Member since"), required=False,
                                widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = candidates


def _any_country() -> list[tuple[str, object]]:
    return [("", _("Any")), *country_choices()]


def _any_language() -> list[tuple[str, object]]:
    return [("", _("Any")), *language_choices()]


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or city"), required=False)
    # The long lists are functions, built only to check a value, and their options are written
    # once per language (core.forms.StaticSelect).
    country = forms.ChoiceField(label=_("Based in"), required=False, choices=_any_country,
                                widget=StaticSelect)
    # No help texts: the filter bar shows labels only, and a help text's id would be referenced
    # by the field without being on the page.
    serves = forms.ChoiceField(label=_("Serves country"), required=False, choices=_any_country,
                               widget=StaticSelect)
    area = forms.CharField(label=_("Area served (region or city)"), required=False,
                           max_length=100)
    org_type = forms.ChoiceField(label=_("Type"), required=False)
    service = forms.ChoiceField(label=_("Service"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False, choices=_any_language,
                                 widget=StaticSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_type"].choices = [("", _("Any")), *OrgType.choices]
        self.fields["service"].choices = [("", _("Any")), *Service.choices]


class LanguagesField(forms.MultipleChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("Hold Ctrl (or Cmd) to choose several."))
        super().__init__(required=False, **kwargs)


class PointOfContactForm(forms.ModelForm):
    user = forms.ModelChoiceField(label=_("Member"), queryset=None,
                                  help_text=_("A person who holds a role in this organisation."))
    languages = LanguagesField(label=_("Languages spoken"))

    class Meta:
        model = PointOfContact
        fields = ["user", "function", "phone", "email", "availability", "languages",
                  "alternative_channel"]
        widgets = {"phone": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
                   "alternative_channel": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates
        self.fields["user"].label_from_instance = lambda u: u.full_name or str(u.pk)
        self.fields["languages"].choices = language_choices()
        self.fields["phone"].help_text = _("International format, e.g. +37322123456")
        if self.instance.pk:
            self.fields["user"].disabled = True

    def validate_unique(self):
        # The service checks that the person is not designated twice, naming the field.
        pass


class MechanismForm(forms.ModelForm):
    country = forms.ChoiceField(label=_("Country"))

    class Meta:
        model = CoordinationMechanism
        fields = ["name", "level", "country", "area", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—"), *country_choices()]

    def validate_constraints(self):
        # The service checks the name clash and reports it against the name field.
        pass


class MechanismCreateForm(MechanismForm):
    convener = forms.ModelChoiceField(label=_("Convening organisation"), queryset=None,
                                      help_text=_("Its administrators manage the mechanism."))

    class Meta(MechanismForm.Meta):
        fields = ["name", "convener", "level", "country", "area", "description"]

    def __init__(self, *args, conveners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["convener"].queryset = conveners


class MechanismMemberForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None)
    role = forms.ChoiceField(label=_("Membership role"), choices=MechanismMember.MemberRole.choices,
                             initial=MechanismMember.MemberRole.MEMBER,
                             help_text=_("CSOs take part as full members."))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = candidates


class MechanismFilterForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), required=False, choices=_any_country,
                                widget=StaticSelect)
    level = forms.ChoiceField(label=_("Level"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", _("Any")),
                                        *CoordinationMechanism.Level.choices]


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Date of the meeting"),
                              widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    attendees = forms.ModelMultipleChoiceField(
        label=_("Member organisations present"), queryset=None,
        widget=forms.CheckboxSelectMultiple)
    agenda = forms.CharField(label=_("Agenda"), required=False, max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("No names or other details of victims or persons "
                                         "assisted."))
    decisions = forms.CharField(label=_("Decisions"), required=False, max_length=5000,
                                widget=forms.Textarea(attrs={"rows": 4}),
                                help_text=_("No names or other details of victims or persons "
                                            "assisted."))

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = members
