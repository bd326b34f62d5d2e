from datetime import datetime
from typing import Any

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import date as date_filter
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridgeway.core import dates
from bridgeway.core.forms import add_validation_error, refuse_bad_filters
from bridgeway.core.queues import count_label, queue_results, url_maker
from bridgeway.core.shortcuts import get_or_404
from bridgeway.orgs import queries, services
from bridgeway.orgs.codes import ADMIN_ROLES, AUDIT_READER_ROLES, OrgType, Role, Service, country_name
from bridgeway.orgs.forms import (
    AcceptInvitationForm,
    DirectoryFilterForm,
    InvitationForm,
    MechanismCreateForm,
    MechanismFilterForm,
    MechanismForm,
    MechanismMemberForm,
    MeetingForm,
    NetworkMemberForm,
    OrganisationCreateForm,
    OrganisationForm,
    PointOfContactForm,
    RoleForm,
    ServicesForm,
)
from bridgeway.orgs.models import Invitation, MechanismMember, NetworkMembership, Organisation


@login_required
def home(request):
    """The home page: the person's organisations, with their roles and the links those open."""
    by_org: dict[int, dict] = {}
    for m in queries.active_memberships(request.user):
        entry = by_org.setdefault(m.organisation_id, {"org": m.organisation, "roles": []})
        entry["roles"].append(m.get_role_display())
        entry["is_admin"] = entry.get("is_admin", False) or m.role in ADMIN_ROLES
        entry["reads_audit"] = entry.get("reads_audit", False) or m.role in AUDIT_READER_ROLES
        entry["coordinates"] = entry.get("coordinates", False) or m.role in (
            Role.NETWORK_COORDINATOR, Role.ORG_ADMIN) and m.organisation.is_network
    return render(request, "core/home.html", {"entries": list(by_org.values()),
                                              "queues": _home_queues(request)})


# Lines shown per queue on the home page; "See all" leads to the full list.
HOME_QUEUE_ITEMS = 5


def _home_queues(request) -> list[dict]:
    """The person's work queues with items (`core.queues`, filled by each app), those with an
    urgent item first (then in the registry's order); a queue that failed says so in one line.
    Each queue's card is written here (`html`) rather than by the template: the template's loop
    over the items was about twenty lookups and a filter per line; the HTML is the one the
    template wrote (tests/core/test_home_cards.py)."""
    shown: list[dict[str, Any]] = []
    words = _queue_words()
    for result in queue_results(request, limit=HOME_QUEUE_ITEMS):
        try:
            more = reverse(result.queue.more) if result.queue.more else ""
        except NoReverseMatch:
            more = ""
        queue = {"key": result.queue.key, "title": result.queue.title,
                 "count": result.count, "count_label": count_label(result.count),
                 "items": result.items, "failed": result.failed,
                 "more": more, "urgency": max((i.urgency for i in result.items), default=0)}
        queue["html"] = _queue_card(queue, words)
        shown.append(queue)
    shown.sort(key=lambda q: -q["urgency"])  # stable: the registry's order otherwise
    return shown


def _queue_words() -> dict[str, str]:
    """The cards' fixed words, translated once per page."""
    return {"urgent": _("Urgent"), "soon": _("Soon"), "due": _("due"), "open": _("Open the list"),
            "failed": _("This list could not be loaded just now. Try again later; the rest of the "
                        "page is up to date.")}


def _queue_card(queue: dict[str, Any], words: dict[str, str]) -> SafeString:
    """One queue's card as core/home.html wrote it: title and count, one line per item (link,
    urgency tag, detail and due date in the person's time zone), and "See all"."""
    key = queue["key"]
    title = format_html('<h3 id="queue-{}-title">{}{}</h3>', key, queue["title"], "" if queue[
        "failed"] else format_html(' <span class="count">({})</span>', queue["count_label"]))
    if queue["failed"]:
        body = format_html('\n    <p class="muted">{}</p>\n    ', words["failed"])
    else:
        lines = [_queue_line(item, words) for item in queue["items"]]
        more = ""
        if queue["more"] and queue["count"] > len(queue["items"]):
            more = format_html('<p><a href="{}">{}</a></p>', queue["more"],
                               _("See all %(n)s") % {"n": queue["count_label"]})
        elif queue["more"]:
            more = format_html('<p><a href="{}">{}</a></p>', queue["more"], words["open"])
        body = format_html('\n    <ul class="queue-items">\n      {}\n    </ul>\n    {}\n    ',
                           mark_safe("".join(lines)),  # noqa: S308 - each built by format_html
                           more)
    return format_html('<section class="card queue" id="queue-{}" aria-labelledby="queue-{}-title">'
                       "\n    {}\n    {}\n  </section>", key, key, title, body)


def _queue_line(item, words: dict[str, str]) -> SafeString:
    tag: SafeString | str = ""
    if item.urgency == 2:
        tag = format_html('<span class="tag tag-urgent">{}</span>', words["urgent"])
    elif item.urgency == 1:
        tag = format_html('<span class="tag tag-soon">{}</span>', words["soon"])
    below: SafeString | str = ""
    if item.detail or item.due:
        due: SafeString | str = ""
        if item.due:
            # As the template's `date` filter: an aware time in the person's zone.
            local = timezone.localtime(item.due) if isinstance(item.due, datetime) and \
                timezone.is_aware(item.due) else item.due
            due = format_html('{} <time datetime="{}">{}</time>', words["due"],
                              date_filter(local, "c"), dates.due(item.due))
        below = format_html('<br><span class="muted">{}{}{}</span>', item.detail,
                            " · " if item.detail and item.due else "", due)
    return format_html('\n      <li>\n        <a href="{}">{}</a>\n        {}\n        {}\n'
                       "      </li>\n      ", item.url, item.label, tag, below)


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


@login_required
def directory(request):
    form = DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = queries.directory_search(
        request.user, **{k: v for k, v in filters.items() if v}).prefetch_related("services")
    if refuse_bad_filters(request, form):
        qs = qs.none()
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "orgs/directory.html",
                  {"form": form, "page": page, "rows": _directory_rows(page.object_list)},
                  status=400 if form.is_bound and not form.is_valid() else 200)


def _directory_rows(orgs) -> list[SafeString]:
    """The directory's table rows, written here rather than by the template: a row's cells were
    about forty template lookups, a URL reversed, and a choice label looked up by Django's
    `get_FOO_display` (a dict of every choice built per call) for its type and each service.
    The labels are read once per page, the link once (core.queues.url_maker); the HTML is the
    template's as it was (tests/orgs/test_directory_rows.py)."""
    types = {value: str(label) for value, label in OrgType.choices}
    services = {value: str(label) for value, label in Service.choices}
    url_of = url_maker("orgs:detail")
    unlisted = _("unlisted")
    rows = []
    for org in orgs:
        name = format_html('<a href="{}">{}</a>', url_of(org.pk), org.name)
        if not org.listed_in_directory:
            name = format_html('{} <span class="tag">{}</span>', name, unlisted)
        place = country_name(org.country)
        if org.city:
            place = format_html("{}, {}", place, org.city)
        offered = [format_html('<span class="tag">{}</span>', services.get(s.service, s.service))
                   for s in org.services.all()]
        rows.append(format_html(
            "\n  <tr>\n    <td>{}</td>\n    <td>{}</td>\n    <td>{}</td>\n    <td>{}</td>\n  </tr>\n  ",
            name, types.get(org.org_type, org.org_type), place,
            mark_safe("".join(offered)) if offered  # noqa: S308 - each part built by format_html
            else mark_safe('<span class="muted">—</span>')))  # noqa: S308 - a constant
    return rows


@login_required
def detail(request, pk):
    org = queries.organisation_for_user(request.user, pk)
    my_roles = queries.roles_in(request.user, org)
    return render(request, "orgs/detail.html", {
        "org": org,
        "services": org.services.all(),
        "contacts": queries.points_of_contact(org),
        "networks": queries.networks_of(org),
        "is_member": bool(my_roles),
        "is_admin": bool(my_roles & ADMIN_ROLES),
        "manages_network": queries.may_manage_network(request.user, org),
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
    invitation = get_or_404(Invitation.objects.all(), organisation=org, pk=invitation_id)
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
    manages = queries.may_manage_network(request.user, org)
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
    link = get_or_404(NetworkMembership.objects.all(), network=org, pk=link_id)
    services.network_member_remove(link=link, actor=request.user)
    messages.success(request, _("Member organisation removed."))
    return redirect("orgs:network", org.pk)


def invitation_accept(request, token):
    """The link from the invitation e-mail. The token is a secret, never personal data."""
    try:
        invitation = queries.invitation_by_token(token)
    except queries.InvitationError as exc:
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
        except queries.InvitationError as exc:
            return render(request, "orgs/invitation_invalid.html", {"reason": exc.messages[0]},
                          status=409)
        if form is not None:
            new_user = get_user_model().objects.get(email__iexact=invitation.email)
            login(request, new_user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to %(org)s.") % {"org": invitation.organisation.name})
        return redirect("home")
    return render(request, "orgs/invitation_accept.html",
                  {"invitation": invitation, "form": form},
                  status=400 if form is not None and form.is_bound else 200)


# --- points of contact -------------------------------------------------------------------

@login_required
def contact_add(request, pk):
    org = queries.organisation_admin_for_user(request.user, pk)
    form = PointOfContactForm(request.POST or None, candidates=queries.contact_candidates(org))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        user = data.pop("user")
        try:
            services.contact_add(org=org, actor=request.user, user=user, **data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Point of contact added."))
            return redirect("orgs:detail", org.pk)
    return render(request, "orgs/contact_form.html", {"org": org, "form": form},
                  status=400 if form.is_bound else 200)


@login_required
def contact_edit(request, pk, contact_id):
    org = queries.organisation_admin_for_user(request.user, pk)
    contact = queries.contact_for_admin(request.user, org, contact_id)
    form = PointOfContactForm(request.POST or None, instance=contact,
                              candidates=queries.contact_candidates(org))
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in services.CONTACT_FIELDS}
        try:
            changed = services.contact_update(
                contact=queries.contact_for_admin(request.user, org, contact_id),
                actor=request.user, data=data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Point of contact saved.") if changed
                             else _("Nothing changed."))
            return redirect("orgs:detail", org.pk)
    return render(request, "orgs/contact_form.html",
                  {"org": org, "form": form, "contact": contact},
                  status=400 if form.is_bound else 200)


@login_required
@require_POST
def contact_remove(request, pk, contact_id):
    org = queries.organisation_admin_for_user(request.user, pk)
    contact = queries.contact_for_admin(request.user, org, contact_id)
    services.contact_remove(contact=contact, actor=request.user)
    messages.success(request, _("Point of contact removed."))
    return redirect("orgs:detail", org.pk)


# --- coordination mechanisms (task forces) -----------------------------------------------

@login_required
def mechanisms(request):
    qs = queries.mechanisms_visible_to(request.user)
    form = MechanismFilterForm(request.GET or None)
    if refuse_bad_filters(request, form):
        qs = qs.none()
    elif form.is_valid():
        if form.cleaned_data["country"]:
            qs = qs.filter(country=form.cleaned_data["country"])
        if form.cleaned_data["level"]:
            qs = qs.filter(level=form.cleaned_data["level"])
    page = Paginator(qs.order_by("country", "name"), 25).get_page(request.GET.get("page"))
    return render(request, "orgs/mechanisms.html", {
        "form": form, "page": page,
        "may_create": queries.conveners_for(request.user).exists(),
    }, status=400 if form.is_bound and not form.is_valid() else 200)


@login_required
def mechanism_create(request):
    conveners = queries.conveners_for(request.user)
    if not conveners.exists():
        if not queries.active_memberships(request.user):
            raise Http404
        raise PermissionDenied(_("Only organisation administrators can create a coordination "
                                 "mechanism."))
    form = MechanismCreateForm(request.POST or None, conveners=conveners)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        convener = data.pop("convener")
        try:
            mechanism = services.mechanism_create(actor=request.user, convener=convener, **data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Coordination mechanism created."))
            return redirect("orgs:mechanism", mechanism.pk)
    return render(request, "orgs/mechanism_form.html", {"form": form},
                  status=400 if form.is_bound else 200)


@login_required
def mechanism_detail(request, pk):
    mechanism = queries.mechanism_for_user(request.user, pk)
    in_mechanism = queries.in_mechanism(request.user, mechanism)
    members = queries.mechanism_members_for(request.user, mechanism)
    return render(request, "orgs/mechanism_detail.html", {
        "mechanism": mechanism,
        "members": members,
        "convener_visible": any(m.organisation_id == mechanism.convener_id for m in members),
        "in_mechanism": in_mechanism,
        "manages": queries.may_manage_mechanism(request.user, mechanism),
        "meetings": queries.mechanism_meetings(mechanism)[:5] if in_mechanism else None,
    })


@login_required
def mechanism_edit(request, pk):
    mechanism = queries.mechanism_admin_for_user(request.user, pk)
    form = MechanismForm(request.POST or None, instance=mechanism)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in services.MECHANISM_FIELDS}
        try:
            changed = services.mechanism_update(
                mechanism=queries.mechanism_for_user(request.user, pk), actor=request.user,
                data=data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Saved.") if changed else _("Nothing changed."))
            return redirect("orgs:mechanism", mechanism.pk)
    return render(request, "orgs/mechanism_form.html", {"form": form, "mechanism": mechanism},
                  status=400 if form.is_bound else 200)


@login_required
def mechanism_member_add(request, pk):
    mechanism = queries.mechanism_admin_for_user(request.user, pk)
    candidates = (queries.organisations_visible_to(request.user)
                  .filter(is_active=True).order_by("name"))
    form = MechanismMemberForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.mechanism_member_add(mechanism=mechanism, actor=request.user,
                                          organisation=form.cleaned_data["organisation"],
                                          role=form.cleaned_data["role"])
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Member organisation added."))
            return redirect("orgs:mechanism", mechanism.pk)
    return render(request, "orgs/mechanism_member_form.html",
                  {"mechanism": mechanism, "form": form},
                  status=400 if form.is_bound else 200)


@login_required
@require_POST
def mechanism_member_remove(request, pk, member_id):
    mechanism = queries.mechanism_admin_for_user(request.user, pk)
    member = get_or_404(MechanismMember.objects.all(), mechanism=mechanism, pk=member_id)
    try:
        services.mechanism_member_remove(member=member, actor=request.user)
        messages.success(request, _("Member organisation removed."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("orgs:mechanism", mechanism.pk)


@login_required
def mechanism_meetings(request, pk):
    mechanism = queries.mechanism_with_meetings_for_user(request.user, pk)
    page = Paginator(queries.mechanism_meetings(mechanism), 20).get_page(request.GET.get("page"))
    return render(request, "orgs/mechanism_meetings.html", {
        "mechanism": mechanism, "page": page,
        "manages": queries.may_manage_mechanism(request.user, mechanism),
    })


@login_required
def meeting_add(request, pk):
    mechanism = queries.mechanism_admin_for_user(request.user, pk)
    members = Organisation.objects.filter(
        mechanism_memberships__mechanism=mechanism).order_by("name")
    form = MeetingForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_record(mechanism=mechanism, actor=request.user,
                                    held_on=form.cleaned_data["held_on"],
                                    attendees=list(form.cleaned_data["attendees"]),
                                    agenda=form.cleaned_data["agenda"],
                                    decisions=form.cleaned_data["decisions"])
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Meeting recorded."))
            return redirect("orgs:mechanism_meetings", mechanism.pk)
    return render(request, "orgs/meeting_form.html", {"mechanism": mechanism, "form": form},
                  status=400 if form.is_bound else 200)
