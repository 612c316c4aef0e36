"""CSV cells that a spreadsheet will not run: one rule for every CSV netops writes and reads back.

Device-supplied text (a sysName, a sysLocation that became a site name, a port alias) can start
with ``=``, ``+``, ``-``, ``@``, TAB or CR, which a spreadsheet opening the CSV takes for a
formula (CSV injection, OWASP). ``neutralise`` prefixes such a cell with ``'``; ``restore``
removes exactly that prefix on import, so export then import gives back the same text. A cell
that already starts with quotes before one of those characters gets one more quote, so the rule
is reversible for every string.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def _needs_quote(text: str) -> bool:
    return text.lstrip(QUOTE).startswith(FORMULA_STARTS)


def neutralise(text: str) -> str:
    """``text`` as a spreadsheet shows it literally (``'=1+2`` for ``=1+2``)."""
    return QUOTE + text if _needs_quote(text) else text


def restore(text: str) -> str:
    """The inverse of ``neutralise``: ``restore(neutralise(s)) == s`` for every string ``s``."""
    if text.startswith(QUOTE) and _needs_quote(text[1:]):
        return text[1:]
    return text


def safe_cell(value: Any) -> Any:
    """A cell for ``csv.writer``: strings neutralised, numbers and None as they are."""
    return neutralise(value) if isinstance(value, str) else value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]
