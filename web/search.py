"""Typo-tolerant site search for the help desk: "sd 1 magelang" finds "SD Negeri 1 Magelang".

Names and queries are normalised (case, punctuation, "smpn1" -> "smp negeri 1"), then each
query word is matched to the best word of the name: exact, prefix, or close spelling
(difflib ratio). Numbers must match exactly, so "SMA 1" never answers for "SMA 3".

The query is capped (``MAX_QUERY_CHARS``, ``MAX_QUERY_WORDS``, ``MAX_WORD_CHARS``) before
matching: the cost is query words x name words x sites, and an unbounded query (a 200-word
``?q=`` took 15 s on 1,000 sites) must cost no more than a real one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher
from typing import TypeVar

T = TypeVar("T")

ABBREVIATIONS = {
    "sdn": ("sd", "negeri"),
    "smpn": ("smp", "negeri"),
    "sman": ("sma", "negeri"),
    "smkn": ("smk", "negeri"),
    "neg": ("negeri",),
    "kel": ("kelurahan",),
    "kec": ("kecamatan",),
    "pkm": ("puskesmas",),
    "rs": ("rsud",),
}
FILLER = frozenset({"negeri", "kota", "kantor", "dan"})
MIN_SCORE = 0.55
MAX_QUERY_CHARS = 64
MAX_QUERY_WORDS = 6
MAX_WORD_CHARS = 32


def words(text: str) -> list[str]:
    text = re.sub(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])", " ", text.lower())
    out: list[str] = []
    for word in re.findall(r"[a-z0-9]+", text):
        out.extend(ABBREVIATIONS.get(word, (word,)))
    return out


def query_words(query: str) -> list[str]:
    """The words of a query, capped in length and number: what a person would type, no more."""
    return [w[:MAX_WORD_CHARS] for w in words(query[:MAX_QUERY_CHARS])][:MAX_QUERY_WORDS]


def _word_score(query: str, candidates: Sequence[str]) -> float:
    best = 0.0
    for word in candidates:
        if word == query:
            return 1.0
        if query.isdigit() or word.isdigit():
            continue
        if len(query) >= 3 and word.startswith(query):
            best = max(best, 0.9)
        ratio = SequenceMatcher(None, query, word).ratio()
        if ratio >= 0.75:
            best = max(best, ratio)
    return best


def score(query: str, name_words: Sequence[str]) -> float:
    """Weighted share of query words found in the name (filler words count half)."""
    return _score_words(query_words(query), name_words)


def _score_words(q: Sequence[str], name_words: Sequence[str]) -> float:
    if not q or not name_words:
        return 0.0
    total = sum(0.5 if w in FILLER else 1.0 for w in q)
    got = sum((0.5 if w in FILLER else 1.0) * _word_score(w, name_words) for w in q)
    return got / total


def rank(query: str, items: Iterable[T], keys: Iterable[Iterable[str]]) -> list[tuple[float, T]]:
    """Items whose texts (e.g. site name and device names) match ``query``, best first."""
    scored = []
    q = query_words(query)
    for item, texts in zip(items, keys, strict=True):
        name_words = [w for text in texts for w in words(text)]
        value = _score_words(q, name_words)
        if value >= MIN_SCORE:
            scored.append((value, item))
    scored.sort(key=lambda pair: -pair[0])
    return scored
