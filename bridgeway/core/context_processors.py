from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bridgeway.core.queues import count_label, menu_cache_get, menu_cache_set, menu_counts
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
        # The entries (which depend on the person's roles) are kept with the counts for a few
        # seconds (core.queues.menu_cache_get); the views check permissions on every request.
        key = f"entries:{get_language()}"
        entries = menu_cache_get(request, key)
        if entries is None:
            entries = [(url, str(label), k) for url, label, k in menu_for(user)]
            menu_cache_set(request, key, entries)
        items = _with_queue_counts(request, entries)
        request._bridgeway_nav_items = items
    return {"nav_items": items}


def _with_queue_counts(request, items: list[tuple]) -> list[tuple]:
    """What waits in the home queues, counted on the menu entries the queues name."""
    counts = menu_counts(request)
    return [(url, _("%(label)s (%(n)s)") % {"label": label, "n": count_label(counts[key])}
             if counts.get(key) else label, key) for url, label, key in items]
