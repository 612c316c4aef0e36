"""Roles from the network's shape: the core, devices with neighbors further out, leaves."""

from __future__ import annotations

from collections.abc import Iterable

from netops.polling.discovery_roles import depths, infer_roles


def _adjacency(links: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    adjacency: dict[str, set[str]] = {}
    for a, b in links:
        adjacency.setdefault(a, set()).add(b)
        adjacency.setdefault(b, set()).add(a)
    return adjacency


# tests/data/city15.json: a ring of kecamatan switches, two dual-homed agencies, a 6-deep chain
CITY = _adjacency([
    ("core", "utara"), ("utara", "tengah"), ("tengah", "selatan"), ("selatan", "core"),
    ("core", "kominfo"), ("utara", "disdukcapil"), ("tengah", "disdukcapil"),
    ("tengah", "bappeda"), ("selatan", "bappeda"), ("utara", "satpolpp"), ("selatan", "rsud"),
    ("utara", "pkm"), ("tengah", "camat"), ("camat", "kel"), ("kel", "sdn2"), ("sdn2", "mts"),
    ("selatan", "smkn1"),
])


def test_a_city_from_its_core() -> None:
    roles = infer_roles(CITY, {"core"})
    assert roles == {
        "core": "core",
        "utara": "distribution", "tengah": "distribution", "selatan": "distribution",
        "camat": "distribution", "kel": "distribution", "sdn2": "distribution",  # schools chained behind
        "kominfo": "access", "disdukcapil": "access", "bappeda": "access",  # dual-homed: still leaves
        "satpolpp": "access", "rsud": "access", "pkm": "access", "mts": "access", "smkn1": "access",
    }
    assert depths(CITY, {"core"})["kel"] == 4 and depths(CITY, {"core"})["mts"] == 6


def test_another_core_changes_the_roles() -> None:
    roles = infer_roles(CITY, {"tengah"})
    assert roles["tengah"] == "core" and roles["core"] == "distribution"  # kominfo hangs behind it


def test_two_cores_and_an_island() -> None:
    adjacency = _adjacency([("a", "b"), ("b", "c"), ("a", "c"), ("c", "d"), ("x", "y")])
    roles = infer_roles(adjacency, {"a", "b"})
    assert roles == {"a": "core", "b": "core", "c": "distribution", "d": "access"}  # x, y: not reached


def test_no_roots_no_roles() -> None:
    assert infer_roles(CITY, set()) == {}
    assert infer_roles(CITY, {"not-a-device"}) == {}
