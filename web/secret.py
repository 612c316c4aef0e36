"""The session-signing key when the configuration gives none: random, kept in the data dir.

Stored once with mode 0600 so sessions survive restarts and several workers agree.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

KEY_FILE = "web-secret.key"


def secret_key_for(data_dir: str | os.PathLike[str]) -> str:
    path = Path(data_dir) / KEY_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key
