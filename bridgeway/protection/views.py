from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from bridgeway.orgs.codes import AUDIT_READER_ROLES
from bridgeway.orgs.queries import organisation_audit_for_user, orgs_where
from bridgeway.protection.forms import AuditFilterForm
from bridgeway.protection.queries import audit_action_codes, audit_events_for_org


@login_required
def audit_log(request):
    orgs = orgs_where(request.user, AUDIT_READER_ROLES)
    if not orgs:
        raise Http404
    org_id = request.GET.get("organisation") or str(orgs[0].pk)
    org = organisation_audit_for_user(request.user, org_id)
    people = get_user_model().objects.filter(memberships__organisation=org).distinct()
    params = request.GET.copy()
    params.setdefault("organisation", str(org.pk))
    form = AuditFilterForm(params, orgs=orgs, actions=audit_action_codes(org), people=people)
    events = audit_events_for_org(org)
    if form.is_valid():
        data = form.cleaned_data
        events = audit_events_for_org(org, action=data["action"], actor_id=data["actor"],
                                      since=data["since"], until=data["until"])
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    template = "protection/_audit_table.html" if request.htmx else "protection/audit_log.html"
    return render(request, template, {"form": form, "page": page, "org": org})
