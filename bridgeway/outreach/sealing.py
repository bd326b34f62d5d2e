"""Sealed text on outreach records: one AES-256-GCM data key per record, wrapped by the
organisation's key-encryption key (as civic-space incident documents are). The associated data
binds each value to its table, column and row, so a value copied elsewhere does not open.
Outreach records are not about one person, so they get no data subject of their own."""

from __future__ import annotations

from django.db import models

from bridgeway.protection import crypto
from bridgeway.protection.services import kek_id_for


def _aad(record: models.Model, column: str) -> bytes:
    return f"bridgeway.outreach|{record._meta.label_lower}|{column}|{record.pk}".encode()


def _key(record) -> bytes:
    subject_id = f"outreach.{record._meta.model_name}.{record.pk}"
    if record.wrapped_key:
        cached = getattr(record, "_data_key", None)
        if cached is None:
            cached = crypto.unwrap_data_key(bytes(record.wrapped_key), key_id=record.kek_id,
                                            subject_id=subject_id)
            record._data_key = cached
        return cached
    key = crypto.new_data_key()
    record.kek_id = kek_id_for(record.organisation)
    record.wrapped_key = crypto.wrap_data_key(key, key_id=record.kek_id, subject_id=subject_id)
    record._data_key = key
    return key


def seal_text(record, column: str, text: str) -> None:
    """Sets `record.<column>` (a BinaryField) to `text` sealed, or to None for empty text.
    The caller saves the record (with kek_id and wrapped_key, set here on first use)."""
    text = (text or "").strip()
    setattr(record, column, crypto.seal(_key(record), text.encode("utf-8"), _aad(record, column))
            if text else None)


def open_text(record, column: str) -> str:
    sealed = getattr(record, column)
    if not sealed:
        return ""
    return crypto.open_sealed(_key(record), bytes(sealed), _aad(record, column),
                              what=f"{record._meta.label}.{column} of row {record.pk}").decode()
