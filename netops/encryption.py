"""The local Fernet key that encrypts literal secrets at rest (``<data_dir>/secret.key``).

Kept apart from ``netops.secrets`` (which builds ``collectors.targets.Secret`` values) so that
start-up code and the web layer can create the key and encrypt without importing collectors.
"""

from __future__ import annotations

import os

from cryptography.fernet import Fernet, InvalidToken

from netops.settings import Settings

ENC_PREFIX = "enc:"


class SecretError(Exception):
    """A secret reference cannot be resolved (unset variable, unreadable file, wrong key)."""


def ensure_key(settings: Settings) -> bool:
    """Create the Fernet key file (mode 0600) when missing; True when a new key was written."""
    path = settings.secret_key_path
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(Fernet.generate_key())
    return True


def fernet(settings: Settings) -> Fernet:
    path = settings.secret_key_path
    try:
        return Fernet(path.read_bytes().strip())
    except FileNotFoundError:
        raise SecretError(f"no secret key at {path}: run 'netops init' first") from None
    except (OSError, ValueError) as exc:
        raise SecretError(f"cannot use secret key {path}: {exc}") from None


def encrypt(value: str, settings: Settings) -> str:
    """``enc:<token>`` for a literal secret, with the key of ``netops init`` (created if missing)."""
    ensure_key(settings)
    return ENC_PREFIX + fernet(settings).encrypt(value.encode()).decode()


def decrypt(ref: str, settings: Settings) -> str:
    """The clear text of an ``enc:<token>`` value."""
    token = ref[len(ENC_PREFIX):] if ref.startswith(ENC_PREFIX) else ref
    try:
        return fernet(settings).decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretError("encrypted secret does not match the key in the data directory") from None


class FernetSealer:
    """The ``inventory.upsert.SecretSealer`` of the service: literals become ``enc:<token>``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def seal(self, value: str) -> str:
        return encrypt(value, self.settings)

    def matches(self, stored: str, value: str) -> bool:
        """True when ``stored`` is the encryption of ``value`` (so a re-import changes nothing)."""
        if not stored.startswith(ENC_PREFIX):
            return False
        try:
            return decrypt(stored, self.settings) == value
        except SecretError:
            return False
