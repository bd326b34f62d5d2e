"""Loading indicator sets: the provisional default file shipped with Bridgeway, or a national or
corrected set an administrator imports. Sets are versioned; old assessments keep their version."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from bridgeway.cases.identification import DEFAULT_RULE, validate_rule, validate_set
from bridgeway.cases.models import IndicatorSet
from bridgeway.cases.set_translations import validate_translations
from bridgeway.protection.audit import audit_record

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "ilo_2009_provisional.json"
DEFAULT_SOURCE = ("ILO & European Commission, Operational indicators of trafficking in human "
                  "beings (2009), provisional transcription")


# The shipped codes say who and what a set is for; a set with another code must say it itself.
_CODE_FLAGS = {"adult_labour": (False, False), "adult_sexual": (False, True),
               "child_labour": (True, False), "child_sexual": (True, True)}


def _flags(data: dict, for_child: bool | None,
           for_sexual_exploitation: bool | None) -> tuple[bool, bool]:
    """for_child / for_sexual_exploitation from the arguments, else the set's own flags, else its
    shipped code. A flag that contradicts the shipped code, or is missing on another code, is
    refused: a set stored as the wrong kind would be offered for the wrong cases."""
    code = data["id"]
    implied = _CODE_FLAGS.get(code)
    problems: list[str] = []
    chosen: list[bool] = []
    for n, (key, given) in enumerate((("for_child", for_child),
                                      ("for_sexual_exploitation", for_sexual_exploitation))):
        value = given if given is not None else data.get(key)
        if value is not None and not isinstance(value, bool):
            problems.append(_("Set %(code)s: %(field)s must be true or false.")
                            % {"code": code, "field": key})
            continue
        if implied is not None and value is not None and value != implied[n]:
            problems.append(_("Set %(code)s: %(field)s is %(value)s, but the code %(code)s is "
                              "the set for %(meant)s.") % {
                "code": code, "field": key, "value": "true" if value else "false",
                "meant": (_("children") if implied[0] else _("adults")) if n == 0
                else (_("sexual exploitation") if implied[1] else _("labour exploitation"))})
            continue
        if value is None and implied is None:
            problems.append(_("Set %(code)s: give %(field)s (true or false); it cannot be told "
                              "from the code.") % {"code": code, "field": key})
            continue
        chosen.append(implied[n] if value is None else value)
    if problems:
        raise ValidationError({"file": problems})
    return chosen[0], chosen[1]


def _in_set(data, problems: list[str]) -> list[str]:
    code = data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else ""
    if not code or len(code) > 60:
        return problems
    return [_("Set %(code)s: %(problem)s") % {"code": code, "problem": p} for p in problems]


@transaction.atomic
def import_set(*, data: dict, rule: dict | None = None, label: str = "", provenance: str = "",
               uncertain: bool = False, rule_uncertain: bool = False, source: str = "",
               for_child: bool | None = None, for_sexual_exploitation: bool | None = None,
               actor=None) -> IndicatorSet:
    problems = validate_set(data)
    if not problems:
        problems = validate_translations(data)
    if problems:
        raise ValidationError({"file": _in_set(data, problems)})
    strict = rule is not None
    if rule is None:
        # The default rule was reconstructed (see the reference README): never shown as verified.
        rule, rule_uncertain = DEFAULT_RULE, True
    problems = validate_rule(rule, {d["id"] for d in data["dimensions"]}, strict=strict)
    if problems:
        raise ValidationError({"file": _in_set(data, problems)})
    child, sexual = _flags(data, for_child, for_sexual_exploitation)
    code = data["id"]
    version = (IndicatorSet.objects.filter(code=code).aggregate(v=Max("version"))["v"] or 0) + 1
    IndicatorSet.objects.filter(code=code, is_active=True).update(is_active=False)
    created = IndicatorSet.objects.create(
        code=code, version=version, label=label or data.get("label", code),
        for_child=child, for_sexual_exploitation=sexual,
        data={"dimensions": data["dimensions"],
              **({"translations": data["translations"]} if data.get("translations") else {})},
        rule=rule,
        provenance=provenance or data.get("provenance", ""),
        uncertain=uncertain or bool(data.get("uncertain")) or any(
            i.get("uncertain") for d in data["dimensions"] for i in d["indicators"]),
        rule_uncertain=rule_uncertain, source=source, imported_by=actor)
    if actor is not None:  # the shipped default loaded at first use is not an import
        audit_record(action="cases.indicator_set.imported", actor=actor, obj=created,
                     payload={"code": code,
                              "version": version, "for_child": child, "sexual": sexual,
                              "uncertain": created.uncertain,
                              "rule_uncertain": created.rule_uncertain})
    return created


def load_file(path: Path, *, actor=None, source: str = "") -> list[IndicatorSet]:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ValidationError({"file": [_("Cannot read the file (%(reason)s).")
                                        % {"reason": exc.strerror}]}) from None
    return import_payload(raw, actor=actor, source=source)


def import_payload(raw: bytes, *, actor=None, source: str = "") -> list[IndicatorSet]:
    """A file shaped like the shipped one: {"sets": [...], "combination_rule": {...}}. The
    machine-readable rule sits under combination_rule.machine; without one the reconstructed
    default rule is used and flagged as not verified. All sets or none are imported."""
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ValidationError({"file": [_("The file is not valid JSON (UTF-8).")]}) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("sets"), list) \
            or not payload["sets"]:
        raise ValidationError({"file": [_("The file needs a list of sets under \"sets\".")]})
    rule_meta = payload.get("combination_rule")
    if rule_meta is None:
        rule_meta = {}
    if not isinstance(rule_meta, dict):
        raise ValidationError({"file": [_("combination_rule must be an object.")]})
    rule = rule_meta.get("machine")
    if rule is None and "machine" in rule_meta:
        raise ValidationError({"file": [_("combination_rule.machine is empty.")]})
    meta_source = payload.get("source")
    source = source or (meta_source.get("title", "") if isinstance(meta_source, dict) else "")
    problems: list[str] = []
    for n, data in enumerate(payload["sets"], start=1):
        if not isinstance(data, dict):
            problems.append(_("Set %(n)s is not an object.") % {"n": n})
    if problems:
        raise ValidationError({"file": problems})
    with transaction.atomic():
        return [import_set(data=s, rule=rule,
                           rule_uncertain=rule is None or bool(rule_meta.get("uncertain")),
                           source=source[:200], actor=actor)
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
        raise ValidationError(_("No active indicator set for %(code)s.") % {"code": code})
    return found
