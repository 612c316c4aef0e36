"""Everything the CLI prints passes ``inventory.display.escape_controls``.

Tables, status answers, events and error lines carry names and texts that devices or files
supplied; a sysName with ``ESC[2J`` or a bidi override must not rewrite the operator's
terminal or reorder what they read. Instead of trusting every command to remember, standard
output and standard error are wrapped once, when the ``netops`` group starts: bidi and
control characters (but tab and newline) are written as visible ``\\uXXXX`` escapes. JSON
output stays the same data (that is JSON's own escape); ``-o FILE`` exports are written
unchanged.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from inventory.display import escape_controls


class EscapingWriter:
    """A text stream that escapes control and bidi characters, delegating the rest."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(escape_controls(text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def install() -> None:
    """Wrap ``sys.stdout`` and ``sys.stderr`` (once; a test runner's own streams too)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, EscapingWriter):
            setattr(sys, name, EscapingWriter(stream))
