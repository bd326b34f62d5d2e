"""Reads, always scoped to what the asking user may see.

`*_for_user` helpers return the object or raise Http404, so an outsider cannot tell whether it
exists; a user who may see an object but not act on it gets PermissionDenied.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.core.shortcuts import get_or_404
from bridgeway.orgs.codes import (
    ADMIN_ROLES,
    AUDIT_READER_ROLES,
    Role,
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

if TYPE_CHECKING:
    from bridgeway.accounts.models import User

_CACHE_ATTR = "_bridgeway_memberships"


def active_memberships(user: User) -> list[Membership]:
    """The user's active memberships in active organisations, cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
            .select_related("organisation")
            .order_by("organisation__name", "role")
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_memberships(user: User) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def user_roles(user: User) -> set[str]:
    return {m.role for m in active_memberships(user)}


def roles_in(user: User, org: Organisation) -> set[str]:
    return {m.role for m in active_memberships(user) if m.organisation_id == org.pk}


def orgs_where(user: User, roles: Iterable[str]) -> list[Organisation]:
    wanted = set(roles)
    seen: dict[int, Organisation] = {}
    for m in active_memberships(user):
        if m.role in wanted:
            seen.setdefault(m.organisation_id, m.organisation)
    return list(seen.values())


def organisations_visible_to(user: User) -> QuerySet[Organisation]:
    """The directory as this user may see it.

    Listed organisations are visible to anyone with an active membership (and to platform
    administrators); unlisted ones only to their own members and to coordinators of their
    networks. A logged-in person with no membership sees nothing; a platform administrator
    sees every profile (to set organisations up), which opens nothing inside them.
    """
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()  # profiles only; gives no access to anything inside
    own = {m.organisation_id for m in active_memberships(user)}
    if not own and not user.is_superuser:
        return Organisation.objects.none()
    coordinated = [o.pk for o in orgs_where(user, [Role.NETWORK_COORDINATOR])]
    in_my_networks = NetworkMembership.objects.filter(network_id__in=coordinated).values("member_id")
    return Organisation.objects.filter(
        Q(is_active=True, listed_in_directory=True) | Q(pk__in=own) | Q(pk__in=in_my_networks)
    ).distinct()


def organisation_for_user(user: User, pk: int | str) -> Organisation:
    return get_or_404(organisations_visible_to(user), pk=pk)


def organisation_admin_for_user(user: User, pk: int | str) -> Organisation:
    org = organisation_for_user(user, pk)
    if not roles_in(user, org) & ADMIN_ROLES:
        raise PermissionDenied(_("You are not an administrator of this organisation."))
    return org


def organisation_member_for_user(user: User, pk: int | str) -> Organisation:
    """Members of the organisation only: the staff list is not for other organisations."""
    org = organisation_for_user(user, pk)
    if not roles_in(user, org):
        raise Http404
    return org


def organisation_audit_for_user(user: User, pk: int | str) -> Organisation:
    org = organisation_member_for_user(user, pk)
    if not roles_in(user, org) & AUDIT_READER_ROLES:
        raise PermissionDenied(_("Only administrators and data protection officers of this "
                                 "organisation can read its audit log."))
    return org


def may_manage_network(user: User, org: Organisation) -> bool:
    return org.is_network and bool(
        roles_in(user, org) & {Role.ORG_ADMIN, Role.NETWORK_COORDINATOR}
    )


def memberships_of(org: Organisation, *, include_inactive: bool = False) -> QuerySet[Membership]:
    qs = Membership.objects.filter(organisation=org).select_related("user")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("user__full_name", "role")


def membership_for_admin(user: User, org: Organisation, pk: int | str) -> Membership:
    return get_or_404(Membership.objects.select_related("user"), organisation=org, pk=pk)


def pending_invitations(org: Organisation) -> QuerySet[Invitation]:
    return Invitation.objects.filter(organisation=org, accepted_at__isnull=True,
                                     revoked_at__isnull=True).order_by("-created_at")


def networks_of(org: Organisation) -> QuerySet[Organisation]:
    return Organisation.objects.filter(network_members__member=org, is_active=True)


def network_members(network: Organisation) -> QuerySet[NetworkMembership]:
    return NetworkMembership.objects.filter(network=network).select_related("member")


def organisation_from_request(request: HttpRequest,
                              roles: Iterable[str]) -> tuple[Organisation, list[Organisation]]:
    """For screens that work within one of the user's organisations: the one named by the
    `organisation` parameter (or the first), among those where the user holds one of `roles`;
    404 when there is none or the parameter names another."""
    orgs = orgs_where(cast("User", request.user), roles)  # anonymous: no memberships, 404
    if not orgs:
        raise Http404
    wanted = request.GET.get("organisation") or request.POST.get("organisation")
    for org in orgs:
        if wanted in (None, "", str(org.pk)):
            return org, orgs
    raise Http404


# --- directory search ---------------------------------------------------------------------

def _json_list_has(qs: QuerySet, field: str, code: str) -> QuerySet:
    """Rows whose JSON list `field` holds `code`.

    JSON containment is PostgreSQL-only (SQLite has no `contains` on JSON), so the list is
    compared as text: both databases render it as ["MD", "RO"], and the codes are validated
    ([A-Za-z]{2,3}), so the quoted code matches one element exactly and nothing else.
    """
    alias = f"_{field}_text"
    return qs.alias(**{alias: Cast(field, TextField())}).filter(
        **{f"{alias}__contains": json.dumps(code)})


def directory_search(user: User, *, q: str = "", country: str = "", serves: str = "",
                     org_type: str = "", service: str = "", language: str = "",
                     area: str = "") -> QuerySet[Organisation]:
    """The directory as `user` may see it, narrowed by each filter given.

    `country` is where the organisation is based; `serves` is coverage: a country one of its
    services lists. `service`, `serves` and `area` apply to the same service row, so "shelter
    serving RO" does not match an organisation with a shelter in MD and a helpline for RO.
    """
    qs = organisations_visible_to(user)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(city__icontains=q))
    if country:
        qs = qs.filter(country=country.upper())
    if org_type:
        qs = qs.filter(org_type=org_type)
    if language:
        qs = _json_list_has(qs, "languages", language.lower())
    if service or serves or area:
        rows = OrganisationService.objects.all()
        if service:
            rows = rows.filter(service=service)
        if serves:
            rows = _json_list_has(rows, "countries", serves.upper())
        if area:
            rows = rows.filter(area__icontains=area)
        qs = qs.filter(pk__in=rows.values("organisation_id"))
    return qs.order_by("name")


# --- points of contact --------------------------------------------------------------------

def points_of_contact(org: Organisation) -> QuerySet[PointOfContact]:
    """Contacts whose person still holds an active role in the organisation."""
    active = Membership.objects.filter(organisation=org, is_active=True).values("user_id")
    return (PointOfContact.objects.filter(organisation=org, user_id__in=active)
            .select_related("user").order_by("function", "pk"))


def contact_for_admin(user: User, org: Organisation, pk: int | str) -> PointOfContact:
    return get_or_404(PointOfContact.objects.select_related("user"), organisation=org, pk=pk)


def contact_candidates(org: Organisation) -> QuerySet[User]:
    """People who may be designated: active members of the organisation."""
    from django.contrib.auth import get_user_model

    ids = Membership.objects.filter(organisation=org, is_active=True).values("user_id")
    return get_user_model().objects.filter(pk__in=ids).order_by("full_name", "pk")


# --- coordination mechanisms (task forces) -----------------------------------------------

def mechanisms_visible_to(user: User) -> QuerySet[CoordinationMechanism]:
    """Every person with an active membership (and platform administrators) sees that a
    mechanism exists and who is in it; its meetings are for member organisations' people."""
    if not getattr(user, "is_authenticated", False):
        return CoordinationMechanism.objects.none()
    if not user.is_superuser and not active_memberships(user):
        return CoordinationMechanism.objects.none()
    return CoordinationMechanism.objects.select_related("convener")


def mechanism_for_user(user: User, pk: int | str) -> CoordinationMechanism:
    return get_or_404(mechanisms_visible_to(user), pk=pk)


def in_mechanism(user: User, mechanism: CoordinationMechanism) -> bool:
    """Does the user hold an active role in one of the mechanism's member organisations?"""
    own = {m.organisation_id for m in active_memberships(user)}
    return bool(own) and MechanismMember.objects.filter(mechanism=mechanism,
                                                        organisation_id__in=own).exists()


def may_manage_mechanism(user: User, mechanism: CoordinationMechanism) -> bool:
    return bool(roles_in(user, mechanism.convener) & ADMIN_ROLES)


def mechanism_admin_for_user(user: User, pk: int | str) -> CoordinationMechanism:
    mechanism = mechanism_for_user(user, pk)
    if not may_manage_mechanism(user, mechanism):
        raise PermissionDenied(_("Only administrators of the convening organisation can change "
                                 "this mechanism."))
    return mechanism


def mechanism_with_meetings_for_user(user: User, pk: int | str) -> CoordinationMechanism:
    """Meetings are for people of member organisations only; anyone else gets 404."""
    mechanism = mechanism_for_user(user, pk)
    if not in_mechanism(user, mechanism):
        raise Http404
    return mechanism


def mechanism_members_for(user: User, mechanism: CoordinationMechanism) -> QuerySet[MechanismMember]:
    """Members as this user may see them: people of member organisations see all of them;
    others do not see unlisted organisations they could not find in the directory."""
    qs = MechanismMember.objects.filter(mechanism=mechanism).select_related("organisation")
    if not in_mechanism(user, mechanism):
        qs = qs.filter(organisation__in=organisations_visible_to(user).values("pk"))
    return qs.order_by("organisation__name")


def mechanism_meetings(mechanism: CoordinationMechanism) -> QuerySet[MechanismMeeting]:
    return (MechanismMeeting.objects.filter(mechanism=mechanism)
            .prefetch_related("attendees").order_by("-held_on", "-pk"))


def conveners_for(user: User) -> QuerySet[Organisation]:
    """Organisations the user may name as convener of a new mechanism."""
    if user.is_superuser:
        return Organisation.objects.filter(is_active=True).order_by("name")
    return Organisation.objects.filter(
        pk__in=[o.pk for o in orgs_where(user, ADMIN_ROLES)], is_active=True).order_by("name")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationError(ValidationError):
    pass


def invitation_by_token(token: str) -> Invitation:
    """The pending invitation for a token, or InvitationError with a message a person can act on."""
    invitation = (Invitation.objects.select_related("organisation")
                  .filter(token_digest=token_digest(token or "")).first())
    if invitation is None:
        raise InvitationError(_("This invitation link is not valid. Check that you copied the "
                                "whole link, or ask for a new invitation."))
    if invitation.accepted_at is not None:
        raise InvitationError(_("This invitation has already been used. Sign in instead, or ask "
                                "for a new invitation."))
    if invitation.revoked_at is not None:
        raise InvitationError(_("This invitation was withdrawn by the organisation."))
    if invitation.expires_at <= timezone.now():
        raise InvitationError(_("This invitation has expired. Ask the organisation to invite "
                                "you again."))
    if not invitation.organisation.is_active:
        raise InvitationError(_("This organisation is no longer active on Bridgeway."))
    return invitation
