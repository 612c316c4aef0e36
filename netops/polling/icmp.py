"""ICMP echo as a second opinion on reachability: a silent SNMP agent that still pings is ``agent_down``.

icmplib sends raw-socket echoes when the process is root (privileged) and falls back to
unprivileged datagram ICMP sockets otherwise (Linux ``net.ipv4.ping_group_range``); when
neither works the answer is ``None`` (unknown) rather than a false "no reply", so a host
without ICMP rights never turns an agent failure into a site outage.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable

from icmplib import async_multiping
from icmplib.exceptions import ICMPLibError

log = logging.getLogger(__name__)


def privileged() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


async def ping_many(addresses: Iterable[str], *, count: int = 3, interval_s: float = 0.2,
                    timeout_s: float = 1.0) -> dict[str, bool | None]:
    """Address -> answered at least one echo (None when ICMP is not available here)."""
    wanted = sorted(set(addresses))
    if not wanted:
        return {}
    try:
        hosts = await async_multiping(wanted, count=count, interval=interval_s, timeout=timeout_s,
                                      concurrent_tasks=100, privileged=privileged())
    except (ICMPLibError, OSError) as exc:
        log.warning("ICMP echo unavailable (%s); reachability by SNMP only", exc)
        return dict.fromkeys(wanted)
    return {address: bool(host.is_alive) for address, host in zip(wanted, hosts, strict=True)}
