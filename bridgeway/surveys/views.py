from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridgeway.core.forms import add_validation_error
from bridgeway.core.shortcuts import submit
from bridgeway.surveys import aggregate, exports, queries, services, texts
from bridgeway.surveys.codes import Split, SubmissionStatus, SurveyStatus
from bridgeway.surveys.fill import (
    Renderer,
    answers_from_post,
    apply_repeat_action,
    live_payload,
)
from bridgeway.surveys.forms import SurveyEditForm, SurveyForm, VersionForm


@login_required
def survey_list(request):
    surveys = queries.surveys_visible_to(request.user)
    networks = queries.coordinated_networks(request.user)
    return render(request, "surveys/list.html", {"surveys": surveys, "may_create": bool(networks)})


@login_required
def create(request):
    networks = queries.coordinated_networks(request.user)
    if not networks:
        raise Http404
    from bridgeway.orgs.models import Organisation

    qs = Organisation.objects.filter(pk__in=[n.pk for n in networks])
    form = SurveyForm(request.POST or None, request.FILES or None, networks=qs)
    created = {}

    def write(d):
        created["survey"] = services.survey_create(
            network=d["network"], actor=request.user, title=d["title"],
            description=d["description"], scope=d["scope"], deadline=d["deadline"],
            threshold=d["threshold"], xlsform=d["xlsform"].read(), filename=d["xlsform"].name)

    if request.method == "POST":
        return submit(request, form, write, success=_("The survey was created. Check the form, "
                                                      "then open it for answers."),
                      then=lambda: redirect("surveys:detail", created["survey"].pk),
                      rerender=lambda f: render(request, "surveys/create.html", {"form": f},
                                                status=400))
    return render(request, "surveys/create.html", {"form": form})


@login_required
def detail(request, pk):
    survey = queries.survey_for_user(request.user, pk)
    coordinating = queries.may_coordinate(request.user, survey)
    ctx = {"survey": survey, "coordinating": coordinating}
    if coordinating:
        subs = {s.organisation_id: s for s in queries.submissions_for_coordinator(survey)}
        ctx.update({
            "versions": queries.versions_of(survey),
            "invited": [(org, subs.get(org.pk)) for org in queries.invited_orgs(survey)],
            "person_submissions": list(subs.values()) if survey.scope == "person" else [],
            "version_form": VersionForm(),
        })
    respondents = []
    for org in queries.respondent_orgs(request.user, survey):
        respondents.append((org, queries.own_submission(request.user, survey, org)))
    ctx["respondents"] = respondents
    return render(request, "surveys/detail.html", ctx)


@login_required
def edit(request, pk):
    survey = queries.survey_to_coordinate(request.user, pk)
    initial = {"title": survey.title, "description": survey.description, "scope": survey.scope,
               "deadline": survey.deadline, "threshold": survey.threshold}
    form = SurveyEditForm(request.POST or None, initial=initial)
    if request.method == "POST":
        return submit(request, form,
                      lambda d: services.survey_update(survey=survey, actor=request.user, **d),
                      success=_("The survey was saved."),
                      then=lambda: redirect("surveys:detail", survey.pk),
                      rerender=lambda f: render(request, "surveys/edit.html",
                                                {"form": f, "survey": survey}, status=400))
    return render(request, "surveys/edit.html", {"form": form, "survey": survey})


@login_required
@require_POST
def upload_version(request, pk):
    survey = queries.survey_to_coordinate(request.user, pk)
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            v = services.form_upload(survey=survey, actor=request.user,
                                     xlsform=form.cleaned_data["xlsform"].read(),
                                     filename=form.cleaned_data["xlsform"].name)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Version %(n)d of the form is now the one members "
                                        "fill in.") % {"n": v.number})
            return redirect("surveys:detail", survey.pk)
    for error in form.errors.get("xlsform", []):
        messages.error(request, error)
    return redirect("surveys:detail", survey.pk)


@login_required
@require_POST
def set_status(request, pk):
    survey = queries.survey_to_coordinate(request.user, pk)
    status = request.POST.get("status", "")
    try:
        services.survey_set_status(survey=survey, actor=request.user, status=status)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The survey is open for answers.") if status == "open"
                         else _("The survey is closed."))
    return redirect("surveys:detail", survey.pk)


@login_required
def download_xlsform(request, pk, version_pk):
    survey = queries.survey_to_coordinate(request.user, pk)
    version = queries.version_of(survey, version_pk)
    response = HttpResponse(bytes(version.xlsform), content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = (
        f'attachment; filename="survey-{survey.pk}-v{version.number}.xlsx"')
    return response


def _respondent(request, pk, org_pk):
    survey = queries.survey_for_user(request.user, pk)
    orgs = {o.pk: o for o in queries.respondent_orgs(request.user, survey)}
    if org_pk not in orgs:
        raise Http404
    return survey, orgs[org_pk]


def _language(request, spec):
    lang = request.POST.get("lang") or request.GET.get("lang") or ""
    return lang if lang in spec["languages"] else spec["default_language"]


@login_required
def fill(request, pk, org_pk):
    survey, org = _respondent(request, pk, org_pk)
    existing = queries.own_submission(request.user, survey, org)
    if existing is not None and existing.status == SubmissionStatus.SUBMITTED:
        return redirect("surveys:submission", survey.pk, existing.pk)
    version = survey.current_version
    if version is None or survey.status != SurveyStatus.OPEN:
        messages.error(request, _("The survey is not open for answers."))
        return redirect("surveys:detail", survey.pk)
    spec = version.spec
    lang = _language(request, spec)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        answers = answers_from_post(spec, request.POST)
        action = request.POST.get("action", "save")
        try:
            revision = int(request.POST.get("revision", "0")) or None
        except ValueError:
            revision = None
        if action.startswith(("add:", "remove:")):
            apply_repeat_action(spec, answers, action)
        try:
            saved, _check = services.submission_save(
                survey=survey, actor=request.user, organisation=org, answers=answers,
                revision=revision, submit=action == "submit", language=lang)
        except services.EditConflict as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(f"{reverse('surveys:fill', args=[pk, org_pk])}?lang={lang}")
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
                messages.error(request, _("The answers were not submitted: %(n)d question(s) "
                                          "need attention.") % {"n": len(errors)})
            else:
                messages.error(request, " ".join(exc.messages))
            status = 400
            existing = queries.own_submission(request.user, survey, org)
        else:
            if action == "submit":
                messages.success(request, _("Thank you: your answers were submitted."))
                return redirect("surveys:submission", survey.pk, saved.pk)
            if action == "save":
                messages.success(request, _("Your answers were saved as a draft."))
            anchor = ""
            if action.startswith("add:"):
                anchor = "#repeat-" + action[4:]
            return redirect(f"{reverse('surveys:fill', args=[pk, org_pk])}?lang={lang}{anchor}")
    else:
        answers = texts.full_answers(existing) if existing else _defaults(spec)
    check = services.check_answers(version=version, answers=answers, final=False, language=lang)
    form_html = Renderer(spec, lang, check, answers, errors).render()
    return render(request, "surveys/fill.html", {
        "survey": survey, "org": org, "form_html": form_html, "spec": spec, "lang": lang,
        "submission": existing, "revision": existing.revision if existing else 0,
    }, status=status)


def _defaults(spec):
    out = {}
    from bridgeway.surveys.spec import iter_questions

    for node, repeat in iter_questions(spec["children"]):
        if repeat is None and node.get("default") and not node.get("calculate"):
            out[node["name"]] = (node["default"].split() if node["type"] == "select_multiple"
                                 else node["default"])
    return out


@login_required
@require_POST
def live(request, pk, org_pk):
    """The browser's question after each answer: what is relevant, allowed, calculated, and
    the messages for the answers touched so far. Nothing is saved."""
    survey, _org = _respondent(request, pk, org_pk)
    version = survey.current_version
    if version is None:
        raise Http404
    spec = version.spec
    lang = _language(request, spec)
    answers = answers_from_post(spec, request.POST)
    check = services.check_answers(version=version, answers=answers, final=False, language=lang)
    touched = set(request.POST.getlist("_touched"))
    return JsonResponse(live_payload(spec, lang, check, answers, touched))


@login_required
def submission(request, pk, sub_pk):
    survey = queries.survey_for_user(request.user, pk)
    sub = queries.submission_for_user(request.user, survey, sub_pk)
    spec = sub.version.spec
    lang = _language(request, spec)
    rows = exports.readable_answers(spec, texts.full_answers(sub), lang)
    return render(request, "surveys/submission.html", {
        "survey": survey, "submission": sub, "rows": rows,
        "coordinating": queries.may_coordinate(request.user, survey)})


@login_required
@require_POST
def reopen(request, pk, sub_pk):
    survey = queries.survey_to_coordinate(request.user, pk)
    sub = queries.submission_for_user(request.user, survey, sub_pk)
    try:
        services.submission_reopen(submission=sub, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The answers were reopened: the organisation can change "
                                    "and submit them again."))
    return redirect("surveys:detail", survey.pk)


def _split_choices(survey):
    return aggregate.split_options(survey)


@login_required
def results(request, pk):
    survey = queries.survey_to_coordinate(request.user, pk)
    options = _split_choices(survey)
    split = request.GET.get("split", "")
    if split and split not in dict(options):
        messages.error(request, _("The results cannot be split by “%(split)s”.")
                       % {"split": split})
        split = ""
    lang = _language(request, survey.current_version.spec) if survey.current_version else ""
    report = aggregate.survey_results(survey, split=split, lang=lang)
    for block in report["questions"]:
        for chart in block.get("charts", []):
            chart["csv_url"] = (reverse("surveys:results_csv", args=[survey.pk])
                                + f"?question={block['name']}&split={split}")
    return render(request, "surveys/results.html", {
        "survey": survey, "report": report, "options": options, "split": split,
        "split_labels": {Split.COUNTRY.value: Split.COUNTRY.label,
                         Split.ORG_TYPE.value: Split.ORG_TYPE.label}})


@login_required
def results_texts(request, pk):
    """One free-text question's answers, opened a page at a time, for the survey's coordinators
    (everyone else: 404); with a split, those of one group, if the group is not too small."""
    survey = queries.survey_to_coordinate(request.user, pk)
    split = request.GET.get("split", "")
    if split and split not in dict(_split_choices(survey)):
        raise Http404
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    lang = _language(request, survey.current_version.spec) if survey.current_version else ""
    listing = aggregate.texts_page(survey, name=request.GET.get("question", ""), split=split,
                                   group=request.GET.get("group", ""), page=page, lang=lang)
    if listing is None:
        raise Http404
    if listing["answers"]:
        services.record_texts_read(survey=survey, actor=request.user, question=listing["name"],
                                   shown=len(listing["answers"]), via="ui")
    return render(request, "surveys/texts.html", {"survey": survey, "listing": listing,
                                                  "split": split})


@login_required
def results_csv(request, pk):
    survey = queries.survey_to_coordinate(request.user, pk)
    split = request.GET.get("split", "")
    if split and split not in dict(_split_choices(survey)):
        raise Http404
    name = request.GET.get("question", "")
    body = aggregate.question_csv(survey, name=name, split=split)
    if body is None:
        raise Http404
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-results.csv"'
    return response


@login_required
def export(request, pk, fmt):
    survey = queries.survey_to_coordinate(request.user, pk)
    try:
        services.record_export(survey=survey, actor=request.user, kind=fmt)
    except PermissionDenied:
        raise Http404 from None
    return exports.export_response(survey, fmt)
