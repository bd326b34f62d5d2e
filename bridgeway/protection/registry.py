"""Modules that hold personal data register here, so that subject-access exports include their
part and erasure clears it. Cases, referrals and the helpline add their own providers."""

from __future__ import annotations

from collections.abc import Callable

ExportProvider = Callable[[object], list[dict]]
ErasureHook = Callable[[object], None]

_exporters: list[ExportProvider] = []
_erasers: list[ErasureHook] = []


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
