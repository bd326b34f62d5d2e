"""Sealed values on records that are not about one person (outreach records, survey
submissions): one AES-256-GCM data key per record, kept on the record (`kek_id`,
`wrapped_key`) and wrapped by the key-encryption key of the record's `organisation` (as
civic-space incident documents are). The associated data binds each value to its app, table,
place and row, so a value copied elsewhere does not open. Such records get no data subject of
their own."""

from __future__ import annotations

from django.db import models

from bridgeway.protection import crypto
from bridgeway.protection.registry import register_key_holder
from bridgeway.protection.services import kek_id_for


def _aad(record: models.Model, place: str) -> bytes:
    return (f"bridgeway.{record._meta.app_label}|{record._meta.label_lower}|{place}|"
            f"{record.pk}").encode()


def key_name(record) -> str:
    """The name bound into the record's wrapped data key."""
    return f"{record._meta.app_label}.{record._meta.model_name}.{record.pk}"


def register_sealed(*sealed: type[models.Model]) -> None:
    """Declares models whose records are sealed here, so that key rotation re-wraps their data
    keys and the key counts include them (protection.registry.register_key_holder)."""
    for model in sealed:
        register_key_holder(model, subject_id=key_name)


def record_key(record) -> bytes:
    """The record's data key: unwrapped once per instance, or made and wrapped on first use
    (the caller saves `kek_id` and `wrapped_key`). The record needs its primary key."""
    subject_id = key_name(record)
    if record.wrapped_key:
        cached = getattr(record, "_data_key", None)
        if cached is None:
            cached = crypto.unwrap_data_key(bytes(record.wrapped_key), key_id=record.kek_id,
                                            subject_id=subject_id)
            record._data_key = cached
        return cached
    return new_record_key(record, kek_id_for(record.organisation))


def new_record_key(record, kek_id: str) -> bytes:
    """Makes the record's data key and wraps it with `kek_id` (a data migration names the key
    itself, as it works with historical models)."""
    subject_id = key_name(record)
    key = crypto.new_data_key()
    record.kek_id = kek_id
    record.wrapped_key = crypto.wrap_data_key(key, key_id=kek_id, subject_id=subject_id)
    record._data_key = key
    return key


def seal_value(record, place: str, data: bytes) -> bytes:
    """`data` sealed with the record's key, bound to `place` (a column, or a path inside it)."""
    return crypto.seal(record_key(record), data, _aad(record, place))


def open_value(record, place: str, sealed: bytes | memoryview) -> bytes:
    return crypto.open_sealed(record_key(record), bytes(sealed), _aad(record, place),
                              what=f"{record._meta.label}.{place} of row {record.pk}")


def seal_text(record, column: str, text: str) -> None:
    """Sets `record.<column>` (a BinaryField) to `text` sealed, or to None for empty text.
    The caller saves the record (with kek_id and wrapped_key, set here on first use)."""
    text = (text or "").strip()
    setattr(record, column, seal_value(record, column, text.encode("utf-8")) if text else None)


def open_text(record, column: str) -> str:
    sealed = getattr(record, column)
    if not sealed:
        return ""
    return open_value(record, column, sealed).decode()
