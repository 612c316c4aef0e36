"""Strings from devices and files made safe to show: no terminal escapes, no bidi tricks.

A sysName, an interface alias or a name in an imported file may carry ANSI escape sequences
(recolouring or rewriting a terminal, hiding lines of ``netops events``) or Unicode bidi
controls (U+202A–U+202E, U+2066–U+2069, and the marks U+200E/U+200F/U+061C) that show
``"\\u202Eevil"`` as ``"live"``. For display only (the database, the JSON API and exports
keep what the device sent), at the lowest layer so that the web pages, the CLI and the metric
labels share one rule:

- ``clean`` (web pages and metric labels) removes whole escape sequences and bidi controls
  and turns every other control character but tab and newline into a space;
- ``escape_controls`` (terminal output) writes bidi and control characters as visible
  ``\\uXXXX`` escapes, so the reader sees that something was there, and JSON text stays the
  same data (``\\u202e`` is how JSON writes that character anyway).
"""

from __future__ import annotations

import re

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), other two-character ESC sequences,
# and the 8-bit CSI (U+009B); then any lone ESC left over.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[@-Z\\-_]"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|\x1b"
)
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # keeps tab and newline


def clean(value: str) -> str:
    """``value`` without escape sequences or bidi controls; other control characters become spaces."""
    if value.isascii() and value.isprintable():
        return value  # the common case costs one scan
    value = _ESCAPES.sub("", value)
    value = _BIDI.sub("", value)
    return _CONTROLS.sub(" ", value)


_TERMINAL_UNSAFE = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{BIDI_CONTROLS}]")


def escape_controls(value: str) -> str:
    """``value`` with bidi controls and control characters (but tab and newline) as ``\\uXXXX``."""
    if value.isascii() and value.isprintable():
        return value
    return _TERMINAL_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", value)
