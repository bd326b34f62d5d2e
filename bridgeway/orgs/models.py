from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from bridgeway.orgs.codes import OrgType, Role, Service

# HTCDS org_Phone: E.164
e164 = RegexValidator(r"^\+?[1-9]\d{1,14}$", _("Enter the number in international format, e.g. "
                                              "+37322123456 (digits only, up to 15)."))


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    org_type = models.CharField(_("type"), max_length=40, choices=OrgType.choices)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 country"))
    city = models.CharField(_("city"), max_length=100, blank=True)
    languages = models.JSONField(_("working languages"), default=list, blank=True,
                                 help_text=_("ISO 639 language codes"))
    phone = models.CharField(_("phone"), max_length=16, blank=True, validators=[e164])
    email = models.EmailField(_("public e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    listed_in_directory = models.BooleanField(
        _("listed in the directory"), default=True,
        help_text=_("Unlisted organisations are visible only to their own members and to the "
                    "coordinators of networks they belong to."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True,
        help_text=_("Times and deadlines on your members' pages are shown in this zone, e.g. "
                    "Europe/Chisinau. Empty: the platform's zone."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(Lower("name"), "country", name="org_unique_name_per_country"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_network(self) -> bool:
        return self.org_type == OrgType.CSO_NETWORK


class OrganisationService(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="services")
    service = models.CharField(_("service"), max_length=40, choices=Service.choices)
    countries = models.JSONField(_("countries covered"), default=list, blank=True)
    area = models.CharField(_("area served"), max_length=200, blank=True,
                            help_text=_("Regions or cities, e.g. 'Chișinău and Bălți'"))

    class Meta:
        ordering = ["service"]
        constraints = [models.UniqueConstraint("organisation", "service",
                                               name="org_service_unique")]

    def __str__(self) -> str:
        return self.get_service_display()


class NetworkMembership(models.Model):
    network = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                related_name="network_members")
    member = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                               related_name="network_memberships")
    joined_on = models.DateField(_("member since"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["member__name"]
        constraints = [models.UniqueConstraint("network", "member", name="network_member_unique")]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.network_id}"


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="memberships")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint("user", "organisation", "role", name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.organisation_id}:{self.role}"


class Invitation(models.Model):
    """An org admin's invitation. Only a SHA-256 digest of the token is stored."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="invitations")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    token_digest = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invitation {self.pk} to {self.organisation_id}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class PointOfContact(models.Model):
    """A designated anti-trafficking point of contact of an organisation: professional contact
    details of one of its members, shown to every member of any organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="points_of_contact")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("member"))
    function = models.CharField(_("function or title"), max_length=120)
    phone = models.CharField(_("work phone"), max_length=16, blank=True, validators=[e164])
    email = models.EmailField(_("work e-mail"), blank=True)
    availability = models.CharField(_("hours and availability"), max_length=200, blank=True,
                                    help_text=_("e.g. Monday to Friday, 9:00–18:00"))
    languages = models.JSONField(_("languages spoken"), default=list, blank=True,
                                 help_text=_("ISO 639 language codes"))
    alternative_channel = models.CharField(
        _("out of hours or alternative channel"), max_length=300, blank=True,
        help_text=_("How to reach the organisation when this person is not available, e.g. the "
                    "duty officer's number."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation__name", "function", "pk"]
        verbose_name = _("point of contact")
        verbose_name_plural = _("points of contact")
        constraints = [models.UniqueConstraint("organisation", "user", name="org_contact_unique")]

    def __str__(self) -> str:
        return f"contact {self.pk} of {self.organisation_id}"


class CoordinationMechanism(models.Model):
    """A national or local coordination mechanism (task force) convened by one organisation."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        LOCAL = "local", _("Local")

    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices,
                             default=Level.NATIONAL)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 country"))
    area = models.CharField(_("area"), max_length=200, blank=True,
                            help_text=_("For a local mechanism: the region or city it covers."))
    description = models.TextField(_("description"), blank=True, max_length=2000)
    convener = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                 related_name="convened_mechanisms",
                                 verbose_name=_("convening organisation"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["country", "name"]
        verbose_name = _("coordination mechanism")
        verbose_name_plural = _("coordination mechanisms")
        constraints = [
            models.UniqueConstraint(Lower("name"), "country", name="mechanism_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class MechanismMember(models.Model):
    class MemberRole(models.TextChoices):
        CHAIR = "chair", _("Chair")
        MEMBER = "member", _("Full member")
        OBSERVER = "observer", _("Observer")

    mechanism = models.ForeignKey(CoordinationMechanism, on_delete=models.CASCADE,
                                  related_name="members")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="mechanism_memberships",
                                     verbose_name=_("organisation"))
    role = models.CharField(_("membership role"), max_length=10, choices=MemberRole.choices,
                            default=MemberRole.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [models.UniqueConstraint("mechanism", "organisation",
                                               name="mechanism_member_unique")]

    def __str__(self) -> str:
        return f"{self.organisation_id} in mechanism {self.mechanism_id}"


class MechanismMeeting(models.Model):
    """The record of a meeting: date, member organisations present, agenda and decisions.
    Never victims' personal data: the form says so, and the text is for coordination only."""

    mechanism = models.ForeignKey(CoordinationMechanism, on_delete=models.CASCADE,
                                  related_name="meetings")
    held_on = models.DateField(_("date"))
    attendees = models.ManyToManyField(Organisation, related_name="+",
                                       verbose_name=_("organisations present"))
    agenda = models.TextField(_("agenda"), blank=True, max_length=5000)
    decisions = models.TextField(_("decisions"), blank=True, max_length=5000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"meeting {self.pk} of mechanism {self.mechanism_id}"
