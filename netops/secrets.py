"""Secrets: references resolved at use time into ``Secret`` values (repr ``***``).

The inventory stores ``env:NAME``, ``file:/path`` or ``enc:<fernet token>`` (a literal
encrypted with the key of ``netops.encryption``); only this module turns them into a ``Secret``,
just before a collector needs it, so nothing else ever holds a clear-text secret. A ``file:``
secret is the first line of the file (as the README promises), read from a regular file only;
netops's own secrets (setting variables, files of the data directory) are refused even when a
reference to them reached the database (``netops.secret_policy``).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from collectors.targets import Secret
from netops.encryption import ENC_PREFIX, SecretError, decrypt, encrypt, ensure_key
from netops.secret_policy import refused_for_everyone
from netops.settings import Settings

MAX_SECRET_LINE = 8192

ENV_PREFIX = "env:"
FILE_PREFIX = "file:"

__all__ = ["ENC_PREFIX", "ENV_PREFIX", "FILE_PREFIX", "SecretError", "check_key_file", "encrypt",
           "ensure_key", "is_reference", "resolve"]


def is_reference(ref: str) -> bool:
    return ref.startswith((ENV_PREFIX, FILE_PREFIX, ENC_PREFIX))


def resolve(ref: str | None, settings: Settings, environ: Mapping[str, str] | None = None) -> Secret | None:
    """The secret behind ``ref`` (``env:``, ``file:``, ``enc:`` or a literal); None for no secret."""
    if ref is None or ref == "":
        return None
    if ref.startswith((ENV_PREFIX, FILE_PREFIX)):
        kind, _, value = ref.partition(":")
        refused = refused_for_everyone(kind, value, settings)
        if refused is not None:
            raise SecretError(refused)
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


def check_key_file(path: str | None, settings: Settings) -> None:
    """``SecretError`` when an SSH ``key_file`` names one of netops's own secret files."""
    if path:
        refused = refused_for_everyone("key_file", path, settings)
        if refused is not None:
            raise SecretError(refused)


def _read_secret_file(path: Path) -> str:
    """The first line of a regular file, without its line ending (never the rest of the file)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)  # a FIFO must not hang the poll
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise SecretError(f"secret file {path} is not a regular file")
        with open(fd, encoding="utf-8", errors="strict", newline="") as fh:
            line = fh.readline(MAX_SECRET_LINE)
    except UnicodeDecodeError:
        raise SecretError(f"secret file {path} is not UTF-8 text") from None
    except OSError as exc:
        raise SecretError(f"cannot read secret file {path}: {exc.strerror}") from None
    return line.rstrip("\r\n")
