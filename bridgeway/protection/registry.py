"""Modules that hold personal data register here, so that subject-access exports include their
part and erasure clears it, and so that a person held by a record with its own access rules (a
case) is seen only by those who see that record. Cases, referrals and the helpline add their own
providers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

ExportProvider = Callable[[object], list[dict]]
ErasureHook = Callable[[object], None]
SubjectVisibility = Callable[[object], Q]
ReindexHook = Callable[[object], dict[str, tuple[str | None, str]]]

_exporters: list[ExportProvider] = []
_erasers: list[ErasureHook] = []
_visibility: list[SubjectVisibility] = []
_reindexers: list[ReindexHook] = []


def register_export(provider: ExportProvider) -> ExportProvider:
    """`provider(subject)` returns sections: {"title": str, "rows": [{label: value}]}."""
    if provider not in _exporters:
        _exporters.append(provider)
    return provider


def register_erasure(hook: ErasureHook) -> ErasureHook:
    """`hook(subject)` removes the module's ciphertext and blind indexes for the subject."""
    if hook not in _erasers:
        _erasers.append(hook)
    return hook


def export_providers() -> list[ExportProvider]:
    return list(_exporters)


def erasure_hooks() -> list[ErasureHook]:
    return list(_erasers)


def register_subject_visibility(rule: SubjectVisibility) -> SubjectVisibility:
    """`rule(user)` returns a `Q` over DataSubject: which of the persons of the user's
    organisations the module lets a caseworker see. A person the module holds nothing about must
    pass (e.g. `~Exists(held) | Exists(held_and_visible)`). Every rule must pass. Supervisors and
    data protection officers see all of their organisation's persons (the officer as metadata),
    so the rules narrow only what a caseworker sees."""
    if rule not in _visibility:
        _visibility.append(rule)
    return rule


def subject_visibility_rules() -> list[SubjectVisibility]:
    return list(_visibility)


# --- audit codes ----------------------------------------------------------------------------
# Every code `audit_record` writes is registered here with its translated label, by its app's
# `audit_codes.py` (one line per code), so the audit screen and the case timeline show words, and
# a code used but not registered fails the tests (tests/protection/test_audit_codes.py, and
# audit_record itself under BRIDGEWAY_AUDIT_CODES_STRICT).

_audit_codes: dict[str, Any] = {}


def register_audit_codes(codes: dict[str, Any]) -> dict[str, Any]:
    """`codes` maps each dotted code ("cases.case.opened") to its label (gettext_lazy)."""
    _audit_codes.update(codes)
    return codes


def audit_codes() -> dict[str, Any]:
    return dict(_audit_codes)


def audit_code_registered(code: str) -> bool:
    return code in _audit_codes


def audit_code_label(code: str, default: Any = None) -> Any:
    """The translated label of a code; `default` (or the code itself) for one nobody
    registered."""
    return _audit_codes.get(code, code if default is None else default)
def register_reindex(hook: ReindexHook) -> ReindexHook:
    """`hook(subject)` brings the module's stored personal values of the subject to today's
    normal form (cleaned names, E.164 phones) and returns the blind-indexed values it holds, as
    {field: (plain value or None, "name" | "identifier")}. Called by `blind_indexes_rebuild`,
    inside the subject's transaction."""
    if hook not in _reindexers:
        _reindexers.append(hook)
    return hook


def reindex_hooks() -> list[ReindexHook]:
    return list(_reindexers)


# A module whose data has its own retention period (the helpline: contacts that never became a
# case) says when a subject's retention ends: `rule(subject)` returns the date, or None to leave
# the subject to the organisation's policy (years after the retention anchor).
RetentionRule = Callable[[object], Any]
_retention_rules: list[RetentionRule] = []


def register_retention_rule(rule: RetentionRule) -> RetentionRule:
    if rule not in _retention_rules:
        _retention_rules.append(rule)
    return rule


def retention_rules() -> list[RetentionRule]:
    return list(_retention_rules)


# --- records that keep their own wrapped data key --------------------------------------------

@dataclass(frozen=True)
class KeyHolder:
    """A model whose rows keep a data key of their own (`kek_id`, `wrapped_key`) wrapped by the
    key-encryption key of the organisation in `organisation_field`: incident documents, field
    records, survey answers, linkage secrets, sealed import and export files. `subject_id(row)`
    is the name bound into the wrapped key (what `crypto.wrap_data_key` was given). Key rotation
    (`protection.services.rotate_batch`) and the key counts (`keys_status`, the *Encryption
    keys* page) cover every holder registered here as well as the persons' data keys: a holder
    left out would become unreadable the day its old key-encryption key is removed."""

    model: Any
    subject_id: Callable[[Any], str]
    organisation_field: str = "organisation"


_key_holders: list[KeyHolder] = []


def register_key_holder(model: Any, *, subject_id: Callable[[Any], str],
                        organisation_field: str = "organisation") -> None:
    if all(holder.model is not model for holder in _key_holders):
        _key_holders.append(KeyHolder(model, subject_id, organisation_field))


def key_holders() -> list[KeyHolder]:
    return list(_key_holders)
