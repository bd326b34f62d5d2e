import hmac

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from bridgeway.accounts.mfa import user_has_mfa, user_requires_mfa
from bridgeway.accounts.models import ApiToken

TOKEN_PREFIX = "bw_"


def parse_token(raw: str) -> tuple[str, str] | None:
    """`bw_<prefix>_<secret>` -> (prefix, whole token)."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    parts = raw[len(TOKEN_PREFIX):].split("_", 1)
    if len(parts) != 2 or not parts[0] or not parts[1]:
        return None
    return parts[0], raw


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        parsed = parse_token(header[1].decode("ascii", errors="replace"))
        invalid = exceptions.AuthenticationFailed(_("Invalid or expired token."))
        if parsed is None:
            raise invalid
        prefix, whole = parsed
        token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
        if token is None or not hmac.compare_digest(token.digest, ApiToken.digest_of(whole)):
            raise invalid
        if not token.is_usable or not token.user.is_active:
            raise invalid
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Describes the token scheme in the OpenAPI schema."""

    target_class = "bridgeway.accounts.api_auth.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Token bw_…` — create one under My account → API tokens."}


class IsAuthenticatedWithMfa(permissions.IsAuthenticated):
    """Callers whose role needs MFA must have it set up, whether they use a session or a token."""

    message = gettext_lazy("Set up two-factor authentication before using the API.")

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        # Also for tokens: a token made before its owner gained a role that needs MFA stops
        # working until the owner sets MFA up.
        return not user_requires_mfa(request.user) or user_has_mfa(request.user)
