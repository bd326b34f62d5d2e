from django import template

from bridgeway.orgs.codes import country_name as _country_name
from bridgeway.orgs.codes import language_name as _language_name

register = template.Library()


@register.filter
def country_name(code: str) -> str:
    return _country_name(code)


@register.filter
def language_name(code: str) -> str:
    return _language_name(code)
