"""Small helpers every app's views, API and queries share."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404


def get_or_404[M: Model](queryset: QuerySet[M, M], **lookups: Any) -> M:
    """The one row of `queryset` matching `lookups` (usually `pk=`), or Http404. A malformed id
    (not a number, not a UUID) is a 404 too, never a server error: to an outsider a bad id, a
    missing row and a row they may not see all look the same."""
    try:
        return queryset.get(**lookups)
    except (ObjectDoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None
