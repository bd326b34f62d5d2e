"""Settings from the environment.

Every secret can come from ``NAME`` or from a file named by ``NAME_FILE`` (Docker/Kubernetes
secrets, systemd credentials). Error messages name the variable, never its value.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    file_var = os.environ.get(f"{name}_FILE")
    if file_var:
        try:
            return Path(file_var).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"{name}_FILE points to a file that cannot be read ({exc.strerror})."
            ) from None
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def generate_key() -> str:
    """A new 256-bit key, URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def decode_key(name: str, value: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(
            f"{name} is not valid URL-safe base64. Generate one with "
            "`python -m bridgeway.env`."
        ) from None
    if len(raw) != 32:
        raise ImproperlyConfigured(
            f"{name} must decode to 32 bytes (256 bits); it decodes to {len(raw)}. Generate one "
            "with `python -m bridgeway.env`."
        )
    return raw


class DevSecrets:
    """Development-only secrets kept in var/dev-secrets.json so `make run` needs no set-up.

    Used only when DEBUG is on; with DEBUG off a missing secret stops start-up.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._values: dict[str, str] | None = None

    def get(self, name: str) -> str:
        if self._values is None:
            try:
                self._values = json.loads(self.path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                self._values = {}
        if name not in self._values:
            self._values[name] = generate_key()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self._values, indent=2), encoding="utf-8")
            tmp.chmod(0o600)
            tmp.replace(self.path)
        return self._values[name]


def required_key(name: str, *, debug: bool, dev: DevSecrets) -> bytes:
    value = env_str(name)
    if not value:
        if debug:
            value = dev.get(name)
        else:
            raise ImproperlyConfigured(
                f"{name} (or {name}_FILE) is not set. Generate a key with "
                "`python -m bridgeway.env` and keep it outside the database."
            )
    return decode_key(name, value.strip())


def parse_keyring(name: str, value: str) -> dict[str, bytes]:
    """`id1=key1,id2=key2` -> {id: 32-byte key}. Messages name key ids, never keys."""
    ring: dict[str, bytes] = {}
    for item in value.replace("\n", ",").split(","):
        item = item.strip()
        if not item:
            continue
        key_id, sep, encoded = item.partition("=")
        key_id = key_id.strip()
        if not sep or not key_id or not key_id.replace("-", "").replace("_", "").isalnum():
            raise ImproperlyConfigured(
                f"{name} must look like `kek-2026=<key>,kek-2025=<key>`: every entry needs an id "
                "of letters, digits, - or _, then =, then the key."
            )
        if key_id in ring:
            raise ImproperlyConfigured(f"{name} names key id {key_id!r} twice.")
        ring[key_id] = decode_key(f"{name} (key id {key_id!r})", encoded.strip())
    if not ring:
        raise ImproperlyConfigured(f"{name} holds no key.")
    return ring


def keyring_from_env(name: str, *, debug: bool, dev: DevSecrets) -> dict[str, bytes]:
    value = env_str(name)
    if not value:
        if not debug:
            raise ImproperlyConfigured(
                f"{name} (or {name}_FILE) is not set: it holds the key-encryption keys as "
                "`id=<key>`. Generate a key with `python -m bridgeway.env`."
            )
        value = f"dev-1={dev.get(name)}"
    return parse_keyring(name, value)


if __name__ == "__main__":
    # Works before any setting exists: `python -m bridgeway.env` prints a fresh key.
    print(generate_key())
