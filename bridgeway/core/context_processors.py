from django.utils.translation import gettext as _

from bridgeway.core.menu import menu_of
from bridgeway.core.queues import count_label


def navigation(request):
    """The menu shows only what the person's roles let them open (each app contributes its
    entries through core.registry). Worked out once per request: panels rendered with the request
    (render_to_string) run the context processors again."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav_items": []}
    items = getattr(request, "_bridgeway_nav_items", None)
    if items is None:
        # The entries (which depend on the person's roles) and counts are asked in one statement
        # and kept for a few seconds (core.menu); the views check permissions on every request.
        entries, counts = menu_of(request)
        items = [(url, _("%(label)s (%(n)s)") % {"label": label, "n": count_label(counts[key])}
                  if counts.get(key) else label, key) for url, label, key in entries]
        request._bridgeway_nav_items = items
    return {"nav_items": items}
