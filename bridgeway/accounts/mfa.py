"""Who must use MFA, and whether they have it."""

from typing import cast

from allauth.mfa.models import Authenticator
from django.db import connections, router
from django.db.models import Field

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
        # Asked on every signed-in request: the statement is written once, not compiled by the
        # ORM each time (about a third of a millisecond of CPU); the same rows answer it.
        with connections[router.db_for_read(Authenticator)].cursor() as cursor:
            cursor.execute(_has_totp_sql(cursor.db.vendor, cursor.db.ops.quote_name),
                           [user.pk, Authenticator.Type.TOTP.value])
            cached = cursor.fetchone() is not None
        setattr(user, _CACHE_ATTR, cached)
    return cached


_HAS_TOTP_SQL: dict[str, str] = {}


def _has_totp_sql(vendor: str, quote) -> str:
    """Kept per database vendor (not per connection: a thread's connection object is new, and
    a cache keyed on it would keep every one alive)."""
    if vendor in _HAS_TOTP_SQL:
        return _HAS_TOTP_SQL[vendor]
    meta = Authenticator._meta
    user, kind = (cast(Field, meta.get_field(name)).column for name in ("user", "type"))
    sql = (f"SELECT 1 FROM {quote(meta.db_table)} "  # noqa: S608 (names from the model only)
           f"WHERE {quote(cast(str, user))} = %s AND {quote(cast(str, kind))} = %s LIMIT 1")
    return _HAS_TOTP_SQL.setdefault(vendor, sql)
