"""The referral thread on screen: posting (works without JavaScript) and attachment downloads.
The messages themselves are shown on the referral's detail page."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bridgeway.core.forms import add_validation_error
from bridgeway.protection.responses import document_response
from bridgeway.referrals import thread
from bridgeway.referrals.models import ReferralMessage


class MessageForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Message"), required=False,
                           widget=forms.Textarea(attrs={"rows": 4,
                                                        "maxlength": ReferralMessage.MAX_BODY}),
                           help_text=gettext_lazy("Only the two organisations of this referral "
                                                  "read it. Encrypted."))
    attachment = forms.FileField(label=gettext_lazy("Attachment (optional)"), required=False)


def thread_context(request, referral, side, form=None) -> dict:
    """What the detail page needs to show the thread (reading marks the messages as read)."""
    if side == "recipient" and referral.status not in thread.RECIPIENT_READS:
        return {}
    return {"thread": thread.thread_read(referral=referral, side=side, user=request.user),
            "may_post": thread.may_post(referral),
            "message_form": form or MessageForm()}


@login_required
@require_POST
def message_post(request, pk):
    referral, side = thread.thread_for_user(request.user, pk)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            thread.message_post(referral=referral, actor=request.user,
                                body=form.cleaned_data["body"],
                                attachment=form.cleaned_data["attachment"])
        except ValidationError as exc:
            add_validation_error(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Message sent."))
            return redirect(reverse("referrals:detail", args=[referral.pk]) + "#thread-h")
    # Deferred: views.referral imports this module for thread_context.
    from bridgeway.referrals.views.referral import _detail_context

    return render(request, "referrals/detail.html",
                  _detail_context(request, referral, side, message_form=form), status=400)


@login_required
def attachment(request, pk, message_id):
    referral, side = thread.thread_for_user(request.user, pk)
    doc = thread.message_attachment(referral, message_id)
    return document_response(user=request.user, doc=doc, screen="referrals:message-attachment")
