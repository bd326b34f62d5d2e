"""Coded values: HTCDS organisation types, roles, services, ISO 3166 countries and ISO 639 languages.

Stored values are the codes; labels are translated. Country and language names come from
pycountry's ISO data and its translations (iso3166-1 and iso639-3 gettext domains).
"""

from __future__ import annotations

import gettext
from functools import cache

import pycountry
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class OrgType(models.TextChoices):
    # HTCDS v2.0 org_Type value names
    NGO = "NGO", _("NGO")
    LAW_ENFORCEMENT = "LawEnforcement", _("Law enforcement")
    HEALTH_SERVICE = "HealthServiceOrganisation", _("Health service organisation")
    CENTRAL_GOVERNMENT = "CentralGovernmentOrganisation", _("Central government organisation")
    LOCAL_GOVERNMENT = "LocalGovernmentOrganisation", _("Local government organisation")
    IMMIGRATION_SERVICE = "ImmigrationService", _("Immigration service")
    LEGAL_SERVICE = "LegalService", _("Legal service")
    CORPORATE_BUSINESS = "CorporateBusiness", _("Corporate business")
    SCHOOL_OR_COLLEGE = "SchoolOrCollege", _("School or college")
    # Bridgeway additions
    INTERNATIONAL_ORGANISATION = "InternationalOrganisation", _("International organisation")
    CSO_NETWORK = "CSONetwork", _("CSO network")


# Kinds of organisation whose staff act as state or international agency points of contact.
AGENCY_TYPES = frozenset({
    OrgType.LAW_ENFORCEMENT, OrgType.HEALTH_SERVICE, OrgType.CENTRAL_GOVERNMENT,
    OrgType.LOCAL_GOVERNMENT, OrgType.IMMIGRATION_SERVICE, OrgType.LEGAL_SERVICE,
    OrgType.INTERNATIONAL_ORGANISATION,
})


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    SUPERVISOR = "supervisor", _("Supervisor")
    DPO = "dpo", _("Data protection officer")
    ORG_ADMIN = "org_admin", _("Organisation administrator")
    AGENCY_POC = "agency_poc", _("Agency point of contact")
    NETWORK_COORDINATOR = "network_coordinator", _("Network coordinator")
    RESEARCHER = "researcher", _("Researcher")


# Roles that can see personal data (directly, or through audited actions, or by granting roles
# that can): a login in any of them must use MFA.
MFA_ROLES = frozenset({Role.CASEWORKER, Role.SUPERVISOR, Role.DPO, Role.ORG_ADMIN, Role.AGENCY_POC})
ADMIN_ROLES = frozenset({Role.ORG_ADMIN})
AUDIT_READER_ROLES = frozenset({Role.ORG_ADMIN, Role.DPO})


def role_allowed_for(role: str, org_type: str) -> bool:
    if role == Role.AGENCY_POC:
        return org_type in AGENCY_TYPES
    if role == Role.NETWORK_COORDINATOR:
        return org_type == OrgType.CSO_NETWORK
    if role in (Role.CASEWORKER, Role.SUPERVISOR):
        return org_type != OrgType.CSO_NETWORK
    return True


class Service(models.TextChoices):
    SHELTER = "shelter", _("Shelter")
    MEDICAL = "medical", _("Medical care")
    PSYCHOLOGICAL = "psychological", _("Psychological support")
    LEGAL = "legal", _("Legal assistance")
    EDUCATION = "education", _("Education")
    JOB_COUNSELLING = "job_counselling", _("Job counselling")
    ECONOMIC_EMPOWERMENT = "economic_empowerment", _("Economic empowerment")
    INTERPRETATION = "interpretation", _("Interpretation")
    FINANCIAL = "financial", _("Financial assistance")
    HELPLINE = "helpline", _("Helpline")
    OUTREACH = "outreach", _("Outreach")
    RETURN_REINTEGRATION = "return_reintegration", _("Return and reintegration")
    IDENTIFICATION = "identification", _("Identification")


def _catalogue(domain: str) -> gettext.NullTranslations:
    lang = (get_language() or "en").split("-")[0]
    return _translations(domain, lang)


@cache
def _translations(domain: str, lang: str) -> gettext.NullTranslations:
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[lang], fallback=True)


def is_country(code: str) -> bool:
    return isinstance(code, str) and len(code) == 2 and code.isupper() and \
        pycountry.countries.get(alpha_2=code) is not None


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code) if code else None
    if country is None:
        return code
    return _catalogue("iso3166-1").gettext(country.name)


def country_choices() -> list[tuple[str, str]]:
    """Every country by name in the active language (worked out once per language)."""
    return list(_country_choices((get_language() or "en").split("-")[0]))


@cache
def _country_choices(lang: str) -> tuple[tuple[str, str], ...]:
    names = _translations("iso3166-1", lang)
    return tuple(sorted(((c.alpha_2, names.gettext(c.name)) for c in pycountry.countries),
                        key=lambda item: item[1]))


@cache
def _languages_by_code() -> dict[str, object]:
    """ISO 639-1 two-letter codes, plus ISO 639-3 codes for languages that have no 639-1 code."""
    found: dict[str, object] = {}
    for lang in pycountry.languages:
        code = getattr(lang, "alpha_2", None)
        if code:
            found[code] = lang
        elif getattr(lang, "type", "") == "L" and getattr(lang, "scope", "") == "I":
            found[lang.alpha_3] = lang
    return found


def is_language(code: str) -> bool:
    return isinstance(code, str) and code in _languages_by_code()


def language_name(code: str) -> str:
    lang = _languages_by_code().get(code)
    if lang is None:
        return code
    return _catalogue("iso639-3").gettext(lang.name)  # type: ignore[attr-defined]


def language_choices() -> list[tuple[str, str]]:
    """Two-letter languages only: the list people pick from; three-letter codes via the API.
    Worked out once per language."""
    return list(_language_choices((get_language() or "en").split("-")[0]))


@cache
def _language_choices(lang: str) -> tuple[tuple[str, str], ...]:
    names = _translations("iso639-3", lang)
    return tuple(sorted(((code, names.gettext(lang_.name))  # type: ignore[attr-defined]
                         for code, lang_ in _languages_by_code().items() if len(code) == 2),
                        key=lambda item: item[1]))
