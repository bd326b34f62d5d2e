from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgeway.civicspace.queries import civic_space_menu
from bridgeway.estimation.queries import has_estimation
from bridgeway.notifications.queries import unread_count
from bridgeway.orgs.codes import AUDIT_READER_ROLES, Role
from bridgeway.orgs.queries import active_memberships, user_roles
from bridgeway.stats.queries import stats_orgs


def navigation(request):
    """The menu shows only what the person's roles let them open. Worked out once per request:
    panels rendered with the request (render_to_string) run the context processors again."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav_items": []}
    items = getattr(request, "_bridgeway_nav_items", None)
    if items is None:
        items = _menu(user)
        request._bridgeway_nav_items = items
    return {"nav_items": items}


def _menu(user) -> list[tuple]:
    items = [(reverse("home"), _("Home"), "home")]
    if active_memberships(user) or user.is_superuser:
        items.append((reverse("orgs:directory"), _("Directory"), "directory"))
        items.append((reverse("orgs:mechanisms"), _("Task forces"), "mechanisms"))
    roles = user_roles(user)
    if roles & {Role.CASEWORKER, Role.SUPERVISOR}:
        items.append((reverse("cases:list"), _("Cases"), "cases"))
    if roles & {Role.CASEWORKER, Role.SUPERVISOR, Role.AGENCY_POC, Role.ORG_ADMIN}:
        items.append((reverse("referrals:list"), _("Referrals"), "referrals"))
    if roles & {Role.SUPERVISOR, Role.ORG_ADMIN, Role.NETWORK_COORDINATOR}:
        items.append((reverse("referrals:statistics"), _("Referral statistics"),
                       "referral_statistics"))
    if roles & {Role.CASEWORKER, Role.SUPERVISOR, Role.DPO}:
        items.append((reverse("protection:subjects"), _("Persons assisted"), "subjects"))
    if civic_space_menu(user):
        items.append((reverse("civicspace:list"), _("Civic space"), "civicspace"))
    if stats_orgs(user):
        items.append((reverse("stats:home"), _("Statistics"), "stats"))
    if has_estimation(user):
        items.append((reverse("estimation:home"), _("Estimation"), "estimation"))
    if Role.DPO in roles:
        items.append((reverse("protection:access_log"), _("Access log"), "access_log"))
        items.append((reverse("protection:retention"), _("Retention"), "retention"))
    if roles & AUDIT_READER_ROLES:
        items.append((reverse("protection:audit_log"), _("Audit log"), "audit"))
        items.append((reverse("protection:keys"), _("Encryption keys"), "keys"))
    unread = unread_count(user)
    items.append((reverse("notifications:list"),
                  _("Notifications (%(n)s)") % {"n": unread} if unread else _("Notifications"),
                  "notifications"))
    items.append((reverse("accounts:settings"), _("My account"), "account"))
    if user.is_superuser:
        items.append((reverse("orgs:create"), _("Add organisation"), "org_create"))
        items.append((reverse("admin:index"), _("Platform admin"), "admin"))
    return items
