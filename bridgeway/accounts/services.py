import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from bridgeway.accounts.api_auth import TOKEN_PREFIX
from bridgeway.accounts.models import ApiToken, User
from bridgeway.protection.audit import audit_record


@transaction.atomic
def user_create(*, email: str, full_name: str, password: str, language: str = "") -> User:
    user = User.objects.create_user(email=email, password=password, full_name=full_name,
                                    preferred_language=language)
    audit_record(action="accounts.user.created", actor=user, obj=user)
    return user


@transaction.atomic
def user_set_language(*, user: User, language: str) -> None:
    if user.preferred_language == language:
        return
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    audit_record(action="accounts.user.language_changed", actor=user, obj=user,
                 payload={"language": language})


@transaction.atomic
def user_profile_update(*, user: User, full_name: str, language: str) -> None:
    """The person's own settings page: their name and interface language, each audited when it
    changes (the name's audit event names the field, never the value)."""
    if full_name != user.full_name:
        user.full_name = full_name
        user.save(update_fields=["full_name"])
        audit_record(action="accounts.user.profile_changed", actor=user, obj=user,
                     payload={"fields": ["full_name"]})
    user_set_language(user=user, language=language)


@transaction.atomic
def user_set_active(*, user: User, actor: User, active: bool) -> None:
    """Blocks or unblocks a login (platform administrators). Memberships stay as they are."""
    if not actor.is_superuser:
        raise PermissionError("Only a platform administrator can block or unblock a login.")
    if user.pk == actor.pk and not active:
        raise ValueError("A platform administrator cannot block their own login.")
    stored = User.objects.select_for_update().get(pk=user.pk)
    if stored.is_active == active:
        return
    User.objects.filter(pk=user.pk).update(is_active=active)
    if not active:
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(action="accounts.user.reactivated" if active else "accounts.user.deactivated",
                 actor=actor, obj=user)


@transaction.atomic
def api_token_create(*, user: User, name: str, days: int = 90) -> tuple[ApiToken, str]:
    """Returns the token and its secret, which is shown once and never stored."""
    prefix = secrets.token_hex(5)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user, name=name, prefix=prefix, digest=ApiToken.digest_of(secret),
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit_record(action="accounts.api_token.created", actor=user, obj=token,
                 payload={"days": days})
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(action="accounts.api_token.revoked", actor=actor, obj=token)
