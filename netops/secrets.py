"""Secrets: references resolved at use time, literals encrypted at rest with a local Fernet key.

The inventory stores ``env:NAME``, ``file:/path`` or ``enc:<fernet token>``; only this module
turns them into a ``Secret`` (whose repr is ``***``), just before a collector needs it. The key
lives in ``<data_dir>/secret.key`` (mode 0600), created by ``netops init``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from collectors.targets import Secret
from netops.config import Settings

ENV_PREFIX = "env:"
FILE_PREFIX = "file:"
ENC_PREFIX = "enc:"


class SecretError(Exception):
    """A secret reference cannot be resolved (unset variable, unreadable file, wrong key)."""


def ensure_key(settings: Settings) -> bool:
    """Create the Fernet key file when missing; True when a new key was written."""
    path = settings.secret_key_path
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(Fernet.generate_key())
    return True


def _fernet(settings: Settings) -> Fernet:
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
    return ENC_PREFIX + _fernet(settings).encrypt(value.encode()).decode()


def is_reference(ref: str) -> bool:
    return ref.startswith((ENV_PREFIX, FILE_PREFIX, ENC_PREFIX))


def resolve(ref: str | None, settings: Settings, environ: Mapping[str, str] | None = None) -> Secret | None:
    """The secret behind ``ref`` (``env:``, ``file:``, ``enc:`` or a literal); None for no secret."""
    if ref is None or ref == "":
        return None
    if ref.startswith(ENV_PREFIX):
        name = ref[len(ENV_PREFIX):]
        env = os.environ if environ is None else environ
        if name not in env:
            raise SecretError(f"environment variable {name} is not set")
        return Secret(env[name])
    if ref.startswith(FILE_PREFIX):
        return Secret(_read_secret_file(Path(ref[len(FILE_PREFIX):]).expanduser()))
    if ref.startswith(ENC_PREFIX):
        try:
            return Secret(_fernet(settings).decrypt(ref[len(ENC_PREFIX):].encode()).decode())
        except InvalidToken:
            raise SecretError("encrypted secret does not match the key in the data directory") from None
    return Secret(ref)


def _read_secret_file(path: Path) -> str:
    try:
        return path.read_text().rstrip("\r\n")
    except OSError as exc:
        raise SecretError(f"cannot read secret file {path}: {exc.strerror}") from None
