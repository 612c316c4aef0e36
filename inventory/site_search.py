"""Which site does a caller mean? The site search of the help desk, ``netops status`` and a bot.

A caller says "SDN 2", "sekolah dasar negeri 2" or "smp negri 1 magelng". Names and queries are
split into words (case, punctuation, "smpn1" -> "smpn 1"), then the ways Indonesian site names
are written are rewritten to one form, both ways, from a table kept as data
(``site_words.yaml``: "sekolah dasar" and "sd", "sdn" and "sd negeri", "pkm" and "puskesmas",
"kel." and "kelurahan" ...). Each query word is then matched to the best word of the site's
texts (its name, and e.g. its device names): exact, prefix, or close spelling (difflib ratio).
Numbers must match exactly, so "SMA 1" never answers for "SMA 3".

One site is the answer only when it clearly beats the others: its words are exactly the
query's, or it scores ``CLEAR_MARGIN`` above the next. "SD Negeri 2" matches SD Negeri
Magelang 2 and SD Negeri Jurangombo 2 equally well, so the caller is asked which one
(``SiteSearch.choices``) instead of being told, confidently, about the wrong school.

The query is capped (``MAX_QUERY_CHARS``, ``MAX_QUERY_WORDS``, ``MAX_WORD_CHARS``) before
matching: the cost is query words x name words x sites, and an unbounded query (a 200-word
``?q=`` took 15 s on 1,000 sites) must cost no more than a real one. Pure Python, no Flask, no
database: the caller passes the sites.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache, lru_cache
from pathlib import Path
from typing import Generic, TypeVar

import yaml

T = TypeVar("T")

WORDS_FILE = Path(__file__).with_name("site_words.yaml")
FILLER = frozenset({"negeri", "kota", "kantor", "dan"})  # count half: almost every name has them
MIN_SCORE = 0.55
CLEAR_MARGIN = 0.15
MAX_QUERY_CHARS = 64
MAX_QUERY_WORDS = 6
MAX_WORD_CHARS = 32
MAX_CHOICES = 8

_WORD = re.compile(r"[^\W_]+")
_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


class SiteWordsError(ValueError):
    """The words table is malformed; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class Rewrites:
    """Phrases (as word tuples) and the form each is compared in; ``longest``: most words in one."""

    phrases: Mapping[tuple[str, ...], tuple[str, ...]]
    longest: int


def load_rewrites(path: Path = WORDS_FILE) -> Rewrites:
    """Read and check a words table: ``canonical: [variant, ...]``, each variant under one key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SiteWordsError(f"{path}: cannot read the site words table: {exc}") from exc
    if not isinstance(data, dict):
        raise SiteWordsError(f"{path}: expected a mapping of canonical words to lists of variants")
    phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
    for key, variants in data.items():
        if not isinstance(key, str) or not tokens(key) or not isinstance(variants, list):
            raise SiteWordsError(f"{path}: entry {key!r}: expected words and a list of variants")
        canonical = tuple(tokens(key))
        for variant in variants:
            words = tuple(tokens(variant)) if isinstance(variant, str) else ()
            if not words:
                raise SiteWordsError(f"{path}: entry {key!r}: variant {variant!r} is not words")
            if words in phrases and phrases[words] != canonical:
                raise SiteWordsError(
                    f"{path}: entry {key!r}: variant {variant!r} already belongs to "
                    f"{' '.join(phrases[words])!r}"
                )
            phrases[words] = canonical
    return Rewrites(phrases, max((len(p) for p in phrases), default=1))


@cache
def default_rewrites() -> Rewrites:
    """The table shipped with netops (read once)."""
    return load_rewrites()


def tokens(text: str) -> list[str]:
    """Lower-case words of ``text``, letters and digits apart ("SMPN1" -> ["smpn", "1"])."""
    return _WORD.findall(_LETTER_DIGIT.sub(" ", text.casefold()))


def rewrite(words: Sequence[str], rewrites: Rewrites | None = None) -> tuple[str, ...]:
    """``words`` with every known way of writing a phrase in its compared form, longest first."""
    table = rewrites or default_rewrites()
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(table.longest, len(words) - i), 0, -1):
            canonical = table.phrases.get(tuple(words[i : i + size]))
            if canonical is not None:
                out.extend(canonical)
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return tuple(out)


@lru_cache(maxsize=16384)
def name_words(text: str) -> tuple[str, ...]:
    """The compared words of a site or device name (cached: names repeat on every search)."""
    return rewrite(tokens(text))


def query_words(query: str) -> tuple[str, ...]:
    """The compared words of a query, capped in length and number: what a person would type."""
    words = [w[:MAX_WORD_CHARS] for w in tokens(query[:MAX_QUERY_CHARS])]
    return rewrite(words)[:MAX_QUERY_WORDS]


def _word_score(query: str, candidates: Iterable[str]) -> float:
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


def score_words(query: Sequence[str], words: Sequence[str]) -> float:
    """Weighted share of the query words found among ``words`` (filler words count half)."""
    if not query or not words:
        return 0.0
    unique = frozenset(words)
    total = sum(0.5 if w in FILLER else 1.0 for w in query)
    got = sum((0.5 if w in FILLER else 1.0) * _word_score(w, unique) for w in query)
    return got / total


@dataclass(frozen=True, slots=True)
class SiteMatch(Generic[T]):
    """One site the query may mean: ``exact`` when its name has exactly the query's words."""

    item: T
    name: str
    score: float
    exact: bool


@dataclass(frozen=True, slots=True)
class SiteSearch(Generic[T]):
    """The matches of one query, best first, and whether one of them is clearly the answer."""

    query: tuple[str, ...]
    matches: tuple[SiteMatch[T], ...]

    @property
    def answer(self) -> SiteMatch[T] | None:
        """The site meant, when one match clearly beats every other; else None."""
        if not self.matches:
            return None
        first = self.matches[0]
        if len(self.matches) == 1:
            return first
        second = self.matches[1]
        if first.exact and not second.exact:
            return first
        return first if first.score - second.score >= CLEAR_MARGIN else None

    @property
    def choices(self) -> tuple[SiteMatch[T], ...]:
        """No clear answer: the matches about as good as the best (at most ``MAX_CHOICES``)."""
        if self.answer is not None or not self.matches:
            return ()
        top = self.matches[0].score
        return tuple(m for m in self.matches if top - m.score < CLEAR_MARGIN)[:MAX_CHOICES]

    @property
    def others(self) -> tuple[SiteMatch[T], ...]:
        """The weaker matches ("did you mean"), after the answer or the choices."""
        shown = 1 if self.answer is not None else len(self.choices)
        return self.matches[shown:]


def search(query: str, items: Iterable[T], texts: Callable[[T], Sequence[str]]) -> SiteSearch[T]:
    """Sites among ``items`` that ``query`` may mean, best first.

    ``texts(item)`` gives the site's name first, then other texts that identify it (device
    names); every text counts for the score, the name alone decides ``exact``.
    """
    q = query_words(query)
    found: list[tuple[tuple[int, float, int, str], SiteMatch[T]]] = []
    if not q:
        return SiteSearch(q, ())
    wanted = frozenset(q)
    for item in items:
        item_texts = texts(item)
        if not item_texts:
            continue
        name = item_texts[0]
        own = name_words(name)
        value = score_words(q, [w for text in item_texts for w in name_words(text)])
        if value < MIN_SCORE:
            continue
        exact = frozenset(own) == wanted
        extra = len(frozenset(own) - wanted)  # shorter names first among equals
        found.append(((not exact, -value, extra, name.casefold()), SiteMatch(item, name, value, exact)))
    found.sort(key=lambda pair: pair[0])
    return SiteSearch(q, tuple(m for _, m in found))
