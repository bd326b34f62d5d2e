from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from bridgeway.accounts.mfa import user_has_mfa, user_requires_mfa


class MfaRequiredMiddleware:
    """Anyone whose role can reach personal data must set up MFA before doing anything else."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (user.is_authenticated and not request.path.startswith(self.ALLOWED_PREFIXES)
                and user_requires_mfa(user) and not user_has_mfa(user)):
            if request.path.startswith("/api/"):
                if request.headers.get("Authorization"):
                    return self.get_response(request)  # token auth: checked by the API itself
                return JsonResponse(
                    {"detail": _("Set up two-factor authentication before using the API.")},
                    status=403)
            messages.warning(request, _("Your role gives access to personal data, so you must "
                                        "set up two-factor authentication before you continue."))
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
