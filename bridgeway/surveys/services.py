"""Writes for surveys. Each checks permission, validates (messages name the field, or the sheet,
row and column of the XLSForm, or the question), writes in one transaction and records one audit
event with ids and codes only (never an answer)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.core.shortcuts import apply_changes
from bridgeway.notifications.services import Kind, notify
from bridgeway.orgs.models import Membership, Organisation
from bridgeway.protection.audit import audit_record
from bridgeway.surveys import queries, registry
from bridgeway.surveys.codes import Scope, SubmissionStatus, SurveyStatus
from bridgeway.surveys.engine import Check, FormExpressionError, engine_for, normalise
from bridgeway.surveys.models import (
    FormVersion,
    Submission,
    SubmissionUnit,
    Survey,
    SurveyInvitation,
)
from bridgeway.surveys.tally import write_units
from bridgeway.surveys.texts import split_texts, store_texts
from bridgeway.surveys.xlsform import convert_xlsform

if TYPE_CHECKING:
    from bridgeway.accounts.models import User


class EditConflict(ValidationError):
    """Someone else saved the same answers since this person loaded them."""


AUDIT_CODE = re.compile(r"[A-Za-z0-9_.:/+\-]{1,64}")


def _as_coordinator(actor: User, network: Organisation) -> None:
    if network.pk not in {n.pk for n in queries.coordinated_networks(actor)}:
        raise PermissionDenied(_("Only the network's coordinators can manage its surveys."))


def _validate_survey(*, title: str, threshold: int, scope: str) -> None:
    if not (title or "").strip():
        raise ValidationError({"title": _("Give the survey a title.")})
    if threshold < 1 or threshold > 100:
        raise ValidationError({"threshold": _("Choose a number from 1 to 100.")})
    if scope not in Scope.values:
        raise ValidationError({"scope": _("Choose who answers.")})


def _new_version(*, survey: Survey, actor: User, data: bytes, filename: str) -> FormVersion:
    try:
        converted = convert_xlsform(data)
    except ValidationError as exc:
        raise ValidationError({"xlsform": exc.messages}) from None
    number = (FormVersion.objects.filter(survey=survey).order_by("-number")
              .values_list("number", flat=True).first() or 0) + 1
    version = FormVersion.objects.create(
        survey=survey, number=number, title=converted.title[:255],
        form_id=converted.form_id[:255], version_label=converted.version[:255],
        filename=(filename or "")[-255:], xlsform=data, xform=converted.xform,
        spec=converted.spec, question_count=converted.question_count, uploaded_by=actor)
    survey.current_version = version
    survey.save(update_fields=["current_version", "updated_at"])
    return version


@transaction.atomic
def survey_create(*, network: Organisation, actor: User, title: str, xlsform: bytes,
                  filename: str = "", description: str = "", scope: str = Scope.ORGANISATION,
                  deadline: datetime | None = None, threshold: int = 5,
                  invite: Iterable[Organisation] | None = None) -> Survey:
    """A survey of `network` with its first form; every member organisation is invited unless
    `invite` names some."""
    _as_coordinator(actor, network)
    _validate_survey(title=title, threshold=threshold, scope=scope)
    survey = Survey.objects.create(network=network, title=title.strip(), description=description,
                                   scope=scope, deadline=deadline, threshold=threshold,
                                   created_by=actor)
    _new_version(survey=survey, actor=actor, data=xlsform, filename=filename)
    members = queries.network_member_orgs(network)
    chosen = list(members) if invite is None else list(invite)
    member_ids = set(members.values_list("pk", flat=True))
    for org in chosen:
        if org.pk not in member_ids:
            raise ValidationError({"invite": _("%(org)s is not a member of the network.")
                                   % {"org": org.name}})
        SurveyInvitation.objects.get_or_create(survey=survey, organisation=org)
    audit_record(action="surveys.survey.created", actor=actor, organisation=network, obj=survey,
                 payload={"version": 1, "invited": len(chosen)})
    return survey


@transaction.atomic
def survey_update(*, survey: Survey, actor: User, title: str, description: str,
                  scope: str, deadline: datetime | None, threshold: int) -> Survey:
    _as_coordinator(actor, survey.network)
    _validate_survey(title=title, threshold=threshold, scope=scope)
    if scope != survey.scope and Submission.objects.filter(survey=survey).exists():
        raise ValidationError({"scope": _("Answers have already been given: who answers can no "
                                          "longer change.")})
    changed = apply_changes(survey, {"title": title.strip(), "description": description,
                                     "scope": scope, "deadline": deadline,
                                     "threshold": threshold})
    if changed:
        survey.save()
        audit_record(action="surveys.survey.edited", actor=actor, organisation=survey.network,
                     obj=survey, payload={"fields": changed})
    return survey


@transaction.atomic
def form_upload(*, survey: Survey, actor: User, xlsform: bytes, filename: str = "") -> FormVersion:
    """A new version of the form; earlier submissions keep theirs, drafts move to the new one
    when next saved."""
    _as_coordinator(actor, survey.network)
    if survey.status == SurveyStatus.CLOSED:
        raise ValidationError({"xlsform": _("The survey is closed; open it again to change its "
                                            "form.")})
    version = _new_version(survey=survey, actor=actor, data=xlsform, filename=filename)
    audit_record(action="surveys.form.uploaded", actor=actor, organisation=survey.network,
                 obj=survey, payload={"version": version.number})
    return version


@transaction.atomic
def survey_set_status(*, survey: Survey, actor: User, status: str) -> Survey:
    """Open the survey for answers (members are told) or close it."""
    _as_coordinator(actor, survey.network)
    if status not in (SurveyStatus.OPEN, SurveyStatus.CLOSED) or status == survey.status:
        raise ValidationError({"status": _("The survey is already %(status)s.")
                               % {"status": survey.get_status_display().lower()}})
    first_opening = survey.status == SurveyStatus.DRAFT
    survey.status = status
    survey.save(update_fields=["status", "updated_at"])
    if status == SurveyStatus.OPEN:
        audit_record(action="surveys.survey.opened", actor=actor, organisation=survey.network,
                     obj=survey)
        if first_opening:
            for org in queries.invited_orgs(survey):
                users = [m.user for m in Membership.objects.filter(
                    organisation=org, is_active=True).select_related("user")]
                notify(users=users, kind=Kind.SURVEY_INVITED, organisation=org,
                       link=reverse("surveys:detail", args=[survey.pk]),
                       key=f"survey_invited:{survey.pk}:{org.pk}")
    else:
        audit_record(action="surveys.survey.closed", actor=actor, organisation=survey.network,
                     obj=survey)
    return survey


def _respondent_check(*, survey: Survey, actor: User, organisation: Organisation) -> None:
    if organisation.pk not in {o.pk for o in queries.respondent_orgs(actor, survey)}:
        raise PermissionDenied(_("Your organisation was not invited to answer this survey."))
    if survey.status != SurveyStatus.OPEN:
        raise ValidationError(_("The survey is closed: answers can no longer be changed."))
    if survey.deadline and survey.deadline < timezone.now():
        raise ValidationError(_("The deadline has passed: answers can no longer be changed."))


def check_answers(*, version: FormVersion, answers: dict[str, Any], final: bool,
                  language: str = "", started: datetime | None = None) -> Check:
    """The server's check of answers against a form version (also serves the live form)."""
    now = timezone.now()
    meta = {"start": (started or now).isoformat(timespec="seconds"),
            "end": now.isoformat(timespec="seconds"), "today": timezone.localdate().isoformat()}
    # The creation time too: a rolled-back test database may give the same id to another form.
    engine = engine_for(version.pk, version.spec, f"{version.created_at.isoformat()}:"
                        f"{version.form_id}:{version.question_count}")
    try:
        return engine.check(answers, final=final, lang=language, meta=meta)
    except FormExpressionError:
        raise ValidationError(_("The form could not be evaluated with these answers; tell the "
                                "survey's coordinators.")) from None


@transaction.atomic
def submission_save(*, survey: Survey, actor: User, organisation: Organisation,
                    answers: dict[str, Any], revision: int | None = None, submit: bool = False,
                    language: str = "") -> tuple[Submission, Check]:
    """Saves the answers as a draft, or submits them. A submission is checked in full and refused
    with the questions named (nothing is saved); a draft keeps what was typed, so it can be
    resumed. Free-text answers are sealed (surveys/texts.py). `revision` is the one the person
    started from: if someone else saved since, the save is refused (EditConflict) and nothing
    is overwritten."""
    _respondent_check(survey=survey, actor=actor, organisation=organisation)
    version = survey.current_version
    if version is None:
        raise ValidationError(_("The survey has no form yet."))
    key = queries.owner_key(survey, organisation, actor)
    existing = (Submission.objects.select_for_update()
                .filter(survey=survey, owner_key=key).first())
    if existing is not None:
        if existing.status == SubmissionStatus.SUBMITTED:
            raise ValidationError(_("These answers were submitted; the coordinators can reopen "
                                    "them if something must change."))
        if revision is not None and revision != existing.revision:
            raise EditConflict(_("Someone else saved these answers after you opened them. "
                                 "Reload the page to see their changes; yours were not saved."),
                               code="conflict")
    started = existing.started_at if existing else None
    result = check_answers(version=version, answers=answers, final=submit, language=language,
                           started=started)
    if submit and not result.ok:
        raise ValidationError(result.errors)
    stored = result.answers if submit else _draft_answers(version, answers)
    # Texts (drafts' too) are sealed in their own rows; the JSON keeps what is counted.
    clear, texts = split_texts(version.spec["children"], stored)
    if existing is None:
        existing = Submission(survey=survey, organisation=organisation, owner_key=key,
                              respondent=actor if survey.scope == Scope.PERSON else None)
    else:
        existing.revision = F("revision") + 1
    existing.version = version
    existing.answers = clear
    existing.language = language[:60]
    existing.last_saved_by = actor
    if submit:
        existing.status = SubmissionStatus.SUBMITTED
        existing.submitted_at = timezone.now()
    existing.save()
    existing.refresh_from_db(fields=["revision"])
    store_texts(existing, texts)
    if submit:
        write_units(existing, version.spec, clear, texts)
    audit_record(action="surveys.submission.submitted" if submit
                 else "surveys.submission.saved", actor=actor, organisation=organisation,
                 obj=existing, payload={"survey": survey.pk, "version": version.number})
    if submit:  # apps above (funding) read mapped answers, in this transaction
        registry.notify_submitted(existing)
    return existing, result


def _draft_answers(version: FormVersion, answers: dict[str, Any]) -> dict[str, Any]:
    return normalise(version.spec["children"], answers if isinstance(answers, dict) else {})


@transaction.atomic
def submission_reopen(*, submission: Submission, actor: User) -> Submission:
    """The coordinator sends submitted answers back to the organisation to change."""
    survey = submission.survey
    _as_coordinator(actor, survey.network)
    if submission.status != SubmissionStatus.SUBMITTED:
        raise ValidationError(_("Only submitted answers can be reopened."))
    Submission.objects.filter(pk=submission.pk).update(
        status=SubmissionStatus.DRAFT, submitted_at=None, revision=F("revision") + 1)
    # Units are the counted form of submitted answers only (the counting reads no status);
    # submitting again writes them anew.
    SubmissionUnit.objects.filter(submission=submission).delete()
    submission.refresh_from_db()
    audit_record(action="surveys.submission.reopened", actor=actor, organisation=survey.network,
                 obj=submission, payload={"survey": survey.pk})
    return submission


def record_export(*, survey: Survey, actor: User, kind: str) -> None:
    _as_coordinator(actor, survey.network)
    audit_record(action="surveys.submissions.exported", actor=actor,
                 organisation=survey.network, obj=survey, payload={"format": kind})


@transaction.atomic
def record_texts_read(*, survey: Survey, actor: User, question: str, shown: int,
                      via: str) -> None:
    """A coordinator read a page of one free-text question's answers (`shown` of them opened,
    on the screen or through the API: `via` "ui" or "api"). The answers are the respondent
    organisations' words, so each read is logged, as every export is; the payload names the
    question, never an answer."""
    _as_coordinator(actor, survey.network)
    # A name outside the audit log's code characters (XML allows letters of any script) is
    # left out rather than mangled; the survey and the count remain.
    name = question if AUDIT_CODE.fullmatch(question) else None
    audit_record(action="surveys.texts.read", actor=actor, organisation=survey.network,
                 obj=survey, payload={"question": name, "answers": shown, "via": via})


def remind_deadlines(now: datetime) -> int:
    """Reminds the people of invited organisations that have not submitted, once per survey and
    organisation, when an open survey's deadline is within three days."""
    created = 0
    for survey in Survey.objects.filter(status=SurveyStatus.OPEN, deadline__gt=now,
                                        deadline__lte=now + timedelta(days=3)):
        answered = queries.answered_org_ids(survey)
        for org in queries.invited_orgs(survey).exclude(pk__in=answered):
            users = [m.user for m in Membership.objects.filter(organisation=org, is_active=True)
                     .select_related("user")]
            created += len(notify(users=users, kind=Kind.SURVEY_REMINDER, organisation=org,
                                  link=reverse("surveys:detail", args=[survey.pk]),
                                  key=f"survey_reminder:{survey.pk}:{org.pk}"))
    return created
