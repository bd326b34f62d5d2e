from django.utils.translation import gettext as _

from bridgeway.core.queues import count_label, menu_counts
from bridgeway.core.registry import menu_for


def navigation(request):
    """The menu shows only what the person's roles let them open (each app contributes its
    entries through core.registry). Worked out once per request: panels rendered with the request
    (render_to_string) run the context processors again."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav_items": []}
    items = getattr(request, "_bridgeway_nav_items", None)
    if items is None:
        items = _with_queue_counts(request, menu_for(user))
        request._bridgeway_nav_items = items
    return {"nav_items": items}


def _with_queue_counts(request, items: list[tuple]) -> list[tuple]:
    """What waits in the home queues, counted on the menu entries the queues name."""
    counts = menu_counts(request)
    return [(url, _("%(label)s (%(n)s)") % {"label": label, "n": count_label(counts[key])}
             if counts.get(key) else label, key) for url, label, key in items]
