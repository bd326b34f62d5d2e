"""Loading indicator sets: the provisional default file shipped with Bridgeway, or a national or
corrected set an administrator imports. Sets are versioned; old assessments keep their version."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from bridgeway.cases.identification import DEFAULT_RULE, validate_set
from bridgeway.cases.models import IndicatorSet

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "ilo_2009_provisional.json"
DEFAULT_SOURCE = ("ILO & European Commission, Operational indicators of trafficking in human "
                  "beings (2009), provisional transcription")


@transaction.atomic
def import_set(*, data: dict, rule: dict | None = None, label: str = "", provenance: str = "",
               uncertain: bool = False, rule_uncertain: bool = False, source: str = "",
               for_child: bool | None = None, for_sexual_exploitation: bool | None = None,
               actor=None) -> IndicatorSet:
    problems = validate_set(data)
    if problems:
        raise ValidationError({"data": problems})
    code = data["id"]
    version = (IndicatorSet.objects.filter(code=code).aggregate(v=Max("version"))["v"] or 0) + 1
    IndicatorSet.objects.filter(code=code, is_active=True).update(is_active=False)
    return IndicatorSet.objects.create(
        code=code, version=version, label=label or data.get("label", code),
        for_child=code.startswith("child") if for_child is None else for_child,
        for_sexual_exploitation=code.endswith("sexual") if for_sexual_exploitation is None
        else for_sexual_exploitation,
        data={"dimensions": data["dimensions"]}, rule=rule or DEFAULT_RULE,
        provenance=provenance or data.get("provenance", ""),
        uncertain=uncertain or bool(data.get("uncertain")) or any(
            i.get("uncertain") for d in data["dimensions"] for i in d["indicators"]),
        rule_uncertain=rule_uncertain, source=source, imported_by=actor)


def load_file(path: Path, *, actor=None, source: str = "") -> list[IndicatorSet]:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ValidationError({"file": [f"Cannot read the file ({exc.strerror})."]}) from None
    return import_payload(raw, actor=actor, source=source)


def import_payload(raw: bytes, *, actor=None, source: str = "") -> list[IndicatorSet]:
    """A file shaped like the shipped one: {"sets": [...], "combination_rule": {...}}."""
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ValidationError({"file": ["The file is not valid JSON (UTF-8)."]}) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("sets"), list):
        raise ValidationError({"file": ["The file needs a list under \"sets\"."]})
    rule_meta = payload.get("combination_rule") or {}
    rule = rule_meta.get("machine") or DEFAULT_RULE
    with transaction.atomic():
        return [import_set(data=s, rule=rule, rule_uncertain=bool(rule_meta.get("uncertain")),
                           source=source or payload.get("source", {}).get("title", ""),
                           actor=actor)
                for s in payload["sets"]]


def ensure_default_sets() -> None:
    """The shipped provisional sets, loaded once (also after a test database flush)."""
    if not IndicatorSet.objects.exists():
        load_file(DEFAULT_FILE, source=DEFAULT_SOURCE)


def set_for(*, child: bool, sexual: bool) -> IndicatorSet:
    ensure_default_sets()
    code = f"{'child' if child else 'adult'}_{'sexual' if sexual else 'labour'}"
    found = IndicatorSet.objects.filter(code=code, is_active=True).order_by("-version").first()
    if found is None:
        found = IndicatorSet.objects.filter(for_child=child, for_sexual_exploitation=sexual,
                                            is_active=True).order_by("-imported_at").first()
    if found is None:
        raise ValidationError(f"No active indicator set for {code}.")
    return found
