from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from bridgeway.accounts.mfa import user_has_mfa, user_requires_mfa


class IsAuthenticatedWithMfa(permissions.IsAuthenticated):
    """Callers whose role needs MFA must have it set up, whether they use a session or a token."""

    message = _("Set up two-factor authentication before using the API.")

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        # Also for tokens: a token made before its owner gained a role that needs MFA stops
        # working until the owner sets MFA up.
        return not user_requires_mfa(request.user) or user_has_mfa(request.user)


def exception_handler(exc, context):
    """DRF's handler, with Django ValidationErrors turned into 400s that name the field."""
    from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
    from django.core.exceptions import ValidationError as DjangoValidationError
    from rest_framework import exceptions
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DjangoValidationError):
        # Not about one field: `detail` is one string, as everywhere else in the API.
        detail = exc.message_dict if hasattr(exc, "error_dict") else \
            {"detail": " ".join(exc.messages)}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)
