"""Who must use MFA, and whether they have it."""

from allauth.mfa.models import Authenticator

from bridgeway.orgs.queries import user_roles


def user_requires_mfa(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    from bridgeway.orgs.codes import MFA_ROLES

    return user.is_superuser or bool(user_roles(user) & MFA_ROLES)


def user_has_mfa(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
