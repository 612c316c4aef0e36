"""Where discovery may go and how it reports what it did not follow (pure logic; no network)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collectors.observations import ErrorKind, IdKind, Neighbor, NeighborProtocol, PollError, PollResult
from netops.polling import discovery_scope as scope
from netops.polling.discovery import DiscoveryReport, _Crawl
from netops.settings import ConfigError, Settings, load_settings

NOW = datetime(2026, 5, 1, tzinfo=UTC)


@pytest.mark.parametrize(("seeds", "expected"), [
    (["10.20.0.1"], ["10.0.0.0/8"]),
    (["192.168.1.1", "100.64.5.5", "192.168.9.9"], ["192.168.0.0/16", "100.64.0.0/10"]),
    (["172.31.255.1"], ["172.16.0.0/12"]),
    (["198.19.0.7"], ["198.18.0.0/15"]),
    (["127.0.100.1"], ["127.0.0.0/8"]),
    (["::1", "fd12:3456::1"], ["fc00::/7", "::1/128"]),
    (["203.0.113.5", "core.magelang.go.id"], []),  # public or a name: only the seed itself
])
def test_default_networks_are_the_ranges_of_the_seeds(seeds: list[str], expected: list[str]) -> None:
    assert sorted(map(str, scope.default_networks(seeds))) == sorted(expected)


def _allowed(given: list[str], settings: Settings) -> list[str]:
    return [str(n) for n in scope.allowed_networks(["10.1.1.1"], given, settings)]


def test_given_networks_win_over_the_setting_which_wins_over_the_seeds() -> None:
    settings = load_settings(environ={"NETOPS_DATA_DIR": "/tmp/x",
                                      "NETOPS_DISCOVERY__NETWORKS": "10.5.0.0/16"})
    assert _allowed(["10.9.0.0/16"], settings) == ["10.9.0.0/16"]
    assert _allowed([], settings) == ["10.5.0.0/16"]
    plain = load_settings(environ={"NETOPS_DATA_DIR": "/tmp/x"})
    assert _allowed([], plain) == ["10.0.0.0/8"]
    with pytest.raises(scope.DiscoveryScopeError, match=r"--network: '10\.300\.0\.0/16' is not a network"):
        scope.allowed_networks(["10.1.1.1"], ["10.300.0.0/16"], plain)
    with pytest.raises(ConfigError, match=r"discovery\.networks: 'everywhere' is not a network"):
        load_settings(environ={"NETOPS_DISCOVERY__NETWORKS": "everywhere"})


def test_inside_accepts_only_addresses_in_the_networks() -> None:
    nets = scope.parse_networks(["10.20.0.0/16", "fd00::/8"])
    assert scope.inside("10.20.3.4", nets) and scope.inside("fd00::5", nets)
    assert not scope.inside("10.21.0.1", nets) and not scope.inside("8.8.8.8", nets)
    assert not scope.inside("evil.example.org", nets) and not scope.inside("", nets)


def _neighbor(name: str, address: str | None) -> Neighbor:
    return Neighbor(local_port="p1", protocol=NeighborProtocol.LLDP, chassis_id=f"chassis-{name}",
                    chassis_id_kind=IdKind.LOCAL, port_id="p", port_id_kind=IdKind.LOCAL, system_name=name,
                    management_address=address)


def _result(key: str, *neighbors: Neighbor, errors: tuple[PollError, ...] = ()) -> PollResult:
    return PollResult(device_key=key, profile="generic", transport="snmp", started_at=NOW, finished_at=NOW,
                      neighbors=neighbors, errors=errors)


def test_every_neighbor_not_followed_is_reported_once_with_its_reason() -> None:
    crawl = _Crawl(scope.parse_networks(["10.0.0.0/8"]), 1, DiscoveryReport(), {"10.0.0.1"})
    crawl.seen_names["core"] = "10.0.0.1"
    first = _result("10.0.0.1", _neighbor("dist", "10.0.0.2"), _neighbor("rogue", "203.0.113.9"),
                    _neighbor("phone", None), _neighbor("core", None), _neighbor("v3", "10.0.0.3"))
    assert crawl.next_addresses(first, ["10.0.0.2", "203.0.113.9", "10.0.0.3"], 0) == ["10.0.0.2", "10.0.0.3"]
    again = _result("10.0.0.2", _neighbor("rogue", "203.0.113.9"), _neighbor("acc", "10.0.0.4"))
    crawl.seen_names["dist"] = "10.0.0.2"
    assert crawl.next_addresses(again, ["203.0.113.9", "10.0.0.4", "10.0.0.1"], 1) == []
    auth = PollError(ErrorKind.AUTH, "unknown user name")
    crawl.unanswered("10.0.0.3", _result("10.0.0.3", errors=(auth,)))
    crawl.finish()
    assert [(n.neighbor, n.address, n.reason) for n in crawl.report.not_followed] == [
        ("rogue", "203.0.113.9", scope.OUTSIDE),
        ("acc", "10.0.0.4", scope.DEPTH_LIMIT),
        ("v3", "10.0.0.3", scope.REFUSED),
        ("phone", None, scope.NO_ADDRESS),  # "core" without an address was found: not listed
    ]
    assert crawl.report.unreachable == [("10.0.0.3", "unknown user name")]
