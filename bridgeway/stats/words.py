"""Statistics' words in core's label registry (core.labels): the CTDC/HTCDS codes that the
de-identified records carry and that charts, tables and exports for people show."""

from django.utils.translation import gettext_lazy as _

from bridgeway.core.labels import register_codes

register_codes("stats.gender", {
    "Female": _("Female"), "Male": _("Male"),
    "TransgenderNonConforming": _("Transgender or non-conforming"),
})
register_codes("stats.majority", {"Adult": _("Adult"), "Minor": _("Minor")})
