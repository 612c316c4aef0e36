"""Search and paging for long lists (the inventory: 5,900 px on a desk, 15,300 px on a phone).

``matching`` keeps the rows whose text holds every word of a filter (case-insensitive, in any
order: "utara sfp" finds the dist-utara sfp links), ``searched`` the same over haystacks made
beforehand (``web.inventory_index``); ``paginate`` cuts one page out and says how many there
are. Pure functions over rows already loaded: a province's inventory is a few thousand rows,
cheaper to filter here than to write a query per table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
PER_PAGE = 50
MAX_FILTER_CHARS = 100


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    number: int  # 1-based
    pages: int
    total: int
    per_page: int = PER_PAGE

    @property
    def first(self) -> int:
        """1-based position of the first row shown (0 when there are none)."""
        return (self.number - 1) * self.per_page + 1 if self.items else 0


def words(query: str) -> list[str]:
    """The words a filter looks for (case-folded, the first MAX_FILTER_CHARS characters)."""
    return query[:MAX_FILTER_CHARS].casefold().split()


def haystack(texts: Iterable[str | None]) -> str:
    """The text a row is searched in: its texts, case-folded, one space apart."""
    return " ".join(t for t in texts if t).casefold()


def matching(rows: Iterable[T], query: str, text: Callable[[T], Iterable[str | None]]) -> list[T]:
    """Rows whose texts contain every word of ``query`` (all rows for an empty query)."""
    wanted = words(query)
    if not wanted:
        return list(rows)
    out = []
    for row in rows:
        found = haystack(text(row))
        if all(w in found for w in wanted):
            out.append(row)
    return out


def searched(indexed: Iterable[tuple[T, str]], query: str) -> list[T]:
    """``matching`` over rows whose haystacks were made beforehand (``(row, haystack(...))``):
    the same rows, without joining and case-folding thousands of strings per search."""
    wanted = words(query)
    if not wanted:
        return [row for row, _ in indexed]
    return [row for row, text in indexed if all(w in text for w in wanted)]


def page_number(raw: str | None) -> int:
    """``?page=`` as a number, 1 for anything that is not a positive integer."""
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) < 10**6 else 1


@dataclass(frozen=True, slots=True)
class Window:
    """A page of rows the database cuts out (``offset``, ``per_page``), of ``total`` rows."""

    number: int
    pages: int
    total: int
    offset: int


def paginate_count(total: int, number: int, per_page: int = PER_PAGE) -> Window:
    """Page ``number`` (clamped) of ``total`` rows: where it starts."""
    pages = max(1, -(-total // per_page))
    number = min(max(1, number), pages)
    return Window(number, pages, total, (number - 1) * per_page)


def paginate(rows: Sequence[T], number: int, per_page: int = PER_PAGE) -> Page[T]:
    """Page ``number`` of ``rows`` (clamped to the last page)."""
    pages = max(1, -(-len(rows) // per_page))
    number = min(max(1, number), pages)
    start = (number - 1) * per_page
    return Page(tuple(rows[start : start + per_page]), number, pages, len(rows), per_page)
