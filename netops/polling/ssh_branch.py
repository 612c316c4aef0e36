"""The SSH branch of the poll task: which targets go over SSH, and polling them on a bounded pool.

``netops.polling.poll_task.poll_targets`` (the pure poll task) hands SSH work here. A target goes over SSH
when it has SSH credentials and either asks for a kind only SSH reads (the running config) or
has no SNMP credentials at all. Targets get the service's host-key policy and a known_hosts file
under ``<data_dir>/ssh/`` (trust on first use), and one ``SshPoller`` per process keeps the
platform definitions loaded. FACTS are read over SSH only for devices without SNMP (SNMP facts
hold what the CLI lacks). Results are the collector's ``PollResult``s; nothing is stored here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from collectors.observations import PollKind, PollResult
from collectors.ssh import SshPoller
from collectors.targets import SshCredentials, Target
from netops.settings import Settings

SSH_ONLY_KINDS = frozenset({PollKind.CONFIG})
# SNMP profile (collectors/profiles/data) -> SSH platform (collectors/ssh/platforms) of the same device family
PROFILE_PLATFORMS = {
    "cisco": "cisco_ios",
    "cisco_xe": "cisco_xe",
    "huawei": "huawei",
    "juniper": "juniper_junos",
    "mikrotik": "mikrotik_routeros",
    "arista": "arista_eos",
    "linux_netsnmp": "linux",
    "hp_procurve": "hp_procurve",
    "aruba_aoscx": "aruba_aoscx",
    "zte": "zte_zxros",
    "ubiquiti_edgeswitch": "ubiquiti_edgeswitch",
    "ubiquiti_edgerouter": "ubiquiti_edgerouter",
}


def known_hosts_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / "ssh" / "known_hosts"


def wants_ssh(target: Target, kinds: Iterable[PollKind]) -> bool:
    """True when this target's kinds should be read over SSH."""
    if target.ssh is None:
        return False
    return bool(SSH_ONLY_KINDS & set(kinds)) or target.snmp is None


def ssh_target(target: Target, settings: Settings) -> Target:
    """The target with the service's host-key policy and known_hosts file filled in."""
    return dataclasses.replace(
        target,
        known_hosts_path=target.known_hosts_path or str(known_hosts_path(settings)),
        host_key_policy=settings.ssh.host_key_policy,
    )


@functools.cache
def _poller(session_log_dir: str | None) -> SshPoller:
    return SshPoller(session_log_dir=session_log_dir)


def ssh_kinds(target: Target, kinds: Iterable[PollKind]) -> frozenset[PollKind]:
    """The kinds to read over SSH: FACTS only for devices without SNMP.

    SNMP facts carry what the CLI does not (sysObjectID, location, contact, the profile match);
    storing SSH facts over them would blank those fields until the next SNMP discovery.
    """
    wanted = frozenset(kinds)  # a kind SSH cannot read (counters) comes back as UNSUPPORTED
    return wanted - {PollKind.FACTS} if target.snmp is not None else wanted


def poll_ssh_targets(
    targets: Sequence[Target], kinds: Iterable[PollKind], settings: Settings
) -> list[PollResult]:
    """Poll targets over SSH on a pool of ``settings.ssh.max_workers`` threads (blocking)."""
    wanted = frozenset(kinds)
    poller = _poller(settings.ssh.session_log_dir)
    with ThreadPoolExecutor(
        max_workers=max(1, settings.ssh.max_workers), thread_name_prefix="ssh-poll"
    ) as pool:
        futures = [pool.submit(poller.poll, ssh_target(t, settings), ssh_kinds(t, wanted)) for t in targets]
        return [f.result() for f in futures]


async def poll_ssh_targets_async(
    targets: Sequence[Target], kinds: Iterable[PollKind], settings: Settings
) -> list[PollResult]:
    """``poll_ssh_targets`` off the event loop, for the asyncio poll task."""
    return await asyncio.to_thread(poll_ssh_targets, list(targets), frozenset(kinds), settings)


def ssh_follow(
    credentials: SshCredentials, settings: Settings, port: int = 22
) -> Callable[[PollResult], list[str]]:
    """A ``netops.polling.discovery.crawl`` ``follow`` hook that also reads neighbors over SSH.

    For each device found over SNMP whose profile maps to an SSH platform, the CLI's LLDP/CDP
    neighbors are read too, so discovery continues past devices whose LLDP-MIB is disabled.
    """
    from netops.polling.discovery import management_addresses
    from netops.polling.targets import timeouts_from

    def follow(result: PollResult) -> list[str]:
        addresses = management_addresses(result)
        platform = PROFILE_PLATFORMS.get(result.profile)
        if platform is None:
            return addresses
        target = Target(
            device_key=result.device_key,
            host=result.device_key,
            platform=platform,
            ssh=credentials,
            ssh_port=port,
            timeouts=timeouts_from(settings),
        )
        over_ssh = _poller(settings.ssh.session_log_dir).poll(
            ssh_target(target, settings), {PollKind.NEIGHBORS}
        )
        return list(dict.fromkeys(addresses + management_addresses(over_ssh)))

    return follow
