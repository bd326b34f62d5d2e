from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from bridgeway.notifications import queries, services


@login_required
def notification_list(request):
    page = Paginator(queries.notifications_of(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
def notification_open(request, pk):
    """Marks the notification read and follows its link (the target checks permissions again)."""
    note = queries.notification_for_user(request.user, pk)
    services.mark_read(user=request.user, notification=note)
    if not url_has_allowed_host_and_scheme(note.link, allowed_hosts=None):
        return redirect("notifications:list")
    return redirect(note.link)


@login_required
@require_POST
def notification_read_all(request):
    services.mark_read(user=request.user)
    return redirect("notifications:list")
