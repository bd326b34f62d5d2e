"""Country (ISO 3166-1 alpha-2) → UN M49 sub-region and region, as data.

Source: United Nations Statistics Division, "Standard country or area codes for statistical
use" (M49), https://unstats.un.org/unsd/methodology/m49/ . Only the countries this platform's
networks meet most often are listed; any other country generalises to "Other (M49 table)".
"""

from django.utils.translation import gettext_lazy as _

SUBREGIONS = {
    "EE_EU": _("Eastern Europe"), "N_EU": _("Northern Europe"), "S_EU": _("Southern Europe"),
    "W_EU": _("Western Europe"), "W_AS": _("Western Asia"), "C_AS": _("Central Asia"),
    "S_AS": _("Southern Asia"), "SE_AS": _("South-eastern Asia"), "E_AS": _("Eastern Asia"),
    "N_AF": _("Northern Africa"), "SS_AF": _("Sub-Saharan Africa"),
    "LAC": _("Latin America and the Caribbean"), "N_AM": _("Northern America"),
    "OC": _("Oceania"),
}
REGION_OF_SUBREGION = {
    "EE_EU": "EU", "N_EU": "EU", "S_EU": "EU", "W_EU": "EU", "W_AS": "AS", "C_AS": "AS",
    "S_AS": "AS", "SE_AS": "AS", "E_AS": "AS", "N_AF": "AF", "SS_AF": "AF", "LAC": "AM",
    "N_AM": "AM", "OC": "OC",
}
REGIONS = {"EU": _("Europe"), "AS": _("Asia"), "AF": _("Africa"), "AM": _("Americas"),
           "OC": _("Oceania")}
OTHER = "OTHER"

_TABLE = {
    "EE_EU": "BG BY CZ HU MD PL RO RU SK UA",
    "N_EU": "DK EE FI GB IE IS LT LV NO SE",
    "S_EU": "AL BA ES GR HR IT ME MK MT PT RS SI XK",
    "W_EU": "AT BE CH DE FR LI LU MC NL",
    "W_AS": "AM AZ CY GE IQ IL JO KW LB SA SY TR AE YE",
    "C_AS": "KZ KG TJ TM UZ",
    "S_AS": "AF BD IN IR LK NP PK",
    "SE_AS": "ID KH LA MM MY PH SG TH VN",
    "E_AS": "CN JP KP KR MN",
    "N_AF": "DZ EG LY MA SD TN",
    "SS_AF": "AO BF BJ CD CI CM ER ET GH GM GN KE ML MZ NE NG SL SN SO SS TZ UG ZA ZW",
    "LAC": "AR BO BR CL CO CU DO EC GT HN HT MX NI PE PY SV VE",
    "N_AM": "CA US",
    "OC": "AU FJ NZ PG",
}
SUBREGION_OF = {country: sub for sub, countries in _TABLE.items() for country in countries.split()}


def subregion(country: str) -> str:
    return SUBREGION_OF.get(country, OTHER) if country else ""


def region(country: str) -> str:
    sub = SUBREGION_OF.get(country)
    return REGION_OF_SUBREGION[sub] if sub else (OTHER if country else "")
