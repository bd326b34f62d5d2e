"""Organisations' words in core's label registry (core.labels): organisation types, roles,
services, countries and languages (pycountry's names in the reader's language), how the audit
log names an organisation, a membership or a task force, and the organisation's time zone."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgeway.core.dates import register_time_zone_source
from bridgeway.core.labels import register_codes, register_details, register_objects, register_sentences
from bridgeway.orgs.codes import (
    OrgType,
    Role,
    Service,
    country_name,
    is_country,
    is_language,
    language_name,
)
from bridgeway.orgs.models import CoordinationMechanism, MechanismMember, Membership, Organisation
from bridgeway.orgs.queries import active_memberships

register_codes("orgs.org_type", OrgType)
register_codes("orgs.role", Role)
register_codes("orgs.service", Service)
register_codes("country", lambda code: country_name(code) if is_country(code) else None)
register_codes("language", lambda code: language_name(code) if is_language(code) else None)
register_codes("orgs.mechanism_level", CoordinationMechanism.Level)
register_codes("orgs.mechanism_role", MechanismMember.MemberRole)


def _organisations(ids: list[str]) -> dict[str, tuple[str, str]]:
    return {str(pk): (name, reverse("orgs:detail", args=[pk])) for pk, name in
            Organisation.objects.filter(pk__in=[i for i in ids if i.isdigit()])
            .values_list("pk", "name")}


def _memberships(ids: list[str]) -> dict[str, tuple[str, str]]:
    rows = Membership.objects.filter(pk__in=[i for i in ids if i.isdigit()]).values_list(
        "pk", "user__full_name", "role")
    return {str(pk): (str(_("%(name)s as %(role)s") % {"name": name, "role": Role(role).label
                      if role in Role.values else role}), "") for pk, name, role in rows}


def _mechanisms(ids: list[str]) -> dict[str, tuple[str, str]]:
    return {str(pk): (name, reverse("orgs:mechanism", args=[pk])) for pk, name in
            CoordinationMechanism.objects.filter(pk__in=[i for i in ids if i.isdigit()])
            .values_list("pk", "name")}


register_objects("orgs.organisation", _organisations)
register_objects("orgs.membership", _memberships)
register_objects("orgs.coordinationmechanism", _mechanisms)

register_details({
    "org_type": (_("Type"), "orgs.org_type"),
    "role": (_("Role"), "orgs.role"),
    "country": (_("Country"), "country"),
    "citizenship": (_("Citizenship"), "country"),
    "language": (_("Language"), "language"),
    "services": (_("Services"), "orgs.service"),
    "service": (_("Service"), "orgs.service"),
    "fields": (_("Fields changed"), "field"),
    "network": (_("Network"), "orgs.organisation"),
    "member": (_("Member"), "orgs.organisation"),
    "organisations": (_("Organisations"), "orgs.organisation"),
    "convener": (_("Convener"), "orgs.organisation"),
    "mechanism": (_("Task force"), "orgs.coordinationmechanism"),
    "level": (_("Level"), "orgs.mechanism_level"),
    "count": (_("Number"), "plain"),
    "rows": (_("Rows"), "plain"),
    "records": (_("Records"), "plain"),
    "days": (_("Days"), "plain"),
    "attendees": (_("Attendees"), "plain"),
})


@register_time_zone_source
def _time_zone(user) -> str:
    """The time zone of the first of the person's organisations that has one set."""
    for membership in active_memberships(user):
        zone = getattr(membership.organisation, "time_zone", "")
        if zone:
            return zone
    return ""

register_sentences({
    "orgs.contact.added": _("%(who)s added a point of contact"),
    "orgs.contact.removed": _("%(who)s removed a point of contact"),
    "orgs.contact.updated": _("%(who)s edited a point of contact"),
    "orgs.invitation.accepted": _("%(who)s accepted an invitation"),
    "orgs.invitation.created": _("%(who)s sent an invitation"),
    "orgs.invitation.revoked": _("%(who)s revoked an invitation"),
    "orgs.mechanism.created": _("%(who)s created a task force"),
    "orgs.mechanism.meeting_recorded": _("%(who)s recorded a task force meeting"),
    "orgs.mechanism.member_added": _("%(who)s added a member to a task force"),
    "orgs.mechanism.member_removed": _("%(who)s removed a member from a task force"),
    "orgs.mechanism.updated": _("%(who)s edited a task force"),
    "orgs.membership.created": _("%(who)s added a member"),
    "orgs.membership.deactivated": _("%(who)s deactivated a member"),
    "orgs.membership.reactivated": _("%(who)s reactivated a member"),
    "orgs.membership.role_changed": _("%(who)s changed a member's role"),
    "orgs.network_membership.created": _("%(who)s added an organisation to the network"),
    "orgs.network_membership.removed": _("%(who)s removed an organisation from the network"),
    "orgs.organisation.created": _("%(who)s added an organisation"),
    "orgs.organisation.services_set": _("%(who)s set the organisation's services"),
    "orgs.organisation.updated": _("%(who)s edited the organisation profile"),
})
