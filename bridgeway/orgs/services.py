"""Writes for organisations, memberships, invitations and networks. Each writes its audit event."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bridgeway.core.dates import is_time_zone
from bridgeway.core.shortcuts import apply_changes
from bridgeway.orgs.codes import (
    ADMIN_ROLES,
    OrgType,
    Role,
    Service,
    is_country,
    is_language,
    role_allowed_for,
)
from bridgeway.orgs.models import (
    CoordinationMechanism,
    Invitation,
    MechanismMeeting,
    MechanismMember,
    Membership,
    NetworkMembership,
    Organisation,
    OrganisationService,
    PointOfContact,
)
from bridgeway.orgs.queries import (
    InvitationError,
    forget_memberships,
    invitation_by_token,
    may_manage_network,
    roles_in,
    token_digest,
)
from bridgeway.protection.audit import audit_record

if TYPE_CHECKING:
    from bridgeway.accounts.models import User

PROFILE_FIELDS = ("name", "org_type", "country", "city", "languages", "phone", "email",
                  "website", "description", "listed_in_directory", "time_zone")


def _validate_codes(org: Organisation) -> None:
    errors: dict[str, list[str]] = {}
    if not is_country(org.country):
        errors["country"] = [_("Unknown country code %(code)r: use an ISO 3166 two-letter code "
                               "such as MD or RO.") % {"code": org.country}]
    if not isinstance(org.languages, list):
        errors["languages"] = [_("Languages must be a list of ISO 639 codes.")]
    else:
        bad = [code for code in org.languages if not is_language(code)]
        if bad:
            errors["languages"] = [_("Unknown language code(s): %(codes)s. Use ISO 639 codes "
                                     "such as ro, uk or en.") % {"codes": ", ".join(map(str, bad))}]
        org.languages = sorted(dict.fromkeys(org.languages))
    if org.time_zone and not is_time_zone(org.time_zone):
        errors["time_zone"] = [_("Time zone: %(zone)r is not a time zone. Use a name from the "
                                 "time zone database such as Europe/Chisinau or Europe/Bucharest.")
                               % {"zone": str(org.time_zone)[:64]}]
    if errors:
        raise ValidationError(errors)


def _full_clean(org: Organisation) -> None:
    code_errors: dict[str, Any] = {}
    try:
        _validate_codes(org)
    except ValidationError as exc:
        code_errors = exc.message_dict
    try:
        # The name clash is checked below so that the message names the field.
        org.full_clean(exclude=["languages"] if "languages" in code_errors else None,
                       validate_constraints=False)
    except ValidationError as exc:
        merged = exc.message_dict
        for key, messages in code_errors.items():
            merged.setdefault(key, []).extend(messages)
        raise ValidationError(merged) from None
    if code_errors:
        raise ValidationError(code_errors)
    clash = Organisation.objects.filter(name__iexact=org.name, country=org.country).exclude(pk=org.pk)
    if clash.exists():
        raise ValidationError({"name": [_("An organisation with this name already exists in "
                                          "this country.")]})


@transaction.atomic
def organisation_create(*, actor: User, **fields: Any) -> Organisation:
    if not actor.is_superuser:
        raise PermissionDenied(_("Only a platform administrator can add organisations."))
    org = Organisation(**{k: v for k, v in fields.items() if k in PROFILE_FIELDS})
    _full_clean(org)
    org.save()
    audit_record(action="orgs.organisation.created", actor=actor, organisation=org, obj=org,
                 payload={"org_type": org.org_type, "country": org.country})
    return org


@transaction.atomic
def organisation_update(*, org: Organisation, actor: User, data: dict[str, Any]) -> list[str]:
    """Updates the profile; returns the names of the fields that changed."""
    if not roles_in(actor, org) & ADMIN_ROLES:
        raise PermissionDenied(_("You are not an administrator of this organisation."))
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    changed = apply_changes(org, data, PROFILE_FIELDS)
    if "org_type" in changed:
        clashing = Membership.objects.filter(organisation=org, is_active=True).values_list(
            "role", flat=True).distinct()
        bad = [r for r in clashing if not role_allowed_for(r, org.org_type)]
        if bad:
            raise ValidationError({"org_type": [_(
                "This type does not allow the role(s) some members hold: %(roles)s. Change "
                "those memberships first.") % {"roles": ", ".join(str(Role(r).label) for r in bad)}]})
    _full_clean(org)
    if changed:
        org.save()
        audit_record(action="orgs.organisation.updated", actor=actor, organisation=org, obj=org,
                     payload={"fields": sorted(changed)})
    return changed


@transaction.atomic
def organisation_services_set(*, org: Organisation, actor: User, services: list[dict[str, Any]]) -> None:
    """Replaces the services an organisation offers, validating every row first."""
    if not roles_in(actor, org) & ADMIN_ROLES:
        raise PermissionDenied(_("You are not an administrator of this organisation."))
    seen: set[str] = set()
    rows = []
    for index, item in enumerate(services, start=1):
        code = item.get("service")
        if code not in Service.values:
            raise ValidationError({"services": [_("Row %(row)d: unknown service %(code)r.")
                                                % {"row": index, "code": code}]})
        if code in seen:
            raise ValidationError({"services": [_("Row %(row)d: %(service)s is listed twice.")
                                                % {"row": index, "service": Service(code).label}]})
        seen.add(code)
        countries = list(item.get("countries") or [])
        bad = [c for c in countries if not is_country(c)]
        if bad:
            raise ValidationError({"services": [_("Row %(row)d: unknown country code(s) %(codes)s.")
                                                % {"row": index, "codes": ", ".join(map(str, bad))}]})
        area = str(item.get("area") or "")
        if len(area) > 200:
            raise ValidationError({"services": [_("Row %(row)d: the area is longer than 200 "
                                                  "characters.") % {"row": index}]})
        rows.append(OrganisationService(organisation=org, service=code, countries=countries,
                                        area=area))
    OrganisationService.objects.filter(organisation=org).delete()
    OrganisationService.objects.bulk_create(rows)
    audit_record(action="orgs.organisation.services_set", actor=actor, organisation=org, obj=org,
                 payload={"services": sorted(seen)})


# --- invitations and memberships ---------------------------------------------------------


def _check_can_grant(*, actor: User, org: Organisation, role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": [_("Unknown role %(role)r.") % {"role": role}]})
    is_admin = bool(roles_in(actor, org) & ADMIN_ROLES)
    bootstrap = actor.is_superuser and role == Role.ORG_ADMIN
    if not (is_admin or bootstrap):
        raise PermissionDenied(_("You are not an administrator of this organisation."))
    if not role_allowed_for(role, org.org_type):
        raise ValidationError({"role": [_("The role %(role)s does not exist in an organisation of "
                                          "type %(type)s.") % {"role": Role(role).label,
                                                               "type": OrgType(org.org_type).label}]})


@transaction.atomic
def invitation_create(*, org: Organisation, actor: User, email: str, role: str,
                      base_url: str = "") -> tuple[Invitation, str]:
    """Creates an invitation and e-mails its link. Returns it with the one-time token."""
    from django.contrib.auth import get_user_model

    _check_can_grant(actor=actor, org=org, role=role)
    email = (email or "").strip().lower()
    from django.core.validators import validate_email

    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": [_("Enter a valid e-mail address.")]}) from None
    if email == actor.email and not roles_in(actor, org) & ADMIN_ROLES:
        raise ValidationError({"email": [_("A platform administrator cannot invite themselves.")]})
    existing = get_user_model().objects.filter(email__iexact=email).first()
    if existing and Membership.objects.filter(user=existing, organisation=org, role=role,
                                              is_active=True).exists():
        raise ValidationError({"email": [_("This person already has this role in the "
                                           "organisation.")]})
    now = timezone.now()
    if Invitation.objects.filter(organisation=org, email=email, role=role, accepted_at__isnull=True,
                                 revoked_at__isnull=True, expires_at__gt=now).exists():
        raise ValidationError({"email": [_("An invitation for this address and role is already "
                                           "pending. Revoke it to send a new one.")]})
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=org, email=email, role=role, token_digest=token_digest(token),
        invited_by=actor, expires_at=now + timedelta(days=settings.BRIDGEWAY_INVITATION_DAYS),
    )
    audit_record(action="orgs.invitation.created", actor=actor, organisation=org, obj=invitation,
                 payload={"role": role})
    link = base_url.rstrip("/") + reverse("invitations:accept", args=[token])
    language = existing.preferred_language if existing and existing.preferred_language else None
    with translation.override(language or translation.get_language()):
        context = {"org": org, "role": Role(role).label, "link": link,
                   "days": settings.BRIDGEWAY_INVITATION_DAYS}
        send_mail(
            subject=_("Invitation to join %(org)s on Bridgeway") % {"org": org.name},
            message=render_to_string("orgs/email/invitation.txt", context),
            from_email=None,
            recipient_list=[email],
        )
    return invitation, token


@transaction.atomic
def invitation_accept(*, token: str, user: User | None = None, full_name: str = "", password: str = "",
                      language: str = "") -> Membership:
    """Accepts an invitation as the signed-in `user`, or creates the account for its address."""
    from django.contrib.auth import get_user_model

    from bridgeway.accounts.services import user_create

    invitation = invitation_by_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:  # lost a race with another tab
        raise InvitationError(_("This invitation has already been used."))
    if user is not None and user.is_authenticated:
        if user.email.lower() != invitation.email:
            raise InvitationError(_("This invitation was sent to another e-mail address. Sign "
                                    "out and open the link again, or ask for an invitation to "
                                    "your own address."))
    else:
        if get_user_model().objects.filter(email__iexact=invitation.email).exists():
            raise InvitationError(_("An account with this e-mail address already exists. Sign "
                                    "in first, then open the invitation link again."))
        user = user_create(email=invitation.email, full_name=full_name, password=password,
                           language=language)
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation, role=invitation.role,
        defaults={"is_active": True},
    )
    if not created:
        membership.is_active = True
        membership.save(update_fields=["is_active", "updated_at"])
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    forget_memberships(user)
    audit_record(action="orgs.invitation.accepted", actor=user, organisation=invitation.organisation,
                 obj=invitation, payload={"role": invitation.role})
    audit_record(action="orgs.membership.created", actor=user, organisation=invitation.organisation,
                 obj=membership, payload={"role": membership.role, "user": user.pk,
                                          "via": "invitation"})
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> None:
    if not roles_in(actor, invitation.organisation) & ADMIN_ROLES:
        raise PermissionDenied(_("You are not an administrator of this organisation."))
    if not invitation.is_pending:
        raise ValidationError(_("This invitation is no longer pending."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(action="orgs.invitation.revoked", actor=actor, organisation=invitation.organisation,
                 obj=invitation)


@transaction.atomic
def membership_grant(*, org: Organisation, user: User, role: str, actor: User) -> Membership:
    """Gives an existing account a role directly (bootstrap and demo data); people who have no
    account yet are invited instead."""
    _check_can_grant(actor=actor, org=org, role=role)
    if user.pk == actor.pk and not roles_in(actor, org) & ADMIN_ROLES:
        raise PermissionDenied(_("A platform administrator cannot give themselves a role."))
    membership, created = Membership.objects.get_or_create(user=user, organisation=org, role=role)
    if not created and membership.is_active:
        raise ValidationError({"role": [_("This person already has this role in the "
                                          "organisation.")]})
    if not created:
        membership.is_active = True
        membership.save(update_fields=["is_active", "updated_at"])
    forget_memberships(user)
    audit_record(action="orgs.membership.created", actor=actor, organisation=org, obj=membership,
                 payload={"role": role, "user": user.pk, "via": "grant"})
    return membership


def _ensure_another_admin_remains(membership: Membership) -> None:
    if membership.role != Role.ORG_ADMIN or not membership.is_active:
        return
    others = Membership.objects.filter(organisation=membership.organisation, role=Role.ORG_ADMIN,
                                       is_active=True).exclude(pk=membership.pk)
    if not others.exists():
        raise ValidationError({"role": [_("An organisation needs at least one administrator. "
                                          "Make someone else administrator first.")]})


@transaction.atomic
def membership_change_role(*, membership: Membership, actor: User, role: str) -> Membership:
    org = membership.organisation
    _check_can_grant(actor=actor, org=org, role=role)
    if not roles_in(actor, org) & ADMIN_ROLES:
        raise PermissionDenied(_("You are not an administrator of this organisation."))
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == role:
        return membership
    _ensure_another_admin_remains(membership)
    if Membership.objects.filter(user=membership.user_id, organisation=org, role=role).exists():
        raise ValidationError({"role": [_("This person already holds that role here; deactivate "
                                          "this membership instead.")]})
    old = membership.role
    membership.role = role
    try:
        with transaction.atomic():
            membership.save(update_fields=["role", "updated_at"])
    except IntegrityError:
        raise ValidationError({"role": [_("This person already holds that role here.")]}) from None
    audit_record(action="orgs.membership.role_changed", actor=actor, organisation=org,
                 obj=membership, payload={"from": old, "to": role, "user": membership.user_id})
    return membership


@transaction.atomic
def membership_set_active(*, membership: Membership, actor: User, active: bool) -> Membership:
    org = membership.organisation
    if not roles_in(actor, org) & ADMIN_ROLES:
        raise PermissionDenied(_("You are not an administrator of this organisation."))
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.is_active == active:
        return membership
    if not active:
        _ensure_another_admin_remains(membership)
    elif not role_allowed_for(membership.role, org.org_type):
        raise ValidationError({"role": [_("This role no longer fits the organisation's type.")]})
    membership.is_active = active
    membership.save(update_fields=["is_active", "updated_at"])
    audit_record(
        action="orgs.membership.reactivated" if active else "orgs.membership.deactivated",
        actor=actor, organisation=org, obj=membership,
        payload={"role": membership.role, "user": membership.user_id},
    )
    return membership


# --- networks ----------------------------------------------------------------------------

@transaction.atomic
def network_member_add(*, network: Organisation, member: Organisation, actor: User,
                       joined_on: date | None = None) -> NetworkMembership:
    if not network.is_network:
        raise ValidationError({"network": [_("Only a CSO network can have member organisations.")]})
    if not may_manage_network(actor, network):
        raise PermissionDenied(_("Only the network's administrators and coordinators can change "
                                 "its members."))
    if member.pk == network.pk:
        raise ValidationError({"member": [_("A network cannot be a member of itself.")]})
    if NetworkMembership.objects.filter(network=network, member=member).exists():
        raise ValidationError({"member": [_("This organisation is already a member.")]})
    link = NetworkMembership.objects.create(network=network, member=member, joined_on=joined_on)
    audit_record(action="orgs.network_membership.created", actor=actor, organisation=network,
                 obj=link, payload={"member": member.pk})
    return link


@transaction.atomic
def network_member_remove(*, link: NetworkMembership, actor: User) -> None:
    if not may_manage_network(actor, link.network):
        raise PermissionDenied(_("Only the network's administrators and coordinators can change "
                                 "its members."))
    network, member_id, link_id = link.network, link.member_id, link.pk
    link.delete()
    audit_record(action="orgs.network_membership.removed", actor=actor, organisation=network,
                 payload={"member": member_id, "link": link_id})


# --- points of contact -------------------------------------------------------------------

CONTACT_FIELDS = ("function", "phone", "email", "availability", "languages",
                  "alternative_channel")


def _check_org_admin(actor: User, org: Organisation) -> None:
    if not roles_in(actor, org) & ADMIN_ROLES:
        raise PermissionDenied(_("You are not an administrator of this organisation."))


def _clean_languages(codes: Any) -> list[str]:
    if not isinstance(codes, list):
        raise ValidationError({"languages": [_("Languages must be a list of ISO 639 codes.")]})
    bad = [code for code in codes if not is_language(code)]
    if bad:
        raise ValidationError({"languages": [_("Unknown language code(s): %(codes)s. Use ISO 639 "
                                               "codes such as ro, uk or en.")
                                             % {"codes": ", ".join(map(str, bad))}]})
    return sorted(dict.fromkeys(codes))


def _clean_contact(contact: PointOfContact) -> None:
    errors: dict[str, list[str]] = {}
    try:
        contact.languages = _clean_languages(contact.languages)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        contact.full_clean(exclude=["organisation", "user", "languages"],
                           validate_constraints=False)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if not errors and not (contact.phone or contact.email):
        errors["phone"] = [_("Give a work phone or a work e-mail, so that people can reach this "
                             "contact.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def contact_add(*, org: Organisation, actor: User, user: User, **fields: Any) -> PointOfContact:
    """Designates one of the organisation's members as an anti-trafficking point of contact."""
    _check_org_admin(actor, org)
    if user is None or not Membership.objects.filter(organisation=org, user=user,
                                                     is_active=True).exists():
        raise ValidationError({"user": [_("Choose a person who holds an active role in this "
                                          "organisation.")]})
    if PointOfContact.objects.filter(organisation=org, user=user).exists():
        raise ValidationError({"user": [_("This person is already a point of contact of this "
                                          "organisation.")]})
    contact = PointOfContact(organisation=org, user=user,
                             **{k: v for k, v in fields.items() if k in CONTACT_FIELDS})
    _clean_contact(contact)
    contact.save()
    audit_record(action="orgs.contact.added", actor=actor, organisation=org, obj=contact,
                 payload={"user": user.pk})
    return contact


@transaction.atomic
def contact_update(*, contact: PointOfContact, actor: User, data: dict[str, Any]) -> list[str]:
    _check_org_admin(actor, contact.organisation)
    contact = PointOfContact.objects.select_for_update().get(pk=contact.pk)
    changed = apply_changes(contact, data, CONTACT_FIELDS)
    _clean_contact(contact)
    if changed:
        contact.save()
        audit_record(action="orgs.contact.updated", actor=actor,
                     organisation=contact.organisation, obj=contact,
                     payload={"fields": sorted(changed), "user": contact.user_id})
    return changed


@transaction.atomic
def contact_remove(*, contact: PointOfContact, actor: User) -> None:
    _check_org_admin(actor, contact.organisation)
    org, contact_id, user_id = contact.organisation, contact.pk, contact.user_id
    contact.delete()
    audit_record(action="orgs.contact.removed", actor=actor, organisation=org,
                 payload={"contact": contact_id, "user": user_id})


# --- coordination mechanisms (task forces) -----------------------------------------------

MECHANISM_FIELDS = ("name", "level", "country", "area", "description")


def _check_mechanism_admin(actor: User, mechanism: CoordinationMechanism) -> None:
    if not roles_in(actor, mechanism.convener) & ADMIN_ROLES:
        raise PermissionDenied(_("Only administrators of the convening organisation can change "
                                 "this mechanism."))


def _clean_mechanism(mechanism: CoordinationMechanism) -> None:
    errors: dict[str, list[str]] = {}
    if not is_country(mechanism.country):
        errors["country"] = [_("Unknown country code %(code)r: use an ISO 3166 two-letter code "
                               "such as MD or RO.") % {"code": mechanism.country}]
    try:
        mechanism.full_clean(exclude=["convener", *errors], validate_constraints=False)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if not errors and CoordinationMechanism.objects.filter(
            name__iexact=mechanism.name, country=mechanism.country).exclude(
            pk=mechanism.pk).exists():
        errors["name"] = [_("A coordination mechanism with this name already exists in this "
                            "country.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def mechanism_create(*, actor: User, convener: Organisation, **fields: Any) -> CoordinationMechanism:
    """Creates a mechanism; its convener becomes its first member, as chair. The convener's
    administrators create their own; a platform administrator may create one for any
    organisation (and then has no right to manage it)."""
    if not (actor.is_superuser or roles_in(actor, convener) & ADMIN_ROLES):
        raise PermissionDenied(_("Only an administrator of the convening organisation (or a "
                                 "platform administrator) can create a coordination mechanism."))
    if not convener.is_active:
        raise ValidationError({"convener": [_("This organisation is no longer active.")]})
    mechanism = CoordinationMechanism(
        convener=convener, **{k: v for k, v in fields.items() if k in MECHANISM_FIELDS})
    _clean_mechanism(mechanism)
    mechanism.save()
    MechanismMember.objects.create(mechanism=mechanism, organisation=convener,
                                   role=MechanismMember.MemberRole.CHAIR)
    audit_record(action="orgs.mechanism.created", actor=actor, organisation=convener,
                 obj=mechanism, payload={"level": mechanism.level, "country": mechanism.country,
                                         "convener": convener.pk})
    return mechanism


@transaction.atomic
def mechanism_update(*, mechanism: CoordinationMechanism, actor: User,
                     data: dict[str, Any]) -> list[str]:
    _check_mechanism_admin(actor, mechanism)
    mechanism = CoordinationMechanism.objects.select_for_update().get(pk=mechanism.pk)
    changed = apply_changes(mechanism, data, MECHANISM_FIELDS)
    _clean_mechanism(mechanism)
    if changed:
        mechanism.save()
        audit_record(action="orgs.mechanism.updated", actor=actor,
                     organisation=mechanism.convener, obj=mechanism,
                     payload={"fields": sorted(changed)})
    return changed


@transaction.atomic
def mechanism_member_add(*, mechanism: CoordinationMechanism, actor: User, organisation: Organisation,
                         role: str = MechanismMember.MemberRole.MEMBER) -> MechanismMember:
    """Adds a member organisation. CSOs join as full members unless a role is chosen."""
    _check_mechanism_admin(actor, mechanism)
    if role not in MechanismMember.MemberRole.values:
        raise ValidationError({"role": [_("Unknown membership role %(role)r.") % {"role": role}]})
    if not organisation.is_active:
        raise ValidationError({"organisation": [_("This organisation is no longer active.")]})
    if MechanismMember.objects.filter(mechanism=mechanism, organisation=organisation).exists():
        raise ValidationError({"organisation": [_("This organisation is already a member of "
                                                  "this mechanism.")]})
    member = MechanismMember.objects.create(mechanism=mechanism, organisation=organisation,
                                            role=role)
    audit_record(action="orgs.mechanism.member_added", actor=actor,
                 organisation=mechanism.convener, obj=mechanism,
                 payload={"member": organisation.pk, "role": role})
    return member


@transaction.atomic
def mechanism_member_remove(*, member: MechanismMember, actor: User) -> None:
    mechanism = member.mechanism
    _check_mechanism_admin(actor, mechanism)
    if member.organisation_id == mechanism.convener_id:
        raise ValidationError({"organisation": [_("The convening organisation cannot leave its "
                                                  "own mechanism.")]})
    organisation_id = member.organisation_id
    member.delete()
    audit_record(action="orgs.mechanism.member_removed", actor=actor,
                 organisation=mechanism.convener, obj=mechanism,
                 payload={"member": organisation_id})


@transaction.atomic
def meeting_record(*, mechanism: CoordinationMechanism, actor: User, held_on: date,
                   attendees: list[Organisation], agenda: str = "",
                   decisions: str = "") -> MechanismMeeting:
    """Records a meeting that took place. Agenda and decisions are coordination notes: the
    form warns that no victim's personal data may be written there."""
    _check_mechanism_admin(actor, mechanism)
    errors: dict[str, list[str]] = {}
    if held_on is None:
        errors["held_on"] = [_("Enter the date of the meeting.")]
    elif held_on > timezone.localdate() + timedelta(days=1):
        errors["held_on"] = [_("The date is in the future: record a meeting once it has taken "
                               "place.")]
    member_ids = set(MechanismMember.objects.filter(mechanism=mechanism)
                     .values_list("organisation_id", flat=True))
    attendee_ids = {org.pk for org in attendees}
    if not attendee_ids:
        errors["attendees"] = [_("Choose the member organisations that were present.")]
    elif attendee_ids - member_ids:
        errors["attendees"] = [_("Only member organisations can be recorded as present; not "
                                 "members: %(ids)s.")
                               % {"ids": ", ".join(map(str, sorted(attendee_ids - member_ids)))}]
    for field, text in (("agenda", agenda), ("decisions", decisions)):
        if len(text or "") > 5000:
            errors[field] = [_("Keep this under 5000 characters.")]
    if errors:
        raise ValidationError(errors)
    meeting = MechanismMeeting.objects.create(mechanism=mechanism, held_on=held_on,
                                              agenda=agenda or "", decisions=decisions or "",
                                              recorded_by=actor)
    meeting.attendees.set(sorted(attendee_ids))
    audit_record(action="orgs.mechanism.meeting_recorded", actor=actor,
                 organisation=mechanism.convener, obj=meeting,
                 payload={"mechanism": mechanism.pk, "attendees": len(attendee_ids)})
    return meeting
