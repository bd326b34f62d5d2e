from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridgeway.cases import changes, services
from bridgeway.cases.codes import IndicatorSource
from bridgeway.cases.forms import (
    DOCUMENT_ROWS,
    AssignForm,
    CaseFilterForm,
    CaseSettingsForm,
    ContextForm,
    DecisionForm,
    EventForm,
    FirstContactForm,
    FormalDecisionForm,
    IndicatorSetImportForm,
    IntakeForm,
    NoteForm,
    ObjectiveForm,
    PerpetratorForm,
    PersonForm,
    ServiceForm,
    StatusForm,
    TaskForm,
)
from bridgeway.cases.indicator_sets import ensure_default_sets, import_payload, set_for
from bridgeway.cases.labels import event_rows, victim_context
from bridgeway.cases.models import Assessment, Decision, IndicatorSet, Person
from bridgeway.cases.queries import (
    IntakeMatches,
    assessment_details,
    assessment_preview,
    case_for_user,
    case_orgs,
    case_person,
    case_rows,
    case_settings_for,
    case_staff,
    case_team,
    case_timeline,
    filtered_cases,
    identification_side_by_side,
    intake_matches,
    my_open_tasks,
    with_case_subject,
)
from bridgeway.cases.registry import detail_panels
from bridgeway.cases.set_translations import localise, localised_label
from bridgeway.core.dates import day
from bridgeway.core.forms import add_validation_error, add_validation_error_to, refuse_bad_filters
from bridgeway.core.queues import MENU_READ_ONLY
from bridgeway.core.shortcuts import get_or_404, submit
from bridgeway.orgs.codes import Role
from bridgeway.orgs.queries import organisation_from_request, orgs_where, roles_in
from bridgeway.protection.forms import InlineConsentForm
from bridgeway.protection.search import (
    new_search,
    private,
    recalled_search,
    redirect_to_results,
    result_page,
)

PAGE_SIZE = 50


def _org(request):
    return organisation_from_request(request, [Role.CASEWORKER, Role.SUPERVISOR])


@login_required
def case_list(request):
    """The filtered list. A name search is posted and answered by this same request (the name
    never goes into a URL); its later pages carry a token of the search, not the name."""
    org, orgs = _org(request)
    people = case_staff(org).only("pk", "full_name")  # the filter shows names only
    search = None
    status = 200
    if request.method == "POST":
        form = CaseFilterForm(request.POST, people=people)
        if form.is_valid() and not form.cleaned_data["q"].strip():
            return redirect_to_results(request, org, other=request.POST)
        if form.is_valid():
            search = new_search(org, query=form.cleaned_data["q"],
                                fuzzy=form.cleaned_data["fuzzy"])
            setattr(request, MENU_READ_ONLY, True)  # a search changes nothing: the kept menu
        else:
            status = 400
    else:
        form = CaseFilterForm(request.GET or None, people=people)
        search = recalled_search(request, org)
        if refuse_bad_filters(request, form):
            status = 400
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    cases = filtered_cases(
        request.user, status=data.get("status", ""), assignee=data.get("assignee"),
        exploitation=data.get("exploitation", ""),
        child=None if data.get("child", "") == "" else data["child"] == "1",
        opened_from=data.get("opened_from"), opened_to=data.get("opened_to"),
        subject_ids=_bounded_matches(request, search) if search else None,
    ).filter(organisation=org)
    if form.is_bound and not form.is_valid():
        cases = cases.none()  # a filter that cannot be used is not silently dropped
    page, pager_query = result_page(request, org, search, cases, per_page=PAGE_SIZE,
                                    other=request.POST)
    return private(request, search, render(request, "cases/list.html", {
        "org": org, "orgs": orgs, "form": form, "page": page,
        "rows": (rows := case_rows(page.object_list)), "row_html": _case_list_html(rows),
        "searched": search is not None, "pager_query": pager_query,
    }, status=status))


def _case_list_html(rows: list[dict]) -> list[SafeString]:
    """The case list's table rows, written here rather than by the template: fifty rows of a
    dozen template nodes each were most of the list's template time. The words are translated
    once per page; the HTML is the template's as it was (tests/cases/test_case_list_rows.py)."""
    child = format_html(' <span class="tag">{}</span>', _("child"))
    anonymous = format_html('<span class="muted">{}</span>', _("anonymous"))
    erased = format_html('<span class="muted">{}</span>', _("erased"))
    return [format_html(
        '\n  <tr><td><a href="{}">{}</a>{}</td>\n    <td>{}</td>\n'
        '    <td><span class="tag status-{}">{}</span></td><td>{}</td>\n'
        '    <td>{}</td></tr>\n  ',
        c["url"], c["reference"], child if c["is_child"] else "",
        anonymous if c["anonymous"] else erased if c["erased"] else c["name"],
        c["status_code"], c["status"], day(c["opened_on"]), c["assignees"] or "—")
        for c in rows]


def _bounded_matches(request, search):
    """The people the name search matches, at most BRIDGEWAY_NAME_SEARCH_LIMIT of them, so a
    very common name cannot make the database join and count every case of thousands of
    people before the first 50 are shown. When more match, the page says so (nobody is left
    out silently): one more statement, an index-only count that stops at the limit."""
    limit = settings.BRIDGEWAY_NAME_SEARCH_LIMIT
    matches = search.subject_ids()
    if matches[:limit + 1].count() > limit:
        messages.warning(request, _(
            "More than %(n)s people match this name, so only the cases of %(n)s of them are "
            "listed. Add a word (another name) to narrow the search.") % {"n": limit})
    return matches[:limit]


@login_required
def intake(request):
    org, orgs = _org(request)
    form = IntakeForm(request.POST or None)
    consent_form = InlineConsentForm(request.POST or None)
    duplicates, unnamed_duplicates = [], False
    if request.method == "POST" and consent_form.is_valid() and form.is_valid():
        data = form.cleaned_data
        name = " ".join(p for p in [data["first_name"], data["second_name"]] if p)
        # A match in a colleague's case still warns, but is not named: only the persons the
        # user may open are listed (see protection.queries.subjects_visible_to).
        found = intake_matches(org=org, actor=request.user, name=name) \
            if not data["confirm_new"] else IntakeMatches([], 0)
        duplicates, unnamed_duplicates = found.visible, found.hidden > 0
        if found:
            form.add_error("confirm_new", _("Possible duplicates found below. Open the existing "
                                            "case, or confirm this is a different person."))
        else:
            try:
                case = services.case_open(
                    org=org, actor=request.user, opened_on=data["opened_on"],
                    exploitation_types=data["exploitation_types"],
                    person=services.PersonData(
                        first_name=data["first_name"], second_name=data["second_name"],
                        birth_date=data["birth_date"], age=data["age"], gender=data["gender"],
                        citizenship=data["citizenship"], phone=data["phone"],
                        email=data["email"]),
                    consent=consent_form.consent_data())
            except ValidationError as exc:
                add_validation_error_to(exc, form, consent_form)
            else:
                messages.success(request, _("Case %(ref)s opened.") % {"ref": case.reference})
                return redirect("cases:detail", case.pk)
    return render(request, "cases/intake.html", {"org": org, "form": form,
                                                 "consent_form": consent_form,
                                                 "duplicates": duplicates,
                                                 "unnamed_duplicates": unnamed_duplicates},
                  status=400 if form.is_bound and (form.errors or consent_form.errors) else 200)


def _detail_context(request, case):
    my_roles = roles_in(request.user, case.organisation)
    assessments = list(Assessment.objects.filter(case=case).select_related(
        "indicator_set", "assessed_by").prefetch_related("indicators"))
    decisions = list(Decision.objects.filter(case=case).select_related("decided_by"))
    side_by_side = identification_side_by_side(decisions)
    person = case_person(case)  # given the subject loaded with the case: no query
    return {
        "case": case,
        "person": person,
        "is_supervisor": Role.SUPERVISOR in my_roles,
        "assessments": assessments,
        "assessment_details": assessment_details(assessments, subject=case.subject),
        "decisions": decisions,
        "cso_decision": side_by_side["cso"], "formal_decision": side_by_side["formal"],
        "differ": side_by_side["differ"],
        # Each note's body decrypts with the case's subject, not one loaded per note.
        "notes": with_case_subject(case, case.notes.select_related("author")[:50]),
        "services": case.services.all(),
        "status_form": StatusForm(initial={"status": case.status, "version": case.version,
                                           "seen_status": case.status}),
        "note_form": NoteForm(),
        "service_form": ServiceForm(),
        "decision_form": DecisionForm(assessments=assessments) if assessments else None,
        "formal_form": FormalDecisionForm() if case.subject_id else None,
        "panels": _panels(request, case),
        "victim_context": victim_context(case),
        "events": event_rows(case),
        "person_more": _person_more(case, person),
    }


def _person_more(case, person) -> list[tuple[str, str]]:
    """Address and identity documents as people read them (country names, document types)."""
    if person is None or case.subject is None or case.subject.is_erased:
        return []
    labels = changes.person_labels()
    return [(labels[f], changes.person_shown(f, getattr(person, f)))
            for f in ("address", "identity_documents")]


def _panels(request, case) -> list[str]:
    return [html for panel in detail_panels() if (html := panel(request, case))]


@login_required
def detail(request, pk):
    case = case_for_user(request.user, pk, with_person=True)
    return render(request, "cases/detail.html", _detail_context(request, case))


def _rerender(request, case, http_status=400, **forms):
    context = _detail_context(request, case)
    context.update(forms)
    return render(request, "cases/detail.html", context, status=http_status)


@login_required
@require_POST
def add_note(request, pk):
    case = case_for_user(request.user, pk)
    return submit(request, NoteForm(request.POST),
                  lambda data: services.note_add(case=case, actor=request.user, body=data["body"]),
                  success=_("Note added."), then=lambda: redirect("cases:detail", case.pk),
                  rerender=lambda form: _rerender(request, case, note_form=form))


@login_required
@require_POST
def add_service(request, pk):
    case = case_for_user(request.user, pk)
    return submit(request, ServiceForm(request.POST),
                  lambda data: services.service_add(case=case, actor=request.user, **data),
                  success=_("Service recorded."), then=lambda: redirect("cases:detail", case.pk),
                  rerender=lambda form: _rerender(request, case, service_form=form))


@login_required
@require_POST
def set_status(request, pk):
    case = case_for_user(request.user, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.case_set_status(case=case, actor=request.user,
                                     status=form.cleaned_data["status"],
                                     reason=form.cleaned_data["close_reason"],
                                     version=form.cleaned_data["version"],
                                     seen={"status": form.cleaned_data["seen_status"]})
            messages.success(request, _("Status changed."))
            return redirect("cases:detail", case.pk)
        except services.EditConflict as exc:
            case.refresh_from_db()
            form = _after_conflict(StatusForm, request.POST, exc,
                                   extra={"seen_status": case.status})
            mine = {"status": form.cleaned_data.get("status"),
                    "close_reason": form.cleaned_data.get("close_reason")}
            return _rerender(request, case, status_form=form, http_status=409,
                             conflict=_conflict_rows(exc, mine, changes.shown_value))
        except ValidationError as exc:
            add_validation_error(form, exc)
    return _rerender(request, case, status_form=form)


def _conflict_rows(exc, mine: dict, show, kept=()) -> list[dict]:
    """Field by field: the translated label, what is saved now and what the editor wanted (or
    that their value is kept, where the editor had not changed that field)."""
    return [{"label": c.label, "theirs": c.value,
             "yours": _("not changed by you: their value is kept") if c.field in kept
             else show(c.field, mine.get(c.field))}
            for c in exc.changes]


def _after_conflict(form_class, post, exc, *, extra=None, **kwargs):
    """The editor's own values again, now carrying the current version: saving this form once
    more applies them on purpose, over what the other person saved. `extra` replaces some
    values: what the other person saved in fields this editor had not touched."""
    data = post.copy()
    data["version"] = str(exc.version)
    for key, value in (extra or {}).items():
        if isinstance(value, (list, tuple)):
            data.setlist(key, [str(v) for v in value])
        else:
            data[key] = "" if value is None else str(value)
    form = form_class(data, **kwargs)
    form.is_valid()
    form.add_error(None, exc.messages[0])
    return form


@login_required
def edit(request, pk):
    case = case_for_user(request.user, pk)
    seen_fields = services.CONTEXT_FIELDS
    initial = {f: getattr(case, f) for f in seen_fields}
    form = ContextForm(request.POST or None, initial={**initial, "version": case.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        seen = {f: _seen_value(request.POST, f) for f in seen_fields}
        data = {f: form.cleaned_data[f] for f in seen_fields}
        try:
            services.case_update(case=case, actor=request.user,
                                 version=form.cleaned_data["version"], data=data, seen=seen)
            messages.success(request, _("Saved."))
            return redirect("cases:detail", case.pk)
        except services.EditConflict as exc:
            # The hidden "seen" values become what is saved now, so a second conflict only
            # reports what changes after this one.
            case.refresh_from_db()
            initial = {f: getattr(case, f) for f in seen_fields}
            kept = {c.field for c in exc.changes
                    if changes.same_value(data[c.field], seen[c.field])}
            form = _after_conflict(ContextForm, request.POST, exc,
                                   extra={f: initial[f] for f in kept})
            conflict = _conflict_rows(exc, data, changes.shown_value, kept)
        except ValidationError as exc:
            add_validation_error(form, exc)
    seen_pairs = [(f, v if isinstance(v, list) else [v]) for f, v in initial.items()]
    return render(request, "cases/edit.html", {"case": case, "form": form, "seen": seen_pairs,
                                               "conflict": conflict},
                  status=409 if conflict is not None else
                  (400 if form.is_bound and form.errors else 200))


def _seen_value(post, field):
    values = post.getlist(f"seen_{field}")
    if field in ("exploitation_types", "recruitment_methods", "control_methods"):
        return sorted(v for v in values if v)
    return values[0] if values else ""


def _assess_set(request, case):
    """The sets that fit the case (adult or child, labour or sexual exploitation) and the one
    chosen, from the query string or the form."""
    ensure_default_sets()
    sexual = "SexualExploitation" in (case.exploitation_types or [])
    sets = [s for s in IndicatorSet.objects.filter(is_active=True, for_child=case.is_child)
            if services.set_fits_exploitation(s, case)]
    chosen_id = request.GET.get("set") or request.POST.get("set")
    indicator_set = (get_or_404(IndicatorSet.objects.filter(is_active=True), pk=chosen_id)
                     if chosen_id else set_for(child=case.is_child, sexual=sexual))
    return sets, indicator_set


@login_required
def assess(request, pk):
    case = case_for_user(request.user, pk)
    if case.subject_id is None and request.method != "POST":
        messages.error(request, _("This is an anonymous first contact: turn it into a full case "
                                  "before assessing it with the indicators."))
        return redirect("cases:detail", case.pk)
    sets, indicator_set = _assess_set(request, case)
    errors = []
    field_errors: dict[str, list[str]] = {}
    assessed_on_raw = request.POST.get("assessed_on", "").strip()
    if request.method == "POST":
        entries = [services.IndicatorEntry(
            indicator_id=ind_id, source=request.POST.get(f"src_{ind_id}", "self_report"),
            note=request.POST.get(f"note_{ind_id}", "")) for ind_id in request.POST.getlist("ind")]
        try:
            assessed_on = parse_date(assessed_on_raw) if assessed_on_raw else None
            if assessed_on_raw and assessed_on is None:
                raise ValidationError({"assessed_on": [_("Enter a valid date.")]})
            services.assessment_record(case=case, actor=request.user,
                                       indicator_set=indicator_set, entries=entries,
                                       assessed_on=assessed_on,
                                       note=request.POST.get("note", ""))
            messages.success(request, _("Assessment recorded. The result supports your "
                                        "judgement; record the decision separately."))
            return redirect("cases:detail", case.pk)
        except ValueError:  # a date such as 2026-02-31
            field_errors = {"assessed_on": [_("Enter a valid date.")]}
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                field_errors = {k: v for k, v in exc.message_dict.items() if k == "assessed_on"}
            errors = [m for k, msgs in (exc.message_dict.items() if hasattr(exc, "error_dict")
                                        else [("", exc.messages)])
                      if k != "assessed_on" for m in msgs]
    # A refused form comes back as it was sent: ticks, sources and notes are not lost.
    posted = request.POST if request.method == "POST" else {}
    ticked = set(request.POST.getlist("ind")) if posted else set()
    shown = localise(indicator_set.data, label=indicator_set.label,
                     provenance=indicator_set.provenance)
    dimensions = [{**dim, "ticked": sum(1 for i in dim["indicators"] if i["id"] in ticked),
                   "indicators": [
        {**ind, "n": f"{d_n}-{i_n}", "checked": ind["id"] in ticked,
         "source": posted.get(f"src_{ind['id']}", ""), "note": posted.get(f"note_{ind['id']}", "")}
        for i_n, ind in enumerate(dim["indicators"], start=1)]}
        for d_n, dim in enumerate(shown.dimensions, start=1)]
    return render(request, "cases/assess.html", {
        "case": case, "indicator_set": indicator_set, "shown": shown,
        "sets": sets, "set_choices": [(s, localised_label(s)) for s in sets],
        "set_fits": indicator_set in sets,
        "errors": errors, "field_errors": field_errors,
        "assessed_on": assessed_on_raw or timezone.localdate().isoformat(),
        "today": timezone.localdate().isoformat(),
        "dimensions": dimensions, "note": posted.get("note", ""),
        "live": assessment_preview(case, indicator_set, ticked),
        "sources": IndicatorSource.choices},
        status=400 if errors or field_errors else 200)


@login_required
@require_POST
def assess_result(request, pk):
    """The live result of the identification screen: what the combination rule gives for the
    indicators ticked so far (a fragment for the page's script). Nothing is saved, nothing
    personal is read: only the ids ticked."""
    case = case_for_user(request.user, pk)
    _sets, indicator_set = _assess_set(request, case)
    return render(request, "cases/_assess_result.html", {
        "live": assessment_preview(case, indicator_set, set(request.POST.getlist("ind"))),
        "case": case})


@login_required
@require_POST
def decide(request, pk):
    case = case_for_user(request.user, pk)
    assessments = list(Assessment.objects.filter(case=case).select_related("indicator_set"))
    form = DecisionForm(request.POST, assessments=assessments)
    if not assessments:
        form.is_valid()
        form.errors.pop("assessment", None)
        form.add_error(None, _("A decision needs an assessment of this case; record the "
                               "indicators first."))
    elif form.is_valid():
        assessment = next((a for a in assessments
                           if str(a.pk) == form.cleaned_data["assessment"]), None)
        try:
            decision = services.decision_record(case=case, actor=request.user,
                                                assessment=assessment,
                                                status=form.cleaned_data["status"],
                                                decided_on=form.cleaned_data["decided_on"])
            messages.success(request, _("Decision recorded.") if decision.state == "in_force"
                             else _("Decision recorded; it waits for a supervisor's approval."))
            return redirect("cases:detail", case.pk)
        except ValidationError as exc:
            add_validation_error(form, exc)
    return _rerender(request, case, decision_form=form)


@login_required
@require_POST
def decide_formal(request, pk):
    """Records a formal identification received from a state body, beside the organisation's
    own decision."""
    case = case_for_user(request.user, pk)
    form = FormalDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.formal_decision_record(case=case, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Formal identification recorded."))
            return redirect("cases:detail", case.pk)
        except ValidationError as exc:
            add_validation_error(form, exc)
    return _rerender(request, case, formal_form=form)


@login_required
@require_POST
def approve(request, pk, decision_id):
    case = case_for_user(request.user, pk)
    decision = get_or_404(Decision.objects.all(), case=case, pk=decision_id)
    try:
        services.decision_approve(decision=decision, actor=request.user,
                                  approve=request.POST.get("approve") == "1")
        messages.success(request, _("Decision reviewed."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    if request.POST.get("back") == "approvals":
        return redirect("cases:approvals")
    return redirect("cases:detail", case.pk)


@login_required
def approvals(request):
    """The supervisor's queue: decisions waiting for their approval, longest waiting first,
    each with the buttons of the case page."""
    from bridgeway.cases.queries import decisions_awaiting_approval

    if not orgs_where(request.user, [Role.SUPERVISOR]):
        raise Http404
    decisions = decisions_awaiting_approval(request.user).queryset().select_related(
        "case", "decided_by", "assessment")
    return render(request, "cases/approvals.html", {"decisions": decisions})


# --- plan, tasks, assignment, first contact, timeline, indicator sets --------------------------

def _work_page(request, case, *, http_status=200, conflict=None, **forms):
    """The plan-and-tasks page of one case: support plan, tasks, events, perpetrators and
    assignment. `forms` replaces the empty form of the write that failed."""
    people = forms.pop("people", None) or list(case_staff(case.organisation))
    context = {
        "case": case, "objective_form": ObjectiveForm(),
        "task_form": TaskForm(people=list(case_team(case))),
        "event_form": EventForm(), "perpetrator_form": PerpetratorForm(),
        "assign_form": AssignForm(people=people,
                                  initial={"assignees": [u.pk for u in case.assignees.all()],
                                           "version": case.version}),
        "events": case.events.all(), "perpetrators": case.perpetrators.all(),
        "is_supervisor": Role.SUPERVISOR in roles_in(request.user, case.organisation),
        "objectives": case.objectives.all(), "tasks": case.tasks.select_related("assignee"),
        "today": timezone.localdate(), "conflict": conflict,
        "seen_assignees": [u.pk for u in case.assignees.all()]}
    context.update(forms)
    return render(request, "cases/work.html", context, status=http_status)


@login_required
def work(request, pk):
    """The plan-and-tasks page; each form on it posts to its own write below."""
    return _work_page(request, case_for_user(request.user, pk))


def _work_submit(request, case, form, form_name, write, passthrough=()):
    """One write of the plan-and-tasks page: saved, back to the page; refused, the page again
    with this form's errors (a refusal of the role as a message)."""
    return submit(request, form, write, success=_("Saved."),
                  then=lambda: redirect("cases:work", case.pk),
                  rerender=lambda bound: _work_page(request, case, http_status=400,
                                                    **{form_name: bound}),
                  refusal_as_message=True, passthrough=passthrough)


@login_required
@require_POST
def objective_add(request, pk):
    case = case_for_user(request.user, pk)
    return _work_submit(request, case, ObjectiveForm(request.POST), "objective_form",
                        lambda data: services.objective_add(case=case, actor=request.user, **data))


@login_required
@require_POST
def task_add(request, pk):
    case = case_for_user(request.user, pk)
    team = list(case_team(case))

    def write(data):
        assignee = next((p for p in team if p.pk == data["assignee"]), None)
        services.task_add(case=case, actor=request.user, title=data["title"],
                          due_on=data["due_on"], assignee=assignee)

    return _work_submit(request, case, TaskForm(request.POST, people=team), "task_form", write)


@login_required
@require_POST
def event_add(request, pk):
    case = case_for_user(request.user, pk)
    return _work_submit(request, case, EventForm(request.POST), "event_form",
                        lambda data: services.event_add(case=case, actor=request.user, **data))


@login_required
@require_POST
def perpetrator_add(request, pk):
    case = case_for_user(request.user, pk)
    return _work_submit(request, case, PerpetratorForm(request.POST), "perpetrator_form",
                        lambda data: services.perpetrator_add(case=case, actor=request.user,
                                                              **data))


@login_required
@require_POST
def assign(request, pk):
    case = case_for_user(request.user, pk)
    people = list(case_staff(case.organisation))
    form = AssignForm(request.POST, people=people)

    def write(data):
        chosen = [p for p in people if p.pk in data["assignees"]]
        seen = [int(v) for v in request.POST.getlist("seen_assignees") if v.isdigit()]
        services.case_assign(case=case, actor=request.user, users=chosen,
                             version=data["version"], seen={"assignees": seen})

    try:
        return _work_submit(request, case, form, "assign_form", write,
                            passthrough=(services.EditConflict,))
    except services.EditConflict as exc:
        case.refresh_from_db()
        conflict = _conflict_rows(exc, {"assignees": [
            p.pk for p in people if str(p.pk) in request.POST.getlist("assignees")]},
            changes.shown_value)
        return _work_page(request, case, http_status=409, conflict=conflict, people=people,
                          assign_form=_after_conflict(AssignForm, request.POST, exc,
                                                      people=people))


def _mark_done(request, case, write):
    try:
        write()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Saved."))
        return redirect("cases:work", case.pk)
    return _work_page(request, case, http_status=400)


@login_required
@require_POST
def objective_done(request, pk, objective_id):
    case = case_for_user(request.user, pk)
    objective = get_or_404(case.objectives.all(), pk=objective_id)
    return _mark_done(request, case,
                      lambda: services.objective_done(objective=objective, actor=request.user))


@login_required
@require_POST
def task_done(request, pk, task_id):
    case = case_for_user(request.user, pk)
    task = get_or_404(case.tasks.all(), pk=task_id)
    return _mark_done(request, case, lambda: services.task_done(task=task, actor=request.user))


@login_required
def my_tasks(request):
    tasks = my_open_tasks(request.user)
    return render(request, "cases/tasks.html", {"tasks": tasks, "today": timezone.localdate()})


@login_required
def timeline(request, pk):
    case = case_for_user(request.user, pk)
    return render(request, "cases/timeline.html", {"case": case,
                                                   "entries": case_timeline(case)})


@login_required
def first_contact(request):
    org, orgs = _org(request)
    form = FirstContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.first_contact_open(
                org=org, actor=request.user, channel=form.cleaned_data["contact_channel"],
                exploitation_types=form.cleaned_data["exploitation_types"])
            messages.success(request, _("Anonymous first contact %(ref)s recorded.")
                             % {"ref": case.reference})
            return redirect("cases:detail", case.pk)
        except ValidationError as exc:
            add_validation_error(form, exc)
    return render(request, "cases/first_contact.html", {"org": org, "form": form},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
def convert(request, pk):
    case = case_for_user(request.user, pk)
    if not case.is_first_contact:
        return redirect("cases:detail", case.pk)
    form = IntakeForm(request.POST or None)
    for name in ("exploitation_types", "opened_on", "confirm_new"):
        form.fields.pop(name)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.first_contact_convert(case=case, actor=request.user,
                                           person=services.PersonData(**data))
            messages.success(request, _("The first contact is now a full case."))
            return redirect("cases:detail", case.pk)
        except ValidationError as exc:
            add_validation_error(form, exc)
    return render(request, "cases/convert.html", {"case": case, "form": form},
                  status=400 if form.is_bound and form.errors else 200)


def _may_import_sets(user) -> bool:
    from bridgeway.orgs.codes import OrgType
    from bridgeway.orgs.queries import orgs_where

    return user.is_superuser or any(o.org_type == OrgType.CSO_NETWORK
                                    for o in orgs_where(user, [Role.ORG_ADMIN]))


@login_required
def indicator_sets(request):
    if not case_orgs(request.user) and not _may_import_sets(request.user):
        raise Http404
    ensure_default_sets()
    may_import = _may_import_sets(request.user)
    form = IndicatorSetImportForm(request.POST or None, request.FILES or None) \
        if may_import else None
    if request.method == "POST":
        if not may_import:
            raise Http404
        if form.is_valid():
            try:
                created = import_payload(form.cleaned_data["file"].read(),
                                         source=form.cleaned_data["source"], actor=request.user)
                messages.success(request, _("%(n)s indicator set(s) imported; they replace the "
                                            "earlier versions for new assessments.")
                                 % {"n": len(created)})
                return redirect("cases:indicator_sets")
            except ValidationError as exc:
                add_validation_error(form, exc)
    return render(request, "cases/indicator_sets.html", {
        "sets": IndicatorSet.objects.all().order_by("code", "-version"), "form": form},
        status=400 if form is not None and form.is_bound and form.errors else 200)


@login_required
def person_edit(request, pk):
    """Correcting the person after intake (name, date of birth, contact details, documents)."""
    case = case_for_user(request.user, pk)
    person = case_person(case)
    if person is None or case.subject is None or case.subject.is_erased:
        raise Http404
    person.subject = case.subject
    values = changes.person_values(case, person)
    rows = min(10, max(DOCUMENT_ROWS, len(values["identity_documents"]) + 1))
    initial = {**PersonForm.initial_from(values), "version": case.version}
    form = PersonForm(request.POST or None, initial=initial, document_rows=rows)
    seen_form = PersonForm(request.POST if request.method == "POST" else None, prefix="seen",
                           initial=initial, document_rows=rows)
    conflict = None
    if request.method == "POST" and form.is_valid():
        seen = seen_form.person_data() if seen_form.is_valid() else {}
        data = form.person_data()
        try:
            result = services.person_update(case=case, actor=request.user,
                                            version=form.cleaned_data["version"], data=data,
                                            seen=seen)
        except services.EditConflict as exc:
            case.refresh_from_db()
            person = Person.objects.get(case=case)
            person.subject = case.subject
            values = changes.person_values(case, person)
            initial = {**PersonForm.initial_from(values), "version": case.version}
            kept = {c.field for c in exc.changes
                    if changes.person_same(c.field, data[c.field], seen.get(c.field))}
            extra = {}
            for field in kept:
                extra.update(PersonForm.form_values(field, initial, rows))
            form = _after_conflict(PersonForm, request.POST, exc, extra=extra,
                                   document_rows=rows)
            seen_form = PersonForm(prefix="seen", initial=initial, document_rows=rows)
            conflict = _conflict_rows(exc, data, changes.person_shown, kept)
        except ValidationError as exc:
            add_validation_error(form, exc, renamed={"address": "address_street",
                                                     "identity_documents": "document_kind_1"})
        else:
            if result.fields:
                messages.success(request, _("The person's details were corrected."))
            else:
                messages.info(request, _("Nothing was changed."))
            if result.child_changed:
                messages.warning(request, _(
                    "With this date of birth or age the person is now a child: the case follows "
                    "the rules for children.") if result.case.is_child else _(
                    "With this date of birth or age the person is now an adult: the case "
                    "follows the rules for adults."))
                if Assessment.objects.filter(case=case).exists():
                    messages.warning(request, _(
                        "Earlier assessments keep the indicator set they used; assess again "
                        "with the set that fits now."))
            return redirect("cases:detail", case.pk)
    return render(request, "cases/person_edit.html", {
        "case": case, "form": form, "seen_form": seen_form, "conflict": conflict},
        status=409 if conflict is not None else
        (400 if form.is_bound and form.errors else 200))


@login_required
def case_settings(request):
    """An organisation administrator's case settings: whether decisions need approval."""
    org, orgs = organisation_from_request(request, [Role.ORG_ADMIN])
    conf = case_settings_for(org)
    form = CaseSettingsForm(request.POST or None,
                            initial={"decisions_need_approval": conf.decisions_need_approval})
    if request.method == "POST" and form.is_valid():
        try:
            services.case_settings_set(org=org, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Case settings saved."))
            return redirect(f"{request.path}?organisation={org.pk}")
        except ValidationError as exc:
            add_validation_error(form, exc)
    return render(request, "cases/settings.html", {"org": org, "orgs": orgs, "form": form},
                  status=400 if form.is_bound and form.errors else 200)
