from allauth.account.decorators import reauthentication_required
from allauth.account.views import LoginView as AllauthLoginView
from allauth.mfa.base.views import AuthenticateView as AllauthMfaAuthenticateView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridgeway.accounts import services
from bridgeway.accounts.forms import ApiTokenForm, ProfileForm
from bridgeway.accounts.mfa import user_has_mfa, user_requires_mfa
from bridgeway.accounts.models import ApiToken
from bridgeway.core.shortcuts import get_or_404
from bridgeway.orgs.queries import active_memberships


@login_required
def account_settings(request):
    user = request.user
    form = ProfileForm(request.POST or None, initial={
        "full_name": user.full_name, "preferred_language": user.preferred_language or "en"})
    if request.method == "POST" and form.is_valid():
        services.user_profile_update(user=user, full_name=form.cleaned_data["full_name"],
                                     language=form.cleaned_data["preferred_language"])
        messages.success(request, _("Saved."))
        return redirect("accounts:settings")
    return render(request, "accounts/settings.html", {
        "form": form,
        "memberships": active_memberships(user),
        "has_mfa": user_has_mfa(user),
        "requires_mfa": user_requires_mfa(user),
        "tokens": ApiToken.objects.filter(user=user, revoked_at__isnull=True),
        "token_form": ApiTokenForm(),
    })


@login_required
@reauthentication_required
def token_create(request):
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, secret = services.api_token_create(user=request.user, name=form.cleaned_data["name"],
                                                  days=form.cleaned_data["days"])
        response = render(request, "accounts/token_created.html", {"token": token,
                                                                    "secret": secret})
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "accounts/token_form.html", {"form": form},
                  status=400 if form.is_bound else 200)


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_or_404(ApiToken.objects.all(), user=request.user, pk=pk)
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:settings")


@require_POST
def set_language(request):
    """Switches the interface language; for a signed-in person the choice is saved."""
    lang = request.POST.get("language", "")
    if lang not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest("Unknown language.")
    nxt = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(nxt, {request.get_host()}, request.is_secure()):
        nxt = "/"
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=lang)
    translation.activate(lang)
    response = redirect(nxt)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, lang, max_age=365 * 24 * 3600,
        secure=settings.LANGUAGE_COOKIE_SECURE, samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        httponly=True,
    )
    return response
def _too_many(response, request):
    """A throttled or locked-out attempt is a 429 with the time to wait (the page says when)."""
    response.status_code = 429
    response["Retry-After"] = str(getattr(request, "bridgeway_retry_after", 60))
    return response


class LoginView(AllauthLoginView):
    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error("__all__", code="too_many_login_attempts"):
            return _too_many(response, self.request)
        return response


class MfaAuthenticateView(AllauthMfaAuthenticateView):
    def form_invalid(self, form):
        if not form.has_error("code", code="too_many_login_attempts"):
            return super().form_invalid(form)
        from bridgeway.accounts import throttle

        user = self.stage.login.user
        block = throttle.block_for(self.request, action="login_failed",
                                   key=f"mfa-auth-user-{user.pk}",
                                   reason_by_per={"ip": "address", "key": "mfa"})
        form.errors["code"] = form.error_class([str(throttle.refused(
            self.request, block=block, account=user, reason="mfa").message)])
        return _too_many(super().form_invalid(form), self.request)
