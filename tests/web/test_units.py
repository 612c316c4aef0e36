"""Pure logic of the web layer: search, connectivity verdicts, availability, layout, formatting."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from web.layout import radial_layout
from web.search import rank

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
NAMES = [
    "SMP Negeri 1 Magelang",
    "SMA Negeri 1 Magelang",
    "SMA Negeri 3 Magelang",
    "SD Negeri Kedungsari",
    "SD Negeri 1 Magelang",
    "Puskesmas Magelang Utara",
]


@pytest.mark.parametrize(
    ("query", "best"),
    [
        ("sd 1 magelang", "SD Negeri 1 Magelang"),
        ("smpn1", "SMP Negeri 1 Magelang"),
        ("SMP negri 1 magelng", "SMP Negeri 1 Magelang"),
        ("sma 3", "SMA Negeri 3 Magelang"),
        ("sd kedungsri", "SD Negeri Kedungsari"),
        ("puskesmas utara", "Puskesmas Magelang Utara"),
    ],
)
def test_search_finds_the_intended_site(query: str, best: str) -> None:
    assert rank(query, NAMES, [[n] for n in NAMES])[0][1] == best


def test_search_numbers_must_match() -> None:
    assert all(name != "SMA Negeri 1 Magelang" for _, name in rank("sma 3", NAMES, [[n] for n in NAMES]))
    assert rank("xyz", NAMES, [[n] for n in NAMES]) == []


ROLES = {"core": "core", "d1": "distribution", "d2": "distribution", "s1": "access", "s2": "access"}
EDGES = [("core", "d1"), ("core", "d2"), ("d1", "s1"), ("d2", "s2"), ("d1", "d2")]


def test_first_layout_is_deterministic_and_inside_the_canvas() -> None:
    first = radial_layout(ROLES, EDGES)
    second = radial_layout(dict(reversed(list(ROLES.items()))), list(reversed(EDGES)))
    assert first == second
    assert first["core"] == (500.0, 500.0)
    assert all(0 <= x <= 1000 and 0 <= y <= 1000 for x, y in first.values())
    assert len(set(first.values())) == len(ROLES)
    assert radial_layout({**ROLES, "lonely": "access"}, EDGES)["lonely"] != first["core"]


def test_duration_format(app) -> None:  # type: ignore[no-untyped-def]
    from web.extensions import format_bps, format_duration

    with app.test_request_context(headers={"Accept-Language": "id"}):
        assert format_duration(17 * 60 + 5) == "17 menit"
        assert format_duration(3 * 3600) == "3 jam"
    with app.test_request_context():
        assert format_duration(60) == "1 minute"
        assert format_duration(3 * 86400) == "3 days"
        assert format_bps(2.5e9) == "2.5 Gbit/s"
