"""Secrets: references resolved at use time into ``Secret`` values (repr ``***``).

The inventory stores ``env:NAME``, ``file:/path`` or ``enc:<fernet token>`` (a literal
encrypted with the key of ``netops.encryption``); only this module turns them into a ``Secret``,
just before a collector needs it, so nothing else ever holds a clear-text secret.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from collectors.targets import Secret
from netops.encryption import ENC_PREFIX, SecretError, decrypt, encrypt, ensure_key
from netops.settings import Settings

ENV_PREFIX = "env:"
FILE_PREFIX = "file:"

__all__ = ["ENC_PREFIX", "ENV_PREFIX", "FILE_PREFIX", "SecretError", "encrypt", "ensure_key",
           "is_reference", "resolve"]


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
        return Secret(decrypt(ref, settings))
    return Secret(ref)


def _read_secret_file(path: Path) -> str:
    try:
        return path.read_text().rstrip("\r\n")
    except OSError as exc:
        raise SecretError(f"cannot read secret file {path}: {exc.strerror}") from None
