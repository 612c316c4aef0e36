"""The help desk's site search, web side: ``inventory.site_search`` over the stored site answers.

The matching (abbreviations both ways, typos, numbers exact, the query cap, when one site is
clearly the answer and when the caller must choose) lives in ``inventory.site_search`` so that
the CLI and a chat bot ask the same question the same way. Here: which texts identify a site
on a page (its name and its device names) and the old ``rank`` shape for callers of a list.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from inventory.site_search import (
    MAX_QUERY_CHARS,
    MAX_QUERY_WORDS,
    MAX_WORD_CHARS,
    SiteSearch,
    query_words,
    search,
)
from web.views import SiteStatus

__all__ = ["MAX_QUERY_CHARS", "MAX_QUERY_WORDS", "MAX_WORD_CHARS", "find_sites", "query_words", "rank"]

T = TypeVar("T")


def find_sites(query: str, statuses: Iterable[SiteStatus]) -> SiteSearch[SiteStatus]:
    """The sites ``query`` may mean, by site name and device names."""
    return search(query, statuses, lambda s: (s.site.name, *s.site.devices))


def rank(query: str, items: Iterable[T], keys: Iterable[Iterable[str]]) -> list[tuple[float, T]]:
    """Items whose texts (site name first, then e.g. device names) match ``query``, best first."""
    pairs = [(item, tuple(texts)) for item, texts in zip(items, keys, strict=True)]
    result = search(query, pairs, lambda pair: pair[1])
    return [(m.score, m.item[0]) for m in result.matches]
