from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bridgeway.core.form_renderer import attrs_html


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


class StaticSelect(forms.Select):
    """A select for a long, fixed list (countries, languages): its options are written once per
    list and language and reused, and only the chosen options are marked on each render. The same
    HTML as Django's select template (tests/core/test_static_select.py compares them); a list of
    250 countries otherwise costs about a millisecond per select per request to build and write.
    The choices must not depend on the request beyond the language: give them as a function
    (`choices=some_function`, built only when a value is checked) or a list."""

    _written: dict[tuple, str] = {}
    _MAX = 256

    def render(self, name, value, attrs=None, renderer=None):
        options = self._options()
        for chosen in dict.fromkeys(self.format_value(value)):
            needle = f'<option value="{conditional_escape(chosen)}">'
            options = options.replace(needle, needle[:-1] + " selected>", 1)
        final = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final["multiple"] = True
        head = f'<select name="{conditional_escape(name)}"{attrs_html(final)}>'
        return mark_safe(f"{head}{options}\n</select>")  # noqa: S308 - escaped when written

    def _options(self) -> str:
        # Choices given as a function (the usual case: a module-level function per list) are
        # kept by that function and the language, without building the list at all; others by
        # their values and labels.
        func = getattr(self.choices, "func", None)
        pairs: tuple = ()
        if func is None:
            pairs = tuple((str(v), str(label)) for v, label in self.choices)
        key = (get_language(), func or pairs)
        written = self._written.get(key)
        if written is None:
            if func is not None:
                pairs = tuple((str(v), str(label)) for v, label in self.choices)
            written = "".join(f'\n  <option value="{conditional_escape(v)}">'
                              f"{conditional_escape(label)}</option>" for v, label in pairs)
            if len(self._written) >= self._MAX:
                self._written.clear()
            self._written[key] = written
        return written


class StaticSelectMultiple(StaticSelect):
    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        return forms.SelectMultiple.value_from_datadict(self, data, files, name)  # type: ignore[arg-type]

    def value_omitted_from_data(self, data, files, name):
        return False


class BlankFormKept(forms.Form):
    """A form whose blank rendering (not bound, no initial values given) depends on nothing but
    the language: it is written once per form class, prefix and language and reused. The case
    page writes four such forms on every view (note, service, formal decision, status) and the
    referral page one; each cost a few tenths of a millisecond of field and widget rendering.
    A bound form (with its errors) or one given initial values renders as usual. Only for forms
    whose fields, choices and initial values are fixed (no request, no database, no date)."""

    _blank_written: dict[tuple, str] = {}

    def render(self, template_name=None, context=None, renderer=None):
        if self.is_bound or self.initial or template_name or context or renderer:
            return super().render(template_name, context, renderer)
        key = (type(self), self.prefix, self.auto_id, self.label_suffix,
               self.use_required_attribute, type(self.renderer), get_language())
        html = self._blank_written.get(key)
        if html is None:
            html = self._blank_written[key] = super().render()
        return html

    __str__ = render
    __html__ = render
