from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.utils.translation import gettext as _


def add_validation_error(form: BaseForm, exc: ValidationError, renamed: dict | None = None) -> None:
    """Shows a service's ValidationError on the form, against the field it names if it has one
    (`renamed` maps a service's name for a field to the form's, where they differ)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            field = (renamed or {}).get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def add_validation_error_to(exc: ValidationError, first: BaseForm, *others: BaseForm) -> None:
    """A service's ValidationError on a page with several forms (a case's intake with its
    consent): each message goes to the form that has the field it names; the rest to `first`."""
    if not hasattr(exc, "error_dict"):
        first.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        target = next((f for f in others if field in f.fields), first)
        target.add_error(field if field in target.fields else None, errors)


# Query parameters every list understands besides its filters (pagination, DRF's format).
LIST_PARAMETERS = frozenset({"page", "format"})


def present_parameters(params):
    """A copy of a query string without its empty parameters: `?status=` means no filter."""
    params = params.copy()
    for key in [k for k, values in params.lists() if all(v == "" for v in values)]:
        del params[key]
    return params


def filter_errors(params, bound, *, allowed=LIST_PARAMETERS) -> dict[str, list[str]]:
    """The reasons a list cannot be filtered as asked, by parameter name: each value the bound
    filter form or serializer refused, and each parameter it does not have (unless `allowed`).
    `bound` is bound to `present_parameters(params)` and validated."""
    errors = {str(k): [str(m) for m in v] for k, v in bound.errors.items()}
    for key in present_parameters(params):
        if key not in bound.fields and key not in allowed:
            errors[key] = [_("This list has no filter of this name.")]
    return errors


def refuse_bad_filters(request, form) -> bool:
    """For a list page: True, with a message naming each filter whose value cannot be used, when
    the filter form is invalid; the page then lists nothing rather than silently everything.
    Only values are checked here: a page's own parameters (an organisation, a search) are not
    filters of its form."""
    errors = filter_errors(request.GET, form, allowed=frozenset(request.GET))
    if not errors:
        return False
    labels = [str(form.fields[k].label) if k in form.fields else k for k in errors]
    messages.error(request, _("These filters have values this list does not know: %(filters)s. "
                              "Nothing is listed; change or clear them.")
                   % {"filters": ", ".join(labels)})
    return True
