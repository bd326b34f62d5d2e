from uuid import UUID

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridgeway.core.forms import add_validation_error, refuse_bad_filters
from bridgeway.core.labels import find_references
from bridgeway.core.shortcuts import get_or_404
from bridgeway.orgs.codes import AUDIT_READER_ROLES, Role
from bridgeway.orgs.queries import (
    organisation_audit_for_user,
    organisation_from_request,
    orgs_where,
    roles_in,
)
from bridgeway.protection import crypto, logs, services
from bridgeway.protection.forms import (
    AccessLogFilterForm,
    AuditFilterForm,
    ConsentForm,
    DocumentForm,
    ErasureRequestForm,
    RetentionPolicyForm,
    SubjectSearchForm,
)
from bridgeway.protection.models import (
    Consent,
    EncryptedDocument,
    ErasureRequest,
    OrganisationKey,
)
from bridgeway.protection.queries import (
    CASE_ROLES,
    SUBJECT_ROLES,
    access_log_for_org,
    access_reviewed_at,
    audit_events_for_org,
    consents_by_purpose,
    erasure_requests_for_org,
    key_usage,
    sees_name_of,
    sees_names,
    subject_for_user,
    subjects_visible_to,
)
from bridgeway.protection.registry import audit_codes
from bridgeway.protection.responses import document_response, export_response
from bridgeway.protection.search import (
    new_search,
    private,
    recalled_search,
    redirect_to_results,
    result_page,
)


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
    form = AuditFilterForm(params, orgs=orgs, people=people,
                           actions=logs.audit_action_choices(audit_codes()))
    events = audit_events_for_org(org)
    refused = refuse_bad_filters(request, form)
    if refused:
        events = events.none()
    elif form.is_valid():
        data = form.cleaned_data
        objects = _subject_objects(form)
        events = audit_events_for_org(org, action=data["action"], actor_id=data["actor"],
                                      since=data["since"], until=data["until"], objects=objects)
    if request.GET.get("format") == "csv" and not refused and form.is_valid():
        services.log_exported(org=org, actor=request.user, log="audit")
        return logs.audit_csv(events, f"audit-log-{org.pk}.csv")
    page = logs.audit_page(events, before=logs.parse_cursor(request.GET.get("before")))
    template = "protection/_audit_table.html" if request.htmx else "protection/audit_log.html"
    return render(request, template, {"form": form, "page": page, "org": org,
                                      "rows": logs.audit_group_rows(page.groups),
                                      "csv_query": _csv_query(request)},
                  status=400 if refused else 200)


def _subject_objects(form) -> list[tuple[str, str]] | None:
    """The objects the "subject" filter names; None without one. A reference nothing has is
    said on the field, and the list is empty."""
    text = form.cleaned_data.get("subject", "").strip()
    if not text:
        return None
    found = find_references(text)
    if not found:
        form.add_error("subject", _("Nothing has the reference %(reference)s.")
                       % {"reference": text})
    return found


def _csv_query(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("before", None)
    params["format"] = "csv"
    return params.urlencode()


# --- personal data -----------------------------------------------------------------------
DPO_ROLES = frozenset({Role.DPO})
PAGE_SIZE = 50


def _pick_org(request, roles):
    return organisation_from_request(request, roles)


@login_required
def subject_list(request):
    """Persons assisted. A name search is posted and answered by this same request (the name
    never goes into a URL); its later pages carry a token of the search, not the name."""
    org, orgs = _pick_org(request, SUBJECT_ROLES)
    names = sees_names(request.user, org)
    form = SubjectSearchForm(request.POST or None, initial={"fuzzy": True})
    search = None
    if request.method == "POST":
        if not names:
            raise Http404
        if form.is_valid() and not form.cleaned_data["q"].strip():
            return redirect_to_results(request, org, other=request.GET)
        if form.is_valid():
            search = new_search(org, query=form.cleaned_data["q"],
                                fuzzy=form.cleaned_data["fuzzy"])
    elif names:
        search = recalled_search(request, org)
    # Who sees names lists only the persons they may open as caseworker or supervisor (not
    # those of colleagues' cases); a data protection officer lists every reference.
    subjects = subjects_visible_to(request.user, CASE_ROLES if names else DPO_ROLES).filter(
        organisation=org)
    if search is not None:
        subjects = subjects & search.subjects()
    page, pager_query = result_page(request, org, search, subjects.order_by("-created_at"),
                                    per_page=PAGE_SIZE, other=request.GET)
    return private(request, search, render(request, "protection/subjects.html", {
        "org": org, "orgs": orgs, "page": page, "form": form, "sees_names": names,
        "searched": search is not None, "pager_query": pager_query}))


def _subject_context(request, subject):
    org = subject.organisation
    my_roles = roles_in(request.user, org)
    return {
        "subject": subject,
        "sees_names": sees_name_of(request.user, subject),
        "is_dpo": Role.DPO in my_roles,
        "consent_lines": consents_by_purpose(subject),
        "documents": EncryptedDocument.objects.filter(subject=subject),
        "erasures": ErasureRequest.objects.filter(subject=subject),
        "consent_form": ConsentForm(),
        "document_form": DocumentForm(),
        "erasure_form": ErasureRequestForm(),
        "referral_check": services.consent_check(subject=subject, purpose="referral")
        if not subject.is_erased else None,
    }


@login_required
def subject_detail(request, pk):
    subject = subject_for_user(request.user, pk)
    return render(request, "protection/subject.html", _subject_context(request, subject))


@login_required
@require_POST
def consent_add(request, pk):
    subject = subject_for_user(request.user, pk)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            services.consent_record(subject=subject, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect("protection:subject", subject.pk)
    context = _subject_context(request, subject)
    context["consent_form"] = form
    return render(request, "protection/subject.html", context, status=400)


@login_required
@require_POST
def consent_withdraw(request, pk, consent_id):
    subject = subject_for_user(request.user, pk)
    consent = get_or_404(Consent.objects.all(), subject=subject, pk=consent_id)
    try:
        services.consent_withdraw(consent=consent, actor=request.user)
        messages.success(request, _("Consent withdrawn. What depended on it is now blocked."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("protection:subject", subject.pk)


@login_required
@require_POST
def document_add(request, pk):
    subject = subject_for_user(request.user, pk, roles=CASE_ROLES)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_upload(subject=subject, actor=request.user,
                                     uploaded=form.cleaned_data["file"])
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Document stored, encrypted."))
            return redirect("protection:subject", subject.pk)
    context = _subject_context(request, subject)
    context["document_form"] = form
    return render(request, "protection/subject.html", context, status=400)


@login_required
def document_download(request, pk, document_id):
    subject = subject_for_user(request.user, pk, roles=CASE_ROLES)
    doc = get_or_404(EncryptedDocument.objects.all(), subject=subject, pk=document_id)
    return document_response(user=request.user, doc=doc, screen="protection:document_download")


@login_required
@require_POST
def erasure_ask(request, pk):
    subject = subject_for_user(request.user, pk)
    form = ErasureRequestForm(request.POST)
    if form.is_valid():
        try:
            services.erasure_request(subject=subject, actor=request.user,
                                     reason=form.cleaned_data["reason"])
            messages.success(request, _("Erasure requested. A data protection officer decides."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("protection:subject", subject.pk)


@login_required
@require_POST
def legal_hold(request, pk):
    subject = subject_for_user(request.user, pk, roles=DPO_ROLES)
    services.legal_hold_set(subject=subject, actor=request.user,
                            hold=request.POST.get("hold") == "1")
    messages.success(request, _("Legal hold updated."))
    return redirect("protection:subject", subject.pk)


@login_required
@reauthentication_required
def subject_export(request, pk):
    """A data protection officer downloads everything held about one person."""
    subject = subject_for_user(request.user, pk, roles=DPO_ROLES)
    if subject.is_erased:
        messages.error(request, _("This person's data was erased; nothing remains to export."))
        return redirect("protection:subject", subject.pk)
    if request.method != "POST":
        return render(request, "protection/export_confirm.html", {"subject": subject})
    return export_response(user=request.user, subject=subject,
                           screen="protection:subject_export")


@login_required
def retention(request):
    org, orgs = _pick_org(request, DPO_ROLES)
    form = RetentionPolicyForm(request.POST or None,
                               initial={"years_after_closure": services.retention_years(org)})
    if request.method == "POST" and form.is_valid():
        try:
            services.retention_policy_set(org=org, actor=request.user,
                                          years=form.cleaned_data["years_after_closure"])
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Retention policy saved."))
            return redirect(f"{request.path}?organisation={org.pk}")
    return render(request, "protection/retention.html", {
        "org": org, "orgs": orgs, "form": form,
        "pending": erasure_requests_for_org(org),
        "decided": erasure_requests_for_org(org, pending_only=False).exclude(
            status=ErasureRequest.Status.PENDING)[:20],
    })


@login_required
@require_POST
def retention_scan_now(request):
    org, _orgs = _pick_org(request, DPO_ROLES)
    # The scan is quick (one pass over subjects with a retention date); the daily cron run
    # (`retention_scan`) covers every organisation.
    count = services.retention_scan()
    messages.success(request, _("Retention check done: %(n)s new request(s).") % {"n": count})
    return redirect(f"{reverse('protection:retention')}?organisation={org.pk}")


@login_required
@require_POST
@reauthentication_required
def erasure_decide(request, request_id):
    org, _orgs = _pick_org(request, DPO_ROLES)
    erasure = get_or_404(ErasureRequest.objects.all(), pk=request_id,
                                organisation__in=[o.pk for o in _orgs])
    approve = request.POST.get("decision") == "erase"
    try:
        services.erasure_decide(request=erasure, actor=request.user, approve=approve)
        messages.success(request, _("Erased: the person's data key is destroyed.") if approve
                         else _("Kept."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(f"{reverse('protection:retention')}?organisation={erasure.organisation_id}")


@login_required
def access_log(request):
    org, orgs = _pick_org(request, DPO_ROLES)
    people = get_user_model().objects.filter(memberships__organisation=org).distinct()
    params = request.GET.copy()
    params.setdefault("organisation", str(org.pk))
    form = AccessLogFilterForm(params, orgs=orgs, people=people,
                               screens=logs.access_screen_choices())
    entries = access_log_for_org(org)
    refused = refuse_bad_filters(request, form)
    if refused:
        entries = entries.none()
    elif form.is_valid():
        data = form.cleaned_data
        objects = _subject_objects(form)
        since, until = logs.day_bounds(data["since"], data["until"])
        entries = access_log_for_org(
            org, user_id=data["user"], flagged=data["flagged"], screen=data["screen"],
            since=since, until=until,
            subject_ids=None if objects is None else
            [UUID(pk) for kind, pk in objects if kind == "protection.datasubject"])
    if request.GET.get("format") == "csv" and not refused and form.is_valid():
        services.log_exported(org=org, actor=request.user, log="access")
        return logs.access_csv(entries, f"access-log-{org.pk}.csv")
    page = logs.access_page(entries, before=logs.parse_cursor(request.GET.get("before")))
    return render(request, "protection/access_log.html", {
        "form": form, "page": page, "org": org, "rows": logs.access_rows(page.groups),
        "csv_query": _csv_query(request),
        "reviewed_at": access_reviewed_at([org.pk]).get(org.pk)},
        status=400 if refused else 200)


@login_required
@require_POST
def access_reviewed(request):
    """Marks the unusual access recorded so far as reviewed: it leaves the officer's home."""
    org, _orgs = _pick_org(request, DPO_ROLES)
    services.access_flags_review(org=org, actor=request.user)
    messages.success(request, _("Unusual access marked as reviewed."))
    return redirect(f"{reverse('protection:access_log')}?organisation={org.pk}&flagged=on")


@login_required
def keys(request):
    org, orgs = _pick_org(request, frozenset({Role.DPO, Role.ORG_ADMIN}))
    key_id = services.kek_id_for(org)
    own = OrganisationKey.objects.filter(organisation=org).exists()
    try:
        fingerprint = crypto.kek_fingerprint(key_id)
    except crypto.KeyUnavailable:
        fingerprint = None
    counts = [(row["kek_id"], row["subjects"]) for row in key_usage(org)]
    return render(request, "protection/keys.html", {
        "org": org, "orgs": orgs, "key_id": key_id, "own": own, "fingerprint": fingerprint,
        "counts": counts})

