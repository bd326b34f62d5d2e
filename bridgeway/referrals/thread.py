"""The confidential thread of a referral: messages between its two sides, the "alternative
channel" when other channels fail.

Bodies are encrypted under the person's data key (erasure shreds them); attachments go through
protection's encrypted document storage with its type and size rules. The sender's side always
sees its thread; the recipient's side sees it while the referral is pending, accepted, completed
or declined, and gets 404 once it is revoked or expired — as for the shared sections. Posting is
possible only while the referral is pending or accepted. Notifications and audit events carry ids
only, never a body."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from bridgeway.core.queues import forget_menu
from bridgeway.core.shortcuts import get_or_404
from bridgeway.notifications.services import Kind as NotificationKind
from bridgeway.notifications.services import notify
from bridgeway.orgs.codes import Role
from bridgeway.orgs.models import Membership
from bridgeway.protection import services as protection
from bridgeway.protection.audit import audit_record
from bridgeway.protection.models import EncryptedDocument
from bridgeway.protection.registry import register_erasure
from bridgeway.referrals.codes import ACTIVE_STATUSES, Status
from bridgeway.referrals.models import MessageReceipt, Referral, ReferralMessage
from bridgeway.referrals.queries import RECIPIENT, SENDER, recipient_roles, referral_for_user

# Statuses in which the recipient's side still reads the thread (read-only when not active).
RECIPIENT_READS = (*ACTIVE_STATUSES, Status.COMPLETED, Status.DECLINED)


def side_org(referral: Referral, side: str):
    return referral.sender if side == SENDER else referral.recipient


def thread_for_user(user, pk) -> tuple[Referral, str]:
    """The referral and the user's side, when the user may read its thread; 404 otherwise."""
    referral, side = referral_for_user(user, pk)
    if side == RECIPIENT and referral.status not in RECIPIENT_READS:
        raise Http404
    return referral, side


def may_post(referral: Referral) -> bool:
    return referral.status in ACTIVE_STATUSES and referral.recipient_id is not None \
        and not referral.subject.is_erased


def side_people(referral: Referral, side: str) -> list:
    """Who is on one side of a referral, for notifications."""
    if side == RECIPIENT:
        if referral.recipient_id is None:
            return []
        return [m.user for m in Membership.objects.filter(
            organisation=referral.recipient, is_active=True,
            role__in=recipient_roles(referral.recipient)).select_related("user")]
    people = {m.user_id: m.user for m in Membership.objects.filter(
        organisation=referral.sender, is_active=True, role=Role.SUPERVISOR).select_related("user")}
    for user in referral.case.assignees.all():
        people.setdefault(user.pk, user)
    people.setdefault(referral.created_by_id, referral.created_by)
    return list(people.values())


@transaction.atomic
def message_post(*, referral: Referral, actor, body: str, attachment=None) -> ReferralMessage:
    """Posts a message on the actor's side. Validates everything first; a refused message writes
    nothing (the attachment is stored only once the body and status are known to be fine)."""
    referral, side = thread_for_user(actor, referral.pk)
    errors: dict[str, list[str]] = {}
    body = (body or "").strip()
    if referral.recipient_id is None:
        errors["status"] = [_("This organisation is not on the platform: nobody here would read "
                              "the thread.")]
    elif referral.status not in ACTIVE_STATUSES:
        errors["status"] = [_("This referral is %(status)s: its thread can be read but no longer "
                              "written to.") % {"status": referral.get_status_display()}]
    elif referral.subject.is_erased:
        errors["status"] = [_("This person's data was erased.")]
    if not body:
        errors["body"] = [_("Write a message.")]
    elif len(body) > ReferralMessage.MAX_BODY:
        errors["body"] = [_("The message is longer than 10,000 characters (%(n)s).")
                          % {"n": f"{len(body):,}"}]
    if errors:
        raise ValidationError(errors)
    document = None
    if attachment is not None:
        try:
            document = protection.document_upload(subject=referral.subject, actor=actor,
                                                  uploaded=attachment)
        except ValidationError as exc:
            messages = exc.message_dict.get("file") if hasattr(exc, "error_dict") \
                else exc.messages
            raise ValidationError({"attachment": messages}) from None
    org = side_org(referral, side)
    message = ReferralMessage(referral=referral, subject=referral.subject, author=actor,
                              author_org=org, side=side, attachment=document)
    message.body = body
    message.save()
    MessageReceipt.objects.create(message=message, user=actor, organisation=org)
    audit_record(action="referrals.message.posted", actor=actor, organisation=org, obj=message,
                 payload={"referral": str(referral.pk), "side": side,
                          "attachment": document is not None})
    other = RECIPIENT if side == SENDER else SENDER
    notify(users=[u for u in side_people(referral, other) if u.pk != actor.pk],
           kind=NotificationKind.REFERRAL_MESSAGE,
           link=reverse("referrals:detail", args=[referral.pk]),
           organisation=side_org(referral, other), reference=referral.reference,
           by_organisation=org)
    return message


def thread_read(*, referral: Referral, side: str, user) -> list[dict]:
    """The thread as the user sees it, oldest first; marks the messages as read by the user.
    Each decrypted body is recorded in the access log by the encrypted field itself."""
    org = side_org(referral, side)
    messages = list(ReferralMessage.objects.filter(referral=referral)
                    .select_related("author", "author_org", "subject", "attachment")
                    .prefetch_related("receipts__user", "receipts__organisation"))
    erased = referral.subject.is_erased
    out = []
    for m in messages:
        if not any(r.user_id == user.pk for r in m.receipts.all()):
            try:
                with transaction.atomic():
                    MessageReceipt.objects.create(message=m, user=user, organisation=org)
                forget_menu(user)  # the menu counts unread messages
            except IntegrityError:  # read at the same moment in another request
                pass
        # The author's side sees who on the other side read it, and when.
        read_by = [{"organisation": r.organisation.name, "person": r.user.full_name or "",
                    "read_at": r.read_at}
                   for r in m.receipts.all() if r.organisation_id != m.author_org_id] \
            if m.side == side else []
        out.append({
            "id": m.pk, "side": m.side, "mine": m.side == side,
            "organisation": m.author_org.name, "author": m.author.full_name or "",
            "body": None if erased else m.body, "created_at": m.created_at,
            "attachment": None if m.attachment is None or erased else {
                "id": m.attachment.pk, "content_type": m.attachment.content_type,
                "size": m.attachment.size},
            "read_by": read_by,
        })
    return out


def message_attachment(referral: Referral, message_id) -> EncryptedDocument:
    message = get_or_404(ReferralMessage.objects.select_related("attachment__subject"),
                         pk=message_id, referral=referral, attachment__isnull=False)
    if message.attachment.subject.is_erased:
        raise Http404
    return message.attachment


@register_erasure
def _erase_thread(subject) -> None:
    ReferralMessage.objects.filter(subject=subject).update(body=None)
