"""The operators' screens: contacts, recording, triage, linking to cases, settings. Thin: form
→ service → message → redirect (core.shortcuts.submit)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridgeway.cases import queries as case_queries
from bridgeway.core.forms import add_validation_error, refuse_bad_filters
from bridgeway.core.shortcuts import submit
from bridgeway.helpline import queries, services
from bridgeway.helpline.codes import FormField, Status, topic_labels
from bridgeway.helpline.forms import (
    CallLogForm,
    ContactForm,
    FilterForm,
    LinkCaseForm,
    SettingsForm,
    intro_text,
    labels_text,
)


def _operator_org(request):
    return queries.org_for_operator(request.user, request.GET.get("organisation")
                                    or request.POST.get("organisation"))


@login_required
def contact_list(request):
    orgs = queries.helpline_orgs(request.user)
    if not orgs:
        raise Http404
    form = FilterForm(request.GET or None)
    refused = refuse_bad_filters(request, form)
    if refused:
        qs = queries.contacts_visible_to(request.user).none()
    else:
        d = form.cleaned_data if form.is_bound else {}
        qs = queries.filtered_contacts(request.user, channel=d.get("channel", ""),
                                       outcome=d.get("outcome", ""))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "helpline/list.html", {
        "form": form, "page": page, "orgs": orgs,
        "settings_orgs": queries.settings_orgs(request.user)}, status=400 if refused else 200)


def _record_page(request, org, form, status=200):
    return render(request, "helpline/record.html", {
        "form": form, "org": org, "orgs": queries.helpline_orgs(request.user)}, status=status)


@login_required
def record(request):
    org = _operator_org(request)
    if request.method != "POST":
        return _record_page(request, org, ContactForm())
    created = {}

    def write(_data):
        created["contact"] = services.contact_record(org=org, actor=request.user,
                                                     data=form.data_object())

    form = ContactForm(request.POST)
    return submit(request, form, write, success=_("Contact recorded."),
                  then=lambda: redirect("helpline:detail", created["contact"].pk),
                  rerender=lambda f: _record_page(request, org, f, status=400))


def _detail_page(request, contact, *, edit_form=None, link_form=None, status=200):
    earlier = list(queries.earlier_contacts(contact)[:20])
    labels = topic_labels()
    answers = []
    if contact.answers:
        names = dict(FormField.choices)
        answers = [(names.get(k, k), v) for k, v in contact.answers.items()]
    if edit_form is None:
        edit_form = ContactForm(initial={
            "channel": contact.channel, "started_at": contact.started_at,
            "outcome": contact.outcome, "direction": contact.direction,
            "duration_minutes": contact.duration_minutes, "urgency": contact.urgency,
            "language": contact.language, "caller_type": contact.caller_type,
            "relation": contact.relation, "topics": contact.topics,
            "summary": contact.summary or "", "follow_up": contact.follow_up or "",
            "follow_up_due": contact.follow_up_due, "reach_kind": contact.reach_kind,
            "referral": contact.referral_id})
    return render(request, "helpline/detail.html", {
        "contact": contact, "earlier": earlier, "earlier_count": len(earlier),
        "topics": [labels.get(t, t) for t in contact.topics], "answers": answers,
        "edit_form": edit_form, "link_form": link_form or LinkCaseForm(),
        "case_visible": contact.case_id and case_queries.cases_visible_to(request.user)
        .filter(pk=contact.case_id).exists()}, status=status)


@login_required
def detail(request, pk):
    return _detail_page(request, queries.contact_for_user(request.user, pk))


@login_required
@require_POST
def update(request, pk):
    contact = queries.contact_for_user(request.user, pk)
    form = ContactForm(request.POST)
    return submit(request, form, lambda _d: services.contact_update(
        contact=contact, actor=request.user, data=form.data_object()),
        success=_("Contact saved."), then=lambda: redirect("helpline:detail", contact.pk),
        rerender=lambda f: _detail_page(request, contact, edit_form=f, status=400))


@login_required
@require_POST
def link_case(request, pk):
    contact = queries.contact_for_user(request.user, pk)
    form = LinkCaseForm(request.POST)
    if form.is_valid():
        ref = form.cleaned_data["case"].strip().upper()
        case = case_queries.cases_visible_to(request.user).filter(
            reference=ref, organisation_id=contact.organisation_id).first()
        try:
            if case is None:
                raise ValidationError({"case": [_("No case you work on has this reference.")]})
            services.contact_link_case(contact=contact, actor=request.user, case=case)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Contact linked to case %(ref)s.") % {"ref": ref})
            return redirect("helpline:detail", contact.pk)
    return _detail_page(request, contact, link_form=form, status=400)


@login_required
@require_POST
def open_case(request, pk):
    contact = queries.contact_for_user(request.user, pk)
    try:
        case = services.contact_open_case(contact=contact, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("helpline:detail", contact.pk)
    messages.success(request, _("Case %(ref)s opened from this contact.")
                     % {"ref": case.reference})
    if request.POST.get("full"):
        return redirect("cases:convert", case.pk)
    return redirect("cases:detail", case.pk)


@login_required
@require_POST
def follow_up_done(request, pk):
    contact = queries.contact_for_user(request.user, pk)
    try:
        services.follow_up_done(contact=contact, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Follow-up marked as done."))
    return redirect("helpline:detail", contact.pk)


@login_required
@require_POST
def release(request, pk):
    contact = queries.contact_for_user(request.user, pk)
    discard = request.POST.get("discard") == "1"
    try:
        services.contact_release(contact=contact, actor=request.user, discard=discard)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Submission discarded.") if discard
                         else _("Submission let into triage."))
    return redirect("helpline:triage" if discard else "helpline:detail", *(
        [] if discard else [contact.pk]))


@login_required
def triage(request):
    if not queries.may_operate(request.user):
        raise Http404
    rows = list(queries.triage_for(request.user).select_related("organisation")
                .order_by("created_at")[:500])
    return render(request, "helpline/triage.html", {
        "new": [c for c in rows if c.status == Status.NEW],
        "held": [c for c in rows if c.status == Status.HELD],
        "follow_ups": [c for c in rows if c.status not in (Status.NEW, Status.HELD)],
    })


@login_required
def settings_view(request):
    orgs = queries.settings_orgs(request.user)
    pick = request.GET.get("organisation") or request.POST.get("organisation")
    org = next((o for o in orgs if str(o.pk) == str(pick)), orgs[0] if len(orgs) == 1 or
               (orgs and not pick) else None)
    if org is None:
        raise Http404
    conf = services.settings_ensure(org)
    initial = {"slug": conf.slug, "form_enabled": conf.form_enabled,
               "form_fields": conf.form_fields, "form_languages": conf.form_languages,
               "daily_quota": conf.daily_quota, "retention_months": conf.retention_months,
               "form_labels": labels_text(conf.form_labels),
               "form_intro": intro_text(conf.form_intro)}
    form = SettingsForm(request.POST or None, initial=initial)

    def page(f, status=200):
        return render(request, "helpline/settings.html", {
            "form": f, "org": org, "orgs": orgs, "conf": conf,
            "public_url": request.build_absolute_uri(reverse("helpline_public:form",
                                                             args=[conf.slug]))},
            status=status)

    if request.method != "POST":
        return page(form)
    return submit(request, form, lambda d: services.settings_set(org=org, actor=request.user,
                                                                **d),
                  success=_("Helpline settings saved."),
                  then=lambda: redirect(f"{reverse('helpline:settings')}?organisation={org.pk}"),
                  rerender=lambda f: page(f, status=400))


@login_required
def stats(request):
    from bridgeway.helpline import statistics

    org = queries.stats_org_for_user(request.user, request.GET.get("organisation"))
    try:
        days = min(max(int(request.GET.get("days", 90)), 1), 3660)
    except ValueError:
        days = 90
    data = queries.statistics_for(org, days)
    return render(request, "helpline/stats.html", {
        "org": org, "orgs": queries.stats_orgs(request.user), "data": data, "days": days,
        "total": statistics.total_shown(data), "charts": statistics.charts(org, data)})


@login_required
def call_log_import(request):
    org = _operator_org(request)
    form = CallLogForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = services.call_log_import(org=org, actor=request.user, content=upload.read(),
                                          filename=upload.name or "",
                                          dry_run=form.cleaned_data["dry_run"])
        status = 200 if report.ok else 400
        if report.ok and not report.dry_run:
            messages.success(request, _("%(n)s contacts imported.") % {"n": report.created})
            return redirect("helpline:list")
    elif request.method == "POST":
        status = 400
    return render(request, "helpline/import.html", {"form": form, "org": org,
                                                    "report": report}, status=status)
