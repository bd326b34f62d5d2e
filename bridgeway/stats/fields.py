"""A set of codes stored as one 64-bit integer (issue 6: a million-row import writes integers,
not JSON arrays).

`CodeSetField(codes=VOCABULARY)` keeps a list of codes from a fixed, ordered vocabulary as a bit
mask: bit i is set when `codes[i]` is in the list. Python code reads and writes lists, as with a
JSON list field; the database holds a `bigint`. The vocabulary is append-only: reordering it, or
removing a code, would change the meaning of the masks already stored (tests pin the order).
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

MAX_CODES = 63  # bits 0..62 of a signed bigint: masks stay positive


class CodeSetField(models.BigIntegerField):
    description = _("Set of codes (bit mask)")

    def __init__(self, *args, codes=(), **kwargs):
        self.codes = tuple(codes)
        if len(self.codes) > MAX_CODES:
            raise ValueError(f"A CodeSetField holds at most {MAX_CODES} codes.")
        if len(set(self.codes)) != len(self.codes):
            raise ValueError("A CodeSetField's codes must be distinct.")
        self.bits = {code: 1 << i for i, code in enumerate(self.codes)}
        self.full = (1 << len(self.codes)) - 1
        self._decoded: dict[int, tuple[str, ...]] = {}
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["codes"] = self.codes
        if kwargs.get("default") is list:
            del kwargs["default"]
        return name, path, args, kwargs

    @cached_property
    def validators(self):
        return []  # the range of a bigint does not apply to a list; get_prep_value checks

    # --- Python <-> mask ---------------------------------------------------------------------

    def mask(self, codes) -> int:
        """The mask of an iterable of codes; refuses a code outside the vocabulary."""
        bits = self.bits
        out = 0
        for code in codes:
            bit = bits.get(code)
            if bit is None:
                raise ValueError(f"{code!r} is not a code of {self.name or 'this field'} "
                                 f"(known: {', '.join(self.codes)}).")
            out |= bit
        return out

    def decode(self, mask: int) -> list[str]:
        """The codes of a mask, in vocabulary order."""
        found = self._decoded.get(mask)
        if found is None:
            if mask < 0 or mask & ~self.full:
                raise ValueError(f"{mask} has bits outside the codes of {self.name}.")
            found = tuple(code for i, code in enumerate(self.codes) if mask >> i & 1)
            if len(self._decoded) < 100_000:
                self._decoded[mask] = found
        return list(found)

    def from_db_value(self, value, expression, connection):
        return None if value is None else self.decode(int(value))

    def to_python(self, value):
        if value is None or isinstance(value, list):
            return value
        if isinstance(value, int):
            return self.decode(value)
        if isinstance(value, (tuple, set, frozenset)):
            return self.decode(self.mask(value))
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return self.decode(self.mask(json.loads(text)))
            try:
                return self.decode(int(text))
            except ValueError:
                raise ValidationError(_("Not a list of codes."), code="invalid") from None
        raise ValidationError(_("Not a list of codes."), code="invalid")

    def get_prep_value(self, value):
        if value is None:
            return None
        if isinstance(value, bool):
            raise ValueError("A CodeSetField takes a list of codes, not a boolean.")
        if isinstance(value, int):
            if value < 0 or value & ~self.full:
                raise ValueError(f"{value} has bits outside the codes of {self.name}.")
            return value
        if isinstance(value, str):
            return self.mask(self.to_python(value))
        return self.mask(value)

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj))
