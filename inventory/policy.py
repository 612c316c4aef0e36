"""Who may write credentials with an import, and which secret references they may name.

``inventory`` knows nothing of users or settings: the caller passes an ``ImportPolicy``. Its
``credentials`` flag says whether the file's credentials are applied at all (admins and the
service user's CLI) or ignored with a warning (everyone else: a credential names files and
environment variables of the server, and the next poll sends its value to a device address);
its ``guard`` refuses the references the importer may not name, each refusal becoming a located
problem of the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

REFERENCE_KINDS = ("env", "file", "key_file")


class ReferenceGuard(Protocol):
    """Says why a reference is refused (``kind`` is env, file or key_file), or None to allow it."""

    def refusal(self, kind: str, value: str) -> str | None: ...


@dataclass(frozen=True, slots=True)
class ImportPolicy:
    """``credentials``: apply the file's credentials (else ignore them); ``guard``: check references."""

    credentials: bool = True
    guard: ReferenceGuard | None = None


TRUSTED = ImportPolicy()


def admin_only_warning(file: str, line: int, count: int) -> str:
    """The warning of an upload whose credentials were ignored (the wording the UI shows)."""
    return f"{file}:{line}: credentials: credentials are admin-only: {count} credential(s) ignored"
