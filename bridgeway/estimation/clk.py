"""Cryptographic long-term keys (CLKs): one 1,024-bit Bloom filter per person, keyed with a linkage
secret that the participating organisations share and the coordinator never holds.

Each field's value is normalised (names transliterated to Latin as the blind indexes do), cut into
tokens (padded q-grams for names and text, components for a date, the whole value for sex or an
identifier), and each token sets `bits_per_token` positions chosen by BLAKE2b keyed with a
per-field key derived from the secret (HMAC-SHA256). That is random hashing in the sense of
Niedermeyer/Schnell (2014): the positions of a token are independent pseudo-random draws, not the
arithmetic progression of double hashing, which the pattern-mining attacks on Bloom filters
exploit. Per-field keys (and an optional per-field salt) mean the same bigram in the given name
and in the surname sets unrelated bits. `bits_per_token` weights the fields (Schnell et al. 2009,
Durham 2012, clkhash's schema v3 `bitsPerToken`). See docs/estimation.md for the choices.

This module imports no Django model and runs without Django configured (the standalone encoder).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from anyascii import anyascii

from bridgeway.estimation._text import _
from bridgeway.protection import blind

BITS = 1024
BYTES = BITS // 8
FORMAT = "bridgeway-clk-1"

# Standard person fields and the kind each one is; other fields must say their kind.
STANDARD_FIELDS = {
    "given_names": "name",
    "surname": "name",
    "date_of_birth": "date",
    "sex": "sex",
    "place_of_birth": "text",
}
KINDS = {"name", "text", "date", "sex", "exact"}
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


class SchemaError(ValueError):
    pass


@dataclass(frozen=True)
class FieldSpec:
    name: str
    column: str
    kind: str
    bits_per_token: int = 20
    q: int = 2
    # Extra token: the blind indexes' phonetic key of each name word (Olena / Elena agree).
    phonetic_bits: int = 0
    # Hardening: a per-field salt mixed into the field's key (clkhash's `salt`).
    salt: str = ""


@dataclass(frozen=True)
class Schema:
    fields: tuple[FieldSpec, ...]
    id_column: str = ""
    bits: int = BITS
    # Hardening (Schnell & Borgs 2016): a 512-bit filter followed by its complement, permuted
    # under the key, so every CLK has exactly 512 ones (defeats the attacks on bit frequencies).
    balance: bool = False

    def encoding_params(self) -> dict:
        """What decides the bits (not which CSV column a field comes from: files with other
        headers encode alike)."""
        return {
            "format": FORMAT,
            "bits": self.bits,
            "balance": self.balance,
            "fields": [{k: v for k, v in asdict(f).items() if k != "column"}
                       for f in self.fields],
        }


def load_schema(source: str | Path | dict) -> Schema:
    """A schema from a JSON file's path or an already parsed dict."""
    if isinstance(source, dict):
        data = source
    else:
        try:
            data = json.loads(Path(source).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SchemaError(_("The schema file cannot be read as JSON: %(error)s")
                              % {"error": exc}) from None
    if not isinstance(data, dict) or not isinstance(data.get("fields"), list) or not data["fields"]:
        raise SchemaError(_("The schema needs a list of fields."))
    bits = int(data.get("bits", BITS))
    if bits != BITS:
        raise SchemaError(_("Encodings are %(bits)d bits long.") % {"bits": BITS})
    hardening = data.get("hardening") or {}
    specs = []
    seen = set()
    for i, raw in enumerate(data["fields"], start=1):
        if not isinstance(raw, dict) or not raw.get("name"):
            raise SchemaError(_("Field %(n)d of the schema has no name.") % {"n": i})
        name = str(raw["name"])
        if name in seen:
            raise SchemaError(_("The schema names the field %(name)s twice.") % {"name": name})
        seen.add(name)
        kind = raw.get("kind") or STANDARD_FIELDS.get(name)
        if kind not in KINDS:
            raise SchemaError(_("Field %(name)s: say its kind (one of %(kinds)s).")
                              % {"name": name, "kinds": ", ".join(sorted(KINDS))})
        try:
            spec = FieldSpec(
                name=name, column=str(raw.get("column", name)), kind=kind,
                bits_per_token=int(raw.get("bits_per_token", 20)), q=int(raw.get("q", 2)),
                phonetic_bits=int(raw.get("phonetic_bits", 0)), salt=str(raw.get("salt", "")),
            )
        except (TypeError, ValueError):
            raise SchemaError(_("Field %(name)s: bits_per_token, q and phonetic_bits are whole "
                                "numbers.") % {"name": name}) from None
        if not (0 <= spec.bits_per_token <= 128 and 0 <= spec.phonetic_bits <= 128 and 1 <= spec.q <= 4):
            raise SchemaError(_("Field %(name)s: bits_per_token and phonetic_bits go from 0 to "
                                "128, q from 1 to 4.") % {"name": name})
        specs.append(spec)
    return Schema(fields=tuple(specs), id_column=str(data.get("id_column", "")), bits=bits,
                  balance=bool(hardening.get("balance", False)))


_ISO = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")


def _parse_date(value: str) -> str:
    text = value.strip()
    iso = _ISO.match(text)
    if iso:
        # YYYYMMDD (as FEBRL writes it) or YYYY-MM-DD; kept even when it is not a calendar date
        # (a typo in one digit still shares the other components).
        return "".join(iso.groups())
    digits = re.sub(r"\D", "", text)
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).strftime("%Y%m%d")
        except ValueError:
            continue
    return digits if len(digits) == 8 else ""


def normalise(field_kind: str, value) -> str:
    """A field's value as the encoder sees it. `field_kind` is a kind (name, text, date, sex,
    exact) or a standard field name (given_names, surname, ...).

    Names and text: the blind indexes' normalisation (case, accents, white space, word split),
    then anyascii transliteration to Latin, so Олена and Olena share bigrams."""
    kind = STANDARD_FIELDS.get(field_kind, field_kind)
    if value is None:
        return ""
    value = str(value)
    if kind in ("name", "text"):
        words = (_NON_ALNUM.sub("", anyascii(word).lower()) for word in blind.tokens(value))
        return " ".join(w for w in words if w)
    if kind == "date":
        return _parse_date(value)
    if kind == "sex":
        head = value.strip().casefold()[:1]
        return {"m": "m", "f": "f", "1": "m", "2": "f"}.get(head, "x" if head else "")
    if kind == "exact":
        return blind.digits(value)
    raise SchemaError(_("Unknown field kind %(kind)s.") % {"kind": field_kind})


def tokens(spec: FieldSpec, normalised: str) -> list[tuple[str, int]]:
    """(token, bits) pairs for a normalised value."""
    if not normalised:
        return []
    out: list[tuple[str, int]] = []
    if spec.kind in ("name", "text"):
        q = spec.q
        for word in normalised.split(" "):
            padded = "_" * (q - 1) + word + "_" * (q - 1) if q > 1 else word
            out.extend(("g" + padded[i:i + q], spec.bits_per_token) for i in range(len(padded) - q + 1))
            if spec.phonetic_bits:
                out.append(("p" + blind.phonetic(word), spec.phonetic_bits))
    elif spec.kind == "date":
        out += [("y" + normalised[:4], spec.bits_per_token), ("m" + normalised[4:6], spec.bits_per_token),
                ("d" + normalised[6:8], spec.bits_per_token), ("f" + normalised, spec.bits_per_token)]
    else:
        out.append(("v" + normalised, spec.bits_per_token))
    return out


def _field_key(secret: bytes, spec: FieldSpec) -> bytes:
    return hmac.new(secret, f"bridgeway.clk.v1|field|{spec.name}|{spec.kind}|{spec.salt}".encode(),
                    hashlib.sha256).digest()


class _Hasher:
    """Positions for tokens under one secret and schema, cached (a bigram recurs across many
    people, so a file of 100,000 people hashes a few thousand distinct tokens per field)."""

    def __init__(self, schema: Schema, secret: bytes) -> None:
        if not secret:
            raise SchemaError(_("The linkage secret is empty."))
        self.schema = schema
        self.keys = [_field_key(secret, spec) for spec in schema.fields]
        self.length = BITS // 2 if schema.balance else BITS
        self.cache: dict[tuple[int, str, int], np.ndarray] = {}
        self.values: dict[tuple[int, object], np.ndarray] = {}
        self.permutation = None
        if schema.balance:
            seed = hmac.new(secret, b"bridgeway.clk.v1|balance", hashlib.sha256).digest()
            rng = np.random.default_rng(int.from_bytes(seed, "big"))
            self.permutation = rng.permutation(BITS)

    def positions(self, index: int, token: str, k: int) -> np.ndarray:
        cached = self.cache.get((index, token, k))
        if cached is not None:
            return cached
        key, data, chunks = self.keys[index], token.encode(), []
        counter, needed = 0, 2 * k
        while needed > 0:
            size = min(64, needed)
            chunks.append(hashlib.blake2b(data, key=key, digest_size=size,
                                          person=counter.to_bytes(16, "big")).digest())
            needed -= size
            counter += 1
        # 16-bit draws modulo a power of two: uniform over the filter.
        out = np.frombuffer(b"".join(chunks), dtype="<u2") % self.length
        self.cache[(index, token, k)] = out
        return out

    def field_positions(self, index: int, raw) -> np.ndarray:
        """All positions one field's value sets (cached per value: names recur)."""
        key = (index, raw)
        cached = self.values.get(key)
        if cached is not None:
            return cached
        spec = self.schema.fields[index]
        parts = [self.positions(index, token, k) for token, k in tokens(spec, normalise(spec.kind, raw)) if k]
        out = np.concatenate(parts) if parts else np.empty(0, dtype=np.uint16)
        if len(self.values) < 1_000_000:
            self.values[key] = out
        return out

    def record_positions(self, record: dict) -> np.ndarray:
        parts = [self.field_positions(index, record.get(spec.column, record.get(spec.name)))
                 for index, spec in enumerate(self.schema.fields)]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.uint16)

    def finish(self, bits: np.ndarray) -> np.ndarray:
        """(n, length) bool to (n, 128) uint8, balanced if the schema says so."""
        if self.permutation is not None:
            bits = np.concatenate([bits, ~bits], axis=1)[:, self.permutation]
        return np.packbits(bits, axis=1)


def encode_many(records, schema: Schema, secret: bytes) -> np.ndarray:
    """CLKs for many records (dicts keyed by CSV column or field name): (n, 128) uint8, bit i of
    the filter is bit 7 - i % 8 of byte i // 8."""
    hasher = _Hasher(schema, secret)
    cols = [hasher.record_positions(record) for record in records]
    n = len(cols)
    bits = np.zeros((n, hasher.length), dtype=bool)
    if n:
        lengths = np.fromiter((len(c) for c in cols), dtype=np.int64, count=n)
        if lengths.sum():
            bits[np.repeat(np.arange(n), lengths), np.concatenate(cols)] = True
    return hasher.finish(bits)


def encode(record: dict, schema: Schema, secret: bytes) -> bytes:
    """One record's CLK: 128 bytes."""
    return encode_many([record], schema, secret)[0].tobytes()


def fingerprint(schema: Schema, secret: bytes) -> str:
    """16 hex digits, keyed by the secret over the encoding parameters: two files with the same
    fingerprint were made with the same secret and schema. It reveals nothing of the secret
    (HMAC-SHA256, truncated) and differs for any other secret or parameter."""
    params = json.dumps(schema.encoding_params(), sort_keys=True, separators=(",", ":"))
    return hmac.new(secret, b"bridgeway.clk.v1|fingerprint|" + params.encode(),
                    hashlib.sha256).hexdigest()[:16]


def to_base64(clk: bytes | np.ndarray) -> str:
    return base64.b64encode(bytes(clk)).decode("ascii")


def from_base64(text: str) -> bytes:
    raw = base64.b64decode(text.strip(), validate=True)
    if len(raw) != BYTES:
        raise ValueError(f"an encoding is {BYTES} bytes")
    return raw


DEFAULT_SCHEMA_PATH = Path(__file__).with_name("schemas") / "person.json"


def default_schema() -> Schema:
    """The schema the platform encodes its persons with (standard fields)."""
    return load_schema(DEFAULT_SCHEMA_PATH)


__all__ = ["BITS", "BYTES", "FieldSpec", "Schema", "SchemaError", "default_schema", "encode",
           "encode_many", "fingerprint", "from_base64", "load_schema", "normalise",
           "to_base64"]
