from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridgeway.core.forms import add_validation_error
from bridgeway.orgs import queries, services
from bridgeway.orgs.codes import ADMIN_ROLES
from bridgeway.orgs.forms import (
    AcceptInvitationForm,
    DirectoryFilterForm,
    InvitationForm,
    NetworkMemberForm,
    OrganisationCreateForm,
    OrganisationForm,
    RoleForm,
    ServicesForm,
)
from bridgeway.orgs.models import Invitation, NetworkMembership, Organisation


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


@login_required
def directory(request):
    qs = queries.organisations_visible_to(request.user).prefetch_related("services")
    form = DirectoryFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            qs = qs.filter(Q(name__icontains=data["q"]) | Q(city__icontains=data["q"]))
        if data["country"]:
            qs = qs.filter(Q(country=data["country"]) |
                           Q(services__countries__contains=data["country"])).distinct()
        if data["org_type"]:
            qs = qs.filter(org_type=data["org_type"])
        if data["service"]:
            qs = qs.filter(services__service=data["service"]).distinct()
        if data["language"]:
            # JSON containment differs across databases; the list is short, filter in Python.
            ids = [o.pk for o in qs.only("pk", "languages") if data["language"] in o.languages]
            qs = qs.filter(pk__in=ids)
    page = Paginator(qs.order_by("name"), 25).get_page(request.GET.get("page"))
    return render(request, "orgs/directory.html", {"form": form, "page": page})


@login_required
def detail(request, pk):
    org = queries.organisation_for_user(request.user, pk)
    my_roles = queries.roles_in(request.user, org)
    return render(request, "orgs/detail.html", {
        "org": org,
        "services": org.services.all(),
        "networks": queries.networks_of(org),
        "is_member": bool(my_roles),
        "is_admin": bool(my_roles & ADMIN_ROLES),
        "manages_network": queries.can_manage_network(request.user, org),
    })


@login_required
def create(request):
    if not request.user.is_superuser:
        raise Http404
    form = OrganisationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        first_admin = data.pop("first_admin_email", "")
        try:
            org = services.organisation_create(actor=request.user, **data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            if first_admin:
                try:
                    services.invitation_create(org=org, actor=request.user, email=first_admin,
                                               role="org_admin", base_url=_base_url(request))
                    messages.success(request, _("Invitation sent to the first administrator."))
                except ValidationError as exc:
                    messages.error(request, " ".join(exc.messages))
            messages.success(request, _("Organisation added."))
            return redirect("orgs:detail", org.pk)
    return render(request, "orgs/create.html", {"form": form})


@login_required
def edit(request, pk):
    org = queries.organisation_admin_for_user(request.user, pk)
    form = OrganisationForm(request.POST or None, instance=org)
    current = {s.service: s for s in org.services.all()}
    services_form = ServicesForm(current=current)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in services.PROFILE_FIELDS}
        try:
            changed = services.organisation_update(
                org=Organisation.objects.get(pk=org.pk), actor=request.user, data=data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Profile saved.") if changed else _("Nothing changed."))
            return redirect("orgs:detail", org.pk)
    return render(request, "orgs/edit.html",
                  {"org": org, "form": form, "services_form": services_form})


@login_required
@require_POST
def edit_services(request, pk):
    org = queries.organisation_admin_for_user(request.user, pk)
    current = {s.service: s for s in org.services.all()}
    services_form = ServicesForm(request.POST, current=current)
    if services_form.is_valid():
        try:
            services.organisation_services_set(org=org, actor=request.user,
                                               services=services_form.services())
        except ValidationError as exc:
            add_validation_error(services_form, exc)
        else:
            messages.success(request, _("Services saved."))
            return redirect("orgs:detail", org.pk)
    return render(request, "orgs/edit.html", {"org": org, "form": OrganisationForm(instance=org),
                                              "services_form": services_form}, status=400)


@login_required
def members(request, pk):
    org = queries.organisation_member_for_user(request.user, pk)
    is_admin = bool(queries.roles_in(request.user, org) & ADMIN_ROLES)
    context = {
        "org": org,
        "is_admin": is_admin,
        "memberships": queries.memberships_of(org, include_inactive=is_admin),
    }
    if is_admin:
        context["invite_form"] = InvitationForm(org=org)
        context["invitations"] = queries.pending_invitations(org)
        context["role_form"] = RoleForm(org=org)
    return render(request, "orgs/members.html", context)


@login_required
@reauthentication_required
def invite(request, pk):
    org = queries.organisation_for_user(request.user, pk)
    is_admin = bool(queries.roles_in(request.user, org) & ADMIN_ROLES)
    if not is_admin and not request.user.is_superuser:
        raise PermissionDenied(_("You are not an administrator of this organisation."))
    form = InvitationForm(request.POST or None, org=org, only_admin=not is_admin)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(org=org, actor=request.user, email=form.cleaned_data["email"],
                                       role=form.cleaned_data["role"], base_url=_base_url(request))
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Invitation sent. The link is valid for a limited time."))
            return redirect("orgs:members" if is_admin else "orgs:detail", org.pk)
    return render(request, "orgs/invite.html", {"org": org, "form": form},
                  status=400 if form.is_bound else 200)


@login_required
@require_POST
@reauthentication_required
def invitation_revoke(request, pk, invitation_id):
    org = queries.organisation_admin_for_user(request.user, pk)
    invitation = get_object_or_404(Invitation, organisation=org, pk=invitation_id)
    try:
        services.invitation_revoke(invitation=invitation, actor=request.user)
        messages.success(request, _("Invitation withdrawn."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("orgs:members", org.pk)


@login_required
@require_POST
@reauthentication_required
def membership_role(request, pk, membership_id):
    org = queries.organisation_admin_for_user(request.user, pk)
    membership = queries.membership_for_admin(request.user, org, membership_id)
    form = RoleForm(request.POST, org=org)
    if form.is_valid():
        try:
            services.membership_change_role(membership=membership, actor=request.user,
                                            role=form.cleaned_data["role"])
            messages.success(request, _("Role changed."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Choose a role that exists in this organisation."))
    return redirect("orgs:members", org.pk)


@login_required
@require_POST
@reauthentication_required
def membership_active(request, pk, membership_id):
    org = queries.organisation_admin_for_user(request.user, pk)
    membership = queries.membership_for_admin(request.user, org, membership_id)
    active = request.POST.get("active") == "1"
    try:
        services.membership_set_active(membership=membership, actor=request.user, active=active)
        messages.success(request, _("Membership reactivated.") if active
                         else _("Membership deactivated."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("orgs:members", org.pk)


@login_required
def network(request, pk):
    org = queries.organisation_for_user(request.user, pk)
    if not org.is_network:
        raise Http404
    manages = queries.can_manage_network(request.user, org)
    links = queries.network_members(org)
    form = None
    if manages:
        taken = links.values("member_id")
        candidates = (queries.organisations_visible_to(request.user)
                      .exclude(pk__in=taken).exclude(pk=org.pk).order_by("name"))
        form = NetworkMemberForm(request.POST or None, candidates=candidates)
        if request.method == "POST" and form.is_valid():
            try:
                services.network_member_add(network=org, member=form.cleaned_data["member"],
                                            actor=request.user,
                                            joined_on=form.cleaned_data["joined_on"])
            except ValidationError as exc:
                add_validation_error(form, exc)
            else:
                messages.success(request, _("Member organisation added."))
                return redirect("orgs:network", org.pk)
    elif request.method == "POST":
        raise PermissionDenied(_("Only the network's administrators and coordinators can change "
                                 "its members."))
    return render(request, "orgs/network.html",
                  {"org": org, "links": links, "form": form, "manages": manages})


@login_required
@require_POST
def network_remove(request, pk, link_id):
    org = queries.organisation_for_user(request.user, pk)
    link = get_object_or_404(NetworkMembership, network=org, pk=link_id)
    services.network_member_remove(link=link, actor=request.user)
    messages.success(request, _("Member organisation removed."))
    return redirect("orgs:network", org.pk)


def invitation_accept(request, token):
    """The link from the invitation e-mail. The token is a secret, never personal data."""
    try:
        invitation = services.invitation_by_token(token)
    except services.InvitationError as exc:
        return render(request, "orgs/invitation_invalid.html", {"reason": exc.messages[0]},
                      status=410)
    user = request.user
    form = None
    if not user.is_authenticated:
        form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            if form is None:
                services.invitation_accept(token=token, user=user)
            else:
                services.invitation_accept(
                    token=token, full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                    language=getattr(request, "LANGUAGE_CODE", ""))
        except services.InvitationError as exc:
            return render(request, "orgs/invitation_invalid.html", {"reason": exc.messages[0]},
                          status=409)
        if form is not None:
            from bridgeway.accounts.models import User

            new_user = User.objects.get(email__iexact=invitation.email)
            login(request, new_user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to %(org)s.") % {"org": invitation.organisation.name})
        return redirect("home")
    return render(request, "orgs/invitation_accept.html",
                  {"invitation": invitation, "form": form},
                  status=400 if form is not None and form.is_bound else 200)
