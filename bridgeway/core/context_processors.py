from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgeway.orgs.codes import AUDIT_READER_ROLES
from bridgeway.orgs.queries import active_memberships, user_roles


def navigation(request):
    """The menu shows only what the person's roles let them open."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav_items": []}
    items = [(reverse("home"), _("Home"), "home")]
    if active_memberships(user) or user.is_superuser:
        items.append((reverse("orgs:directory"), _("Directory"), "directory"))
    if user_roles(user) & AUDIT_READER_ROLES:
        items.append((reverse("protection:audit_log"), _("Audit log"), "audit"))
    items.append((reverse("accounts:settings"), _("My account"), "account"))
    if user.is_superuser:
        items.append((reverse("orgs:create"), _("Add organisation"), "org_create"))
        items.append((reverse("admin:index"), _("Platform admin"), "admin"))
    return {"nav_items": items}
