"""Referral screens: the referral itself (list, new, detail, the answers, settings)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridgeway.cases.queries import case_for_user, may_work_on
from bridgeway.core.forms import add_validation_error, add_validation_error_to
from bridgeway.orgs.codes import OrgType, Role
from bridgeway.orgs.models import OrganisationService
from bridgeway.orgs.queries import organisation_from_request, organisations_visible_to, roles_in
from bridgeway.protection.forms import InlineConsentForm
from bridgeway.protection.models import ConsentPurpose
from bridgeway.protection.responses import document_response
from bridgeway.protection.services import consent_check
from bridgeway.referrals import queries, services
from bridgeway.referrals.forms import DeclineForm, ReferralForm, SettingsForm, TransferForm
from bridgeway.referrals.queries import RECIPIENT, SENDER, referral_for_user
from bridgeway.referrals.views.thread import thread_context


@login_required
def referral_list(request):
    incoming = list(queries.incoming_for(request.user).select_related("sender", "recipient"))
    outgoing = list(queries.outgoing_for(request.user).select_related("recipient", "case"))
    settings_orgs = queries.orgs_where(request.user, services.SETTINGS_ROLES)
    if not (incoming or outgoing or settings_orgs or queries.receiving_org_ids(request.user)
            or queries.orgs_where(request.user, services.SENDER_ROLES)):
        raise Http404
    for r in incoming + outgoing:
        r.overdue = queries.is_overdue(r)
    return render(request, "referrals/list.html", {
        "incoming": incoming, "outgoing": outgoing, "settings_orgs": settings_orgs})


def _recipients(user, case):
    return (organisations_visible_to(user).filter(is_active=True)
            .exclude(pk=case.organisation_id).exclude(org_type=OrgType.CSO_NETWORK)
            .prefetch_related(Prefetch("services", queryset=OrganisationService.objects.all()))
            .order_by("country", "name"))


@login_required
def referral_new(request, case_pk):
    case = case_for_user(request.user, case_pk)
    if case.subject_id is None or case.subject.is_erased:
        raise Http404
    recipients = list(_recipients(request.user, case))
    for org in recipients:
        org.offered = [s.get_service_display() for s in org.services.all()]
    form = ReferralForm(request.POST or None, recipients=recipients)
    consent_form = InlineConsentForm(request.POST or None, purposes=[ConsentPurpose.REFERRAL])
    if request.method == "POST" and consent_form.is_valid() and form.is_valid():
        data = form.cleaned_data
        recipient = next((o for o in recipients if o.pk == data["recipient"]), None)
        try:
            referral = services.referral_send(
                case=case, actor=request.user, recipient=recipient, sections=data["sections"],
                reason=data["reason"], reason_text=data["reason_text"], urgency=data["urgency"],
                services=data["services"], deadline=data["deadline"],
                override_reason=data["override_reason"],
                record_consent=consent_form.consent_data())
        except ValidationError as exc:
            add_validation_error_to(exc, form, consent_form)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Referral %(ref)s sent.") % {"ref": referral.reference})
            return redirect("referrals:detail", referral.pk)
    kinds = sorted({o.org_type for o in recipients})
    consent = [(OrgType(k).label, consent_check(subject=case.subject,
                                                purpose=ConsentPurpose.REFERRAL,
                                                recipient_type=k)) for k in kinds]
    return render(request, "referrals/new.html", {
        "case": case, "form": form, "consent": consent, "consent_form": consent_form,
        "is_supervisor": Role.SUPERVISOR in roles_in(request.user, case.organisation)},
        status=400 if form.is_bound and (form.errors or consent_form.errors) else 200)


def _detail_context(request, referral, side, **extra):
    context = {
        "referral": referral, "side": side,
        "overdue": queries.is_overdue(referral),
        "may_answer": side == RECIPIENT and queries.may_answer(request.user, referral),
        "is_sender_supervisor": side == SENDER
        and Role.SUPERVISOR in roles_in(request.user, referral.sender),
        "shared": queries.shared_sections(referral) if side == RECIPIENT else None,
        "decline_form": DeclineForm(),
        # An agency's point of contact cannot open case files: the linked case is named, not
        # linked, for them (a link would lead to a 404).
        "opens_linked_case": side == RECIPIENT and referral.recipient_case_id is not None
        and may_work_on(request.user, referral.recipient_case),
    }
    context.update(thread_context(request, referral, side))
    context.update(extra)
    return context


@login_required
def referral_detail(request, pk):
    referral, side = referral_for_user(request.user, pk)
    if side == RECIPIENT and not queries.shares_now(referral) and referral.status != "completed" \
            and referral.status != "declined":
        # Revoked or expired: nothing of the person remains visible to the recipient.
        raise Http404
    return render(request, "referrals/detail.html", _detail_context(request, referral, side))


def _act(request, pk, side_needed, action):
    referral, side = referral_for_user(request.user, pk)
    if side_needed and side != side_needed:
        raise Http404
    try:
        action(referral)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        return True, referral
    return False, referral


@login_required
@require_POST
def accept(request, pk):
    ok, referral = _act(request, pk, RECIPIENT,
                        lambda r: services.referral_accept(referral=r, actor=request.user))
    if ok:
        messages.success(request, _("Referral accepted. Your organisation has its own linked "
                                    "case for it."))
    return redirect("referrals:detail", referral.pk)


@login_required
@require_POST
def decline(request, pk):
    referral, side = referral_for_user(request.user, pk)
    if side != RECIPIENT:
        raise Http404
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.referral_decline(referral=referral, actor=request.user,
                                      reason=form.cleaned_data["reason"],
                                      text=form.cleaned_data["text"])
            messages.success(request, _("Referral declined."))
            return redirect("referrals:detail", referral.pk)
        except ValidationError as exc:
            add_validation_error(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
    return render(request, "referrals/detail.html",
                  _detail_context(request, referral, side, decline_form=form), status=400)


@login_required
@require_POST
def complete(request, pk):
    ok, referral = _act(request, pk, None,
                        lambda r: services.referral_complete(referral=r, actor=request.user))
    if ok:
        messages.success(request, _("Referral completed."))
    return redirect("referrals:detail", referral.pk)


@login_required
@require_POST
def revoke(request, pk):
    ok, referral = _act(request, pk, SENDER,
                        lambda r: services.referral_revoke(referral=r, actor=request.user))
    if ok:
        messages.success(request, _("Referral revoked: the other organisation no longer sees "
                                    "anything of it."))
    return redirect("referrals:detail", referral.pk)


@login_required
def transfer(request, pk):
    referral, side = referral_for_user(request.user, pk)
    if side != SENDER:
        raise Http404
    form = TransferForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_transfer(referral=referral, actor=request.user,
                                       confirm=form.cleaned_data["confirm"])
            messages.success(request, _("The case now belongs to %(org)s.")
                             % {"org": referral.recipient.name})
            return redirect("referrals:list")
        except ValidationError as exc:
            add_validation_error(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
    return render(request, "referrals/transfer.html", {"referral": referral, "form": form},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
def document(request, pk, document_id):
    referral, side = referral_for_user(request.user, pk)
    if side != RECIPIENT:
        raise Http404
    doc = queries.shared_document(referral, document_id)
    return document_response(user=request.user, doc=doc, screen="referrals:document")


@login_required
def referral_settings(request):
    org, orgs = organisation_from_request(request, services.SETTINGS_ROLES)
    conf = queries.settings_for(org)
    form = SettingsForm(request.POST or None, initial={
        "urgent_hours": conf.urgent_hours, "normal_working_days": conf.normal_working_days,
        "low_working_days": conf.low_working_days})
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_settings_set(org=org, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Response times saved."))
            return redirect(f"{request.path}?organisation={org.pk}")
        except ValidationError as exc:
            add_validation_error(form, exc)
    return render(request, "referrals/settings.html", {"org": org, "orgs": orgs, "form": form},
                  status=400 if form.is_bound and form.errors else 200)
