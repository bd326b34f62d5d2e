"""The demo network's statistics: a generated, de-identified dataset in CTDC's format, pooled
from the four member organisations' registrations of 2019-2025, imported through the import
service like any file, and one k-anonymous release built, approved by a second person and
published, so the statistics pages and the public page of releases have something to show.

The records are generated from a fixed seed with each member's own profile (who it assists, from
where, exploited where and how), so the world is the same every time. No row describes anyone."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from bridgeway.orgs.models import Organisation
from bridgeway.stats import codes
from bridgeway.stats import services as stats
from bridgeway.stats.models import Dataset, Release

if TYPE_CHECKING:
    from bridgeway.accounts.models import User

LABEL = "Member organisations' registrations 2019-2025 (generated demo data)"
RELEASE_TITLE = "Victims registered by year, sex and age (network, 2019-2025)"
YEARS = range(2019, 2026)

# (records, share of women, share of children, citizenships with weights, countries of
# exploitation with weights, share of sexual exploitation, labour sectors)
MEMBERS = {
    "lumina": (1100, 0.62, 0.08, {"MD": 85, "UA": 10, "RO": 5},
               {"RU": 25, "TR": 20, "IT": 15, "DE": 10, "MD": 15, "PL": 15}, 0.35,
               ("Construction", "Agriculture", "DomesticWork", "Hospitality")),
    "pascupas": (800, 0.55, 0.12, {"RO": 90, "MD": 6, "UA": 4},
                 {"RO": 30, "IT": 20, "ES": 15, "DE": 15, "GB": 10, "FR": 10}, 0.45,
                 ("Agriculture", "Construction", "Manufacturing", "Begging")),
    "openroads": (600, 0.38, 0.05, {"MD": 80, "UA": 15, "RO": 5},
                  {"RU": 35, "PL": 20, "CZ": 15, "DE": 15, "IL": 15}, 0.15,
                  ("Construction", "Agriculture", "Manufacturing", "Transportation")),
    "harbour": (700, 0.88, 0.22, {"RO": 60, "UA": 25, "MD": 15},
                {"RO": 45, "DE": 15, "NL": 15, "IT": 15, "GB": 10}, 0.75,
                ("DomesticWork", "Hospitality", "Begging")),
}
# Registrations rose over the years, with the war in Ukraine in 2022.
YEAR_WEIGHTS = {2019: 10, 2020: 8, 2021: 11, 2022: 17, 2023: 18, 2024: 19, 2025: 17}
CHILD_BANDS = {"0--8": 2, "9--17": 8}
ADULT_BANDS = {"18--20": 16, "21--23": 16, "24--26": 14, "27--29": 12, "30--38": 24,
               "39--47": 12, "48+": 6}
CONTROL = {"DebtBondage": 0.35, "TakesEarnings": 0.45, "Threats": 0.4,
           "PsychologicalAbuse": 0.35, "PhysicalAbuse": 0.2, "FalsePromises": 0.55,
           "RestrictsMovement": 0.3, "WithholdsDocuments": 0.3,
           "ExcessiveWorkingHours": 0.3}
RECRUITERS = {"Friend": 35, "IntimatePartner": 15, "Family": 10, "Other": 30, "Unknown": 10}


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def generated_rows(seed: int = 2026) -> list[list[str]]:
    """CTDC rows (first column: a row number), member by member."""
    rng = random.Random(seed)
    rows: list[list[str]] = []
    for (n, women, children, citizenship, exploited, sexual, sectors) in MEMBERS.values():
        for _i in range(n):
            row = dict.fromkeys(codes.CTDC_NAMES, "")
            child = rng.random() < children
            is_sexual = rng.random() < sexual
            row.update({
                "yearOfRegistration": str(_pick(rng, {str(y): w
                                                      for y, w in YEAR_WEIGHTS.items()})),
                "Datasource": "Case Management",
                "gender": "Female" if rng.random() < (women if not is_sexual else 0.93)
                else "Male",
                "ageBroad": _pick(rng, CHILD_BANDS if child else ADULT_BANDS),
                "majorityStatus": "Minor" if child else "Adult",
                "citizenship": _pick(rng, citizenship),
                "CountryOfExploitation": _pick(rng, exploited),
                "isForcedLabour": "0" if is_sexual else "1",
                "isSexualExploit": "1" if is_sexual else "0",
                "RecruiterRelationship": "",
            })
            if is_sexual:
                row["typeOfSexProstitution"] = "1"
            else:
                row[f"typeOfLabour{rng.choice(sectors)}"] = "1"
            for control, share in CONTROL.items():
                row[f"meansOfControl{control}"] = "1" if rng.random() < share else "0"
            row[f"recruiterRelation{_pick(rng, RECRUITERS)}"] = "1"
            rows.append([str(len(rows) + 1), *(row[c] for c in codes.CTDC_NAMES)])
    return rows


def _csv(rows: list[list[str]]) -> bytes:
    lines = [";".join(["", *codes.CTDC_NAMES]), *(";".join(r) for r in rows)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def seed_demo(*, network: Organisation, importer: User, approver: User) -> Release | None:
    """Imports the generated dataset into the network's store and publishes one safe release;
    does nothing if the demo dataset is already there."""
    if Dataset.objects.filter(organisation=network, label=LABEL).exists():
        return None
    # A temporary file because the import reads a file, as an upload does; the data is
    # generated and describes no one.
    with tempfile.NamedTemporaryFile(suffix=".csv") as handle:
        handle.write(_csv(generated_rows()))
        handle.flush()
        report, dataset = stats.import_file(org=network, actor=importer, path=Path(handle.name),
                                            kind="ctdc", file_type="csv", dry_run=False,
                                            label=LABEL)
    if dataset is None:
        raise RuntimeError(f"The demo statistics did not import: {report.problems[:3]}")
    release = stats.release_create(org=network, actor=importer, dataset=dataset,
                                   kind="crosstab", title=RELEASE_TITLE,
                                   dimensions=["year", "sex", "age"], k=11)
    stats.release_approve(release=release, actor=approver)
    return stats.release_publish(release=release, actor=importer)
