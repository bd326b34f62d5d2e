"""Built into every template (settings.TEMPLATES "builtins"): words for stored codes and dates
as the reader reads them. `{{ case.status|label:"cases.status" }}`, `{{ codes|labels:"country" }}`,
`{{ person.birth_date|day }}`, `{{ entry.at|when }}`, `{{ referral.deadline|due }}`."""

from django import template

from bridgeway.core import dates
from bridgeway.core import labels as _labels

register = template.Library()


@register.filter
def label(code, kind=None) -> str:
    return _labels.label(code, kind or None)


@register.filter
def labels(codes, kind=None) -> str:
    if isinstance(codes, str):
        codes = [codes]
    return ", ".join(_labels.labels(codes, kind or None))


@register.filter
def day(value) -> str:
    return dates.day(value)


@register.filter
def when(value) -> str:
    return dates.when(value)


@register.filter
def due(value) -> str:
    return dates.due(value)
