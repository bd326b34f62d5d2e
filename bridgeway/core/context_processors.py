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
        items = menu_for(user)
        request._bridgeway_nav_items = items
    return {"nav_items": items}
