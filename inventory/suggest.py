""""Did you mean ...?": the nearest valid names for a name that does not exist.

An error that names a missing thing should list what the user probably meant (a typo in a
device name, a site written without its town, ``cisco`` for ``cisco_ios``). Plain ``difflib``
similarity, case-insensitive, with names that start with or contain what was typed ranked
first; used by inventory-file errors and by the command line. Not a search: the help-desk
search with Indonesian abbreviations is ``inventory.site_search``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

MARGIN = 0.15  # a clearly best match is shown alone


def nearest(word: str, candidates: Iterable[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Up to ``n`` candidates closest to ``word``, best first (none when nothing is close)."""
    typed = word.strip().casefold()
    pool = sorted({c for c in candidates if c})
    if not typed or not pool:
        return []

    def score(candidate: str) -> float:
        text = candidate.casefold()
        ratio = difflib.SequenceMatcher(None, typed, text).ratio()
        if text.startswith(typed) or typed.startswith(text):
            ratio += 0.5
        elif typed in text:
            ratio += 0.3
        return ratio

    ranked = sorted(((score(c), c) for c in pool), key=lambda pair: (-pair[0], pair[1]))
    best = ranked[0][0]
    return [c for s, c in ranked if s >= cutoff and s >= best - MARGIN][:n]


def or_list(names: list[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def did_you_mean(word: str, candidates: Iterable[str], n: int = 3, quote: bool = False) -> str:
    """``"; did you mean X?"`` (or ``X, Y or Z``), or ``""`` when nothing is close."""
    found = nearest(word, candidates, n)
    if not found:
        return ""
    shown = [repr(c) if quote else c for c in found]
    return f"; did you mean {or_list(shown)}?"
