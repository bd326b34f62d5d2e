"""Small helpers every app's views, API and queries share."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse

from bridgeway.core.forms import add_validation_error


def get_or_404[M: Model](queryset: QuerySet[M, M], **lookups: Any) -> M:
    """The one row of `queryset` matching `lookups` (usually `pk=`), or Http404. A malformed id
    (not a number, not a UUID) is a 404 too, never a server error: to an outsider a bad id, a
    missing row and a row they may not see all look the same."""
    try:
        return queryset.get(**lookups)
    except (ObjectDoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None


def submit(request: HttpRequest, form: BaseForm, write: Callable[[dict], object], *,
           success: str, then: Callable[[], HttpResponse],
           rerender: Callable[[BaseForm], HttpResponse],
           refusal_as_message: bool = False,
           passthrough: tuple[type[Exception], ...] = ()) -> HttpResponse:
    """The shape of a screen's write: a bound form that is valid goes to `write` (a service call
    taking the cleaned data); success shows `success` and returns `then()` (a redirect); a
    ValidationError lands on the form against the field it names and `rerender(form)` shows the
    form again. A PermissionDenied propagates (403) unless `refusal_as_message`, which shows it as
    an error message above the re-rendered form. `passthrough` names exceptions the caller
    handles itself (an edit conflict, a ValidationError that needs its own page)."""
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except passthrough:
            raise
        except ValidationError as exc:
            add_validation_error(form, exc)
        except PermissionDenied as exc:
            if not refusal_as_message:
                raise
            messages.error(request, str(exc))
        else:
            messages.success(request, success)
            return then()
    return rerender(form)


def apply_changes(obj: Model, values: dict[str, Any],
                  allowed: Iterable[str] | None = None) -> list[str]:
    """Sets on `obj` the values that differ from what it holds (only the fields in `allowed`, when
    given; others are ignored) and returns the names of the fields that changed, in the order of
    `values`. The caller saves and writes its audit event (with its own literal code) only if
    something changed."""
    fields = None if allowed is None else set(allowed)
    changed = [name for name, value in values.items()
               if (fields is None or name in fields) and getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return changed
