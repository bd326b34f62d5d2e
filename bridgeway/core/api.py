from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's handler, with Django ValidationErrors turned into 400s that name the field."""
    if isinstance(exc, DjangoValidationError):
        # Not about one field: `detail` is one string, as everywhere else in the API.
        detail = exc.message_dict if hasattr(exc, "error_dict") else \
            {"detail": " ".join(exc.messages)}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


def list_filters(request, filters, **kwargs):
    """The filters of an API list, validated: `filters` is a serializer class, or the filter
    form class of the matching screen (one set of rules for both). A value it refuses, or a
    parameter it does not have, is a 400 naming each parameter, never a list that silently
    ignores the filter. Returns the bound form or serializer (cleaned_data / validated_data);
    empty parameters count as absent."""
    from django.forms import BaseForm
    from rest_framework import exceptions

    from bridgeway.core.forms import filter_errors, present_parameters

    params = present_parameters(request.query_params)
    if isinstance(filters, type) and issubclass(filters, BaseForm):
        bound = filters(params, **kwargs)
    else:
        bound = filters(data=params, **kwargs)
    bound.is_valid()
    errors = filter_errors(request.query_params, bound)
    if errors:
        raise exceptions.ValidationError(errors)
    return bound


class NoFilters(serializers.Serializer):
    """The filters of a list that has none: any parameter but the page is refused."""


class RefusesUnknownFilters:
    """For a list with no filters of its own: `?unread=1` is a 400 naming the parameter, not the
    whole list as if it had been filtered."""

    def list(self, request, *args, **kwargs):
        list_filters(request, NoFilters)
        return super().list(request, *args, **kwargs)
