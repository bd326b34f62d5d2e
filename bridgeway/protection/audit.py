"""The audit log: append-only events in a keyed hash chain.

Each event's hash is HMAC-SHA256(AUDIT_CHAIN_KEY, previous hash + canonical event). Changing,
inserting or deleting a row breaks the chain at that row, and without the key nobody can rebuild a
consistent chain. ``audit_verify`` walks it and names the first broken link.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from bridgeway.protection.models import AuditEvent, AuditHead
from bridgeway.protection.registry import audit_code_registered

GENESIS = "0" * 64
ACTION_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){2,}$")
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Payload strings are codes (roles, statuses, field names, language codes), not prose: a value
# with spaces or an @ is refused, which keeps names, e-mail addresses and notes out by construction.
_CODE_RE = re.compile(r"^[A-Za-z0-9_.:/+\-]{0,64}$")

PayloadValue = int | bool | str | None | list[Any]


class AuditPayloadError(ValueError):
    pass


def _check_payload(payload: dict[str, Any]) -> dict[str, Any]:
    if len(payload) > 20:
        raise AuditPayloadError("An audit payload holds at most 20 keys.")
    for key, value in payload.items():
        if not _KEY_RE.match(key):
            raise AuditPayloadError(f"Audit payload key {key!r} is not a code.")
        values = value if isinstance(value, list) else [value]
        if len(values) > 50:
            raise AuditPayloadError(f"Audit payload list {key!r} is too long.")
        for item in values:
            if item is None or isinstance(item, bool | int):
                continue
            if isinstance(item, str) and _CODE_RE.match(item):
                continue
            raise AuditPayloadError(
                f"Audit payload value for {key!r} must be an id or a code, not free text."
            )
    return payload


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _canonical(event: AuditEvent) -> bytes:
    body = {
        "seq": event.seq,
        "created_at": _timestamp(event.created_at),
        "actor": event.actor_id,
        "organisation": event.organisation_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "payload": event.payload,
        "prev": event.prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def compute_hash(event: AuditEvent) -> str:
    return hmac.new(settings.AUDIT_CHAIN_KEY, _canonical(event), hashlib.sha256).hexdigest()


def audit_record(
    *,
    action: str,
    actor: Any = None,
    organisation: Any = None,
    obj: models.Model | None = None,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Call it inside the service's transaction, so both land or neither.

    The event is written in the caller's transaction itself, without a savepoint (a transaction
    of its own when called outside any): should writing it fail, the caller's transaction can
    only be rolled back as a whole, so a change can never be committed without its event. A bad
    action or payload is refused before anything is written."""
    if not ACTION_RE.match(action):
        raise AuditPayloadError(f"Audit action {action!r} is not a dotted code like app.thing.done.")
    if settings.BRIDGEWAY_AUDIT_CODES_STRICT and not audit_code_registered(action):
        # On in the tests: a new code must be registered (with its label) where its app's codes
        # are, <app>/audit_codes.py. Off in production: an event is never lost for a label.
        raise AuditPayloadError(f"Audit action {action!r} is not registered: add it to its app's "
                                "audit_codes.py.")
    payload = _check_payload(dict(payload or {}))
    with transaction.atomic(savepoint=False):
        return _append(action=action, actor=actor, organisation=organisation, obj=obj,
                       payload=payload)


def _append(*, action: str, actor: Any, organisation: Any, obj: models.Model | None,
            payload: dict[str, Any]) -> AuditEvent:
    head, _ = AuditHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"seq": 0, "hash": GENESIS}
    )
    event = AuditEvent(
        seq=head.seq + 1,
        created_at=timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        organisation=organisation,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        payload=payload,
        prev_hash=head.hash,
    )
    event.hash = compute_hash(event)
    event.save()
    head.seq, head.hash = event.seq, event.hash
    head.save(update_fields=["seq", "hash"])
    return event


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    event_id: int | None
    reason: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    head_hash: str
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _events() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)


def verify_chain() -> ChainReport:
    """Walk the whole chain in order and stop at the first link that does not hold."""
    expected_seq, prev_hash, checked = 1, GENESIS, 0
    for event in _events():
        if event.seq != expected_seq:
            reason = (
                f"events {expected_seq}..{event.seq - 1} are missing (deleted)"
                if event.seq > expected_seq
                else "sequence number repeats or goes backwards (inserted)"
            )
            return ChainReport(checked, prev_hash, ChainBreak(expected_seq, event.pk, reason))
        if event.prev_hash != prev_hash:
            return ChainReport(
                checked, prev_hash,
                ChainBreak(event.seq, event.pk, "does not link to the event before it (inserted or "
                           "reordered)"),
            )
        if not hmac.compare_digest(compute_hash(event), event.hash):
            return ChainReport(
                checked, prev_hash,
                ChainBreak(event.seq, event.pk, "contents do not match their hash (edited)"),
            )
        prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != checked or head.hash != prev_hash):
        return ChainReport(
            checked, prev_hash,
            ChainBreak(checked + 1, None,
                       f"the chain head records {head.seq} events but {checked} remain "
                       "(events removed from the end)"),
        )
    return ChainReport(checked, prev_hash, None)
