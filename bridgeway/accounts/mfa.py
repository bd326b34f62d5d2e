"""Who must use MFA, and whether they have it."""

from allauth.mfa.models import Authenticator

from bridgeway.orgs.codes import MFA_ROLES
from bridgeway.orgs.queries import user_roles

_CACHE_ATTR = "_bridgeway_has_mfa"


def user_requires_mfa(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or bool(user_roles(user) & MFA_ROLES)


def user_has_mfa(user) -> bool:
    """Asked by the middleware and again by the API permission: answered once per request (the
    user object lives for one request)."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        setattr(user, _CACHE_ATTR, cached)
    return cached
