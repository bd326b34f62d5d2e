"""Statistics' words in core's label registry (core.labels): the CTDC/HTCDS codes that the
de-identified records carry and that charts, tables and exports for people show."""

from django.utils.translation import gettext_lazy as _

from bridgeway.core.labels import register_codes

register_codes("stats.gender", {
    "Female": _("Female"), "Male": _("Male"),
    "TransgenderNonConforming": _("Transgender or non-conforming"),
})
register_codes("stats.majority", {"Adult": _("Adult"), "Minor": _("Minor")})
# Chart categories (codes.py keeps CTDC's English words for the files it writes).
register_codes("stats.means_of_control", {
    "DebtBondage": _("Debt bondage"), "TakesEarnings": _("Takes earnings"),
    "RestrictsFinancialAccess": _("Restricts financial access"), "Threats": _("Threats"),
    "PsychologicalAbuse": _("Psychological abuse"), "PhysicalAbuse": _("Physical abuse"),
    "SexualAbuse": _("Sexual abuse"), "FalsePromises": _("False promises"),
    "PsychoactiveSubstances": _("Psychoactive substances"),
    "RestrictsMovement": _("Restricts movement"),
    "RestrictsMedicalCare": _("Restricts medical care"),
    "ExcessiveWorkingHours": _("Excessive working hours"), "UsesChildren": _("Uses children"),
    "ThreatOfLawEnforcement": _("Threat of law enforcement"),
    "WithholdsNecessities": _("Withholds necessities"),
    "WithholdsDocuments": _("Withholds documents"), "Other": _("Other"),
    "NotSpecified": _("Not specified"),
})
register_codes("stats.exploitation", {
    "ForcedLabour": _("Forced labour"), "SexualExploit": _("Sexual exploitation"),
    "OtherExploit": _("Other exploitation"), "SexAndLabour": _("Sexual exploitation and labour"),
    "ForcedMarriage": _("Forced marriage"), "ForcedMilitary": _("Forced military"),
    "OrganRemoval": _("Organ removal"), "SlaveryAndPractices": _("Slavery and similar practices"),
})
register_codes("stats.recruiter", {
    "IntimatePartner": _("Intimate partner"), "Friend": _("Friend"), "Family": _("Family"),
    "Other": _("Other"), "Unknown": _("Unknown"),
})
