"""Statistics' words in core's label registry (core.labels): the CTDC/HTCDS codes that the
de-identified records carry and that charts, tables and exports for people show."""

from django.utils.translation import gettext_lazy as _

from bridgeway.core.labels import register_codes, register_sentences

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

register_sentences({
    "stats.budget.set": _("%(who)s set the privacy budget"),
    "stats.dataset.deleted": _("%(who)s deleted a dataset"),
    "stats.dataset.imported": _("%(who)s imported a dataset"),
    "stats.export.created": _("%(who)s exported statistics"),
    "stats.export.downloaded": _("%(who)s downloaded a prepared export"),
    "stats.export.interrupted": _("%(who)s: an export was interrupted because its worker stopped"),
    "stats.export.personal": _("%(who)s exported statistics with personal data"),
    "stats.export.queued": _("%(who)s handed a large export to the background worker"),
    "stats.export.resumed": _("%(who)s: an export resumed after an interruption"),
    "stats.import.interrupted": _("%(who)s: an import was interrupted because its worker stopped"),
    "stats.import.resumed": _("%(who)s: an import resumed after an interruption"),
    "stats.live.refreshed": _("%(who)s refreshed the statistics from case work"),
    "stats.release.approved": _("%(who)s approved a release"),
    "stats.release.created": _("%(who)s prepared a release"),
    "stats.release.published": _("%(who)s published a release"),
})
