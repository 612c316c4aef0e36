"""Where ``discover`` may send its community: the allowed networks, and why a neighbor was not followed.

A neighbor's LLDP/CDP record is whatever that device chose to advertise, so its management
address is not followed blindly: only addresses inside the allowed networks are polled. Those
are the ``--network`` CIDRs, else the setting ``discovery.networks``, else the private and
management ranges that contain a seed (RFC 1918, RFC 6598 100.64.0.0/10, RFC 2544
198.18.0.0/15, IPv6 ULA fc00::/7; a loopback seed allows 127.0.0.0/8 or ::1). Every neighbor
not followed is kept with its reason for the report.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from netops.settings import Settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
PRIVATE_RANGES: tuple[Network, ...] = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "198.18.0.0/15", "fc00::/7")
)
LOOPBACK_RANGES: tuple[Network, ...] = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))

OUTSIDE = "outside allowed networks"
NO_ADDRESS = "no management address"
NO_ANSWER = "no answer"
REFUSED = "credential refused"
DEPTH_LIMIT = "depth limit"
REASONS = (OUTSIDE, NO_ADDRESS, NO_ANSWER, REFUSED, DEPTH_LIMIT)


class DiscoveryScopeError(ValueError):
    """A network given to ``discover`` is not a CIDR; the message names it."""


@dataclass(frozen=True, slots=True)
class NotFollowed:
    """A neighbor discovery did not poll (or polled without an answer), and why."""

    neighbor: str | None  # its advertised sysName or chassis id, when known
    address: str | None  # its advertised management address, when any
    reason: str


def parse_networks(texts: Iterable[str], where: str = "--network") -> tuple[Network, ...]:
    """CIDRs (a bare address is a /32 or /128); ``DiscoveryScopeError`` names the first bad one."""
    out = []
    for text in texts:
        try:
            out.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError:
            raise DiscoveryScopeError(f"{where}: {text!r} is not a network (e.g. 10.20.0.0/16)") from None
    return tuple(out)


def default_networks(seeds: Iterable[str]) -> tuple[Network, ...]:
    """The private, management and loopback ranges that contain a seed (a host name adds none)."""
    found: dict[Network, None] = {}
    for seed in seeds:
        try:
            address = ipaddress.ip_address(seed)
        except ValueError:
            continue
        for network in (*PRIVATE_RANGES, *LOOPBACK_RANGES):
            if address.version == network.version and address in network:
                found[network] = None
    return tuple(found)


def allowed_networks(seeds: Sequence[str], given: Iterable[str], settings: Settings) -> tuple[Network, ...]:
    """``given`` (``--network``), else ``discovery.networks``, else ``default_networks(seeds)``."""
    explicit = tuple(given)
    if explicit:
        return parse_networks(explicit)
    if settings.discovery.networks:
        return parse_networks(settings.discovery.networks, "discovery.networks")
    return default_networks(seeds)


def inside(address: str, networks: Sequence[Network]) -> bool:
    """True when ``address`` is an IP address inside one of ``networks`` (a name never is)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip.version == n.version and ip in n for n in networks)


def unique(entries: Iterable[NotFollowed]) -> list[NotFollowed]:
    """Each (neighbor, address, reason) once, in first-seen order (both ends of a ring report it)."""
    return list(dict.fromkeys(entries))
