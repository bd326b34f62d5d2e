"""Model fields whose values are encrypted with the data key of the row's data subject.

The column holds `version | nonce | AES-GCM(ciphertext + tag)`; the associated data binds it to
table, column and row id, so a value copied into another row or column fails to decrypt. Values
decrypt lazily on first access (which the access log records); a tampered value raises
DecryptionError, an erased subject raises SubjectErased: never ciphertext, never a silent empty.

A model with such fields needs a UUID primary key set before saving (the AAD needs it) and a
foreign key to DataSubject, named by ``subject_field`` (default "subject").
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core import checks
from django.db import models

from bridgeway.protection import crypto


class _Sealed(bytes):
    """Ciphertext as loaded from the database, not yet decrypted."""


_UNSET = object()


class _Descriptor:
    def __init__(self, field: EncryptedField) -> None:
        self.field = field

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        state = instance.__dict__.get(self.field.attname)
        if isinstance(state, _Sealed):
            value = self.field.decrypt(instance, bytes(state))
            instance.__dict__[self.field.attname] = _Opened(value, bytes(state))
            return value
        if isinstance(state, _Opened):
            return state.value
        return state

    def __set__(self, instance, value):
        if isinstance(value, (bytes, memoryview)) and not isinstance(value, _Sealed):
            if not value:  # BinaryField's empty default
                value = None
            else:
                # Only from_db_value produces ciphertext; raw bytes from elsewhere would be
                # stored as they are, unencrypted.
                raise TypeError(f"{self.field.name} takes a plain value, not bytes.")
        instance.__dict__[self.field.attname] = value


class _Opened:
    __slots__ = ("value", "sealed")

    def __init__(self, value: Any, sealed: bytes) -> None:
        self.value = value
        self.sealed = sealed


class EncryptedField(models.BinaryField):
    def __init__(self, *args, subject_field: str = "subject", **kwargs) -> None:
        self.subject_field = subject_field
        kwargs.setdefault("editable", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.subject_field != "subject":
            kwargs["subject_field"] = self.subject_field
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only=private_only)
        setattr(cls, self.attname, _Descriptor(self))

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        model = self.model
        if not isinstance(model._meta.pk, models.UUIDField):
            errors.append(checks.Error(
                f"{model.__name__}.{self.name}: encrypted fields need a UUID primary key set "
                "before saving.", obj=self, id="protection.E001"))
        return errors

    # --- value conversion (subclasses) ---
    def to_bytes(self, value: Any) -> bytes:
        raise NotImplementedError

    def from_bytes(self, raw: bytes) -> Any:
        raise NotImplementedError

    # --- encryption ---
    def aad(self, instance) -> bytes:
        return f"bridgeway.field|{instance._meta.label_lower}|{self.column}|{instance.pk}".encode()

    def _subject(self, instance):
        return getattr(instance, self.subject_field)

    def decrypt(self, instance, sealed: bytes) -> Any:
        from bridgeway.protection.access import note_access

        subject = self._subject(instance)
        key = subject.data_key()
        raw = crypto.open_sealed(key, sealed, self.aad(instance),
                                 what=f"{instance._meta.label}.{self.name} of row {instance.pk}")
        note_access(subject)
        return self.from_bytes(raw)

    def pre_save(self, model_instance, add):
        state = model_instance.__dict__.get(self.attname)
        if state is None:
            return None
        if isinstance(state, _Sealed):
            return bytes(state)
        if isinstance(state, _Opened):
            value = state.value
        else:
            value = state
        if value is None:
            return None
        subject = self._subject(model_instance)
        sealed = crypto.seal(subject.data_key(), self.to_bytes(value), self.aad(model_instance))
        model_instance.__dict__[self.attname] = _Opened(value, sealed)
        return sealed

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return _Sealed(bytes(value))

    def get_db_prep_value(self, value, connection, prepared=False):
        if isinstance(value, _Opened):
            value = value.sealed
        if value is not None and not isinstance(value, (bytes, memoryview)):
            raise TypeError(f"{self.name}: plaintext reached the database layer; save through "
                            "the model so it is encrypted.")
        return super().get_db_prep_value(value, connection, prepared)

    def value_from_object(self, obj):
        """The ciphertext: serialisers and dumps (dumpdata) never see plaintext."""
        state = obj.__dict__.get(self.attname)
        if isinstance(state, _Sealed):
            return bytes(state)
        if isinstance(state, _Opened):
            return state.sealed
        return None

    def formfield(self, **kwargs):
        return None


class EncryptedTextField(EncryptedField):
    def to_bytes(self, value: Any) -> bytes:
        return str(value).encode("utf-8")

    def from_bytes(self, raw: bytes) -> str:
        return raw.decode("utf-8")


class EncryptedDateField(EncryptedField):
    def to_bytes(self, value: Any) -> bytes:
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise TypeError(f"{self.name} takes a date, not {type(value).__name__}.")
        return value.isoformat().encode()

    def from_bytes(self, raw: bytes) -> dt.date:
        return dt.date.fromisoformat(raw.decode())


class EncryptedJSONField(EncryptedField):
    def to_bytes(self, value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")

    def from_bytes(self, raw: bytes) -> Any:
        return json.loads(raw)
