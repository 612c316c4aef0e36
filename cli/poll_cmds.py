"""``netops poll`` and ``netops discover``: poll inventory devices now, crawl from seeds.

The collector and store are imported inside the commands, so other commands start fast.

Both apply what they read through the one path (``netops.apply``: persist, link sync, assess,
record states and outages), print a summary table (or ``--json``) on stdout and progress on
stderr; devices that do not answer are reported, never fatal. ``poll`` exits 0 when every
device was read, 1 when some failed, 3 when none answered or none could be polled (the
reason is printed: disabled devices, a secret not set); see ``cli.exit_codes``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import click
from sqlalchemy import Engine, select

from cli import exit_codes
from cli.common import echo_json, engine_from, fail, settings_from
from collectors.observations import PollKind, PollResult
from collectors.targets import SnmpV2c, SnmpV3, Target
from inventory.db import session_scope
from inventory.models import Credential, Device
from netops.audit import record_change
from netops.polling.discovery import DiscoveryReport, crawl, store_discovery
from netops.polling.icmp import IcmpStats
from netops.polling.targets import TargetError, build_target, build_targets
from netops.secrets import SecretError
from netops.settings import Settings
from topology.hints import no_device


def result_json(result: PollResult) -> dict[str, Any]:
    """The ``--json`` object of one device: only the kinds this poll read."""
    out: dict[str, Any] = {
        "device": result.device_key,
        "ok": result.ok,
        "profile": result.profile,
        "completed": sorted(result.completed),
        "errors": [
            {"kind": str(e.kind), "poll_kind": e.poll_kind, "message": e.message} for e in result.errors
        ],
    }
    done = result.completed
    if PollKind.FACTS in done and result.facts is not None:
        out["facts"] = result.facts
    if PollKind.INTERFACES in done:
        out["interfaces"] = list(result.interfaces)
    if PollKind.COUNTERS in done:
        out["counters"] = list(result.counters)
    if PollKind.NEIGHBORS in done:
        out["neighbors"] = [
            {
                "local_port": n.local_port,
                "remote_system_name": n.system_name,
                "remote_port": n.port_id,
                "remote_port_kind": n.port_id_kind,
                "remote_port_description": n.port_description,
                "remote_chassis_id": n.chassis_id,
                "remote_chassis_id_kind": n.chassis_id_kind,
                "remote_management_address": n.management_address,
                "protocol": n.protocol,
            }
            for n in result.neighbors
        ]
    if PollKind.OPTICS in done:
        out["optics"] = list(result.optics)
    if PollKind.CONFIG in done and result.config is not None:
        out["config"] = {
            "source_command": result.config.source_command,
            "lines": len(result.config.text.splitlines()),
        }
    return out


def _summary(result: PollResult) -> str:
    up = sum(1 for i in result.interfaces if i.oper_status == "up")
    parts = [
        f"{result.device_key:<28}",
        "ok " if result.ok else "ERR",
        f"{up}/{len(result.interfaces)} up" if PollKind.INTERFACES in result.completed else "",
        f"{len(result.neighbors)} nbr" if PollKind.NEIGHBORS in result.completed else "",
        f"{len(result.counters)} ctr" if PollKind.COUNTERS in result.completed else "",
        "; ".join(f"{e.poll_kind or 'poll'}: {e.kind}: {e.message}" for e in result.errors),
    ]
    return "  ".join(p for p in parts if p)


@click.command("poll")
@click.option(
    "--kind",
    "job",
    type=click.Choice(["status", "counters", "discovery", "ssh"]),
    default="status",
    show_default=True,
    help="Which job's poll kinds to read.",
)
@click.option("--device", "devices", multiple=True, metavar="NAME", help="Only these devices (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per device.")
@click.pass_context
def poll_cmd(ctx: click.Context, job: str, devices: tuple[str, ...], as_json: bool) -> None:
    """Poll inventory devices now (SNMP; SSH for --kind ssh) and store the results."""
    from netops.apply import STATUS_JOB, apply_results, probes_of
    from netops.monitor.monitor import Monitor

    settings, engine = settings_from(ctx), engine_from(ctx)
    with session_scope(engine) as session:
        known = set(session.scalars(select(Device.name)))
        for name in devices:
            if name not in known:
                fail(no_device(name, known), exit_codes.USAGE)
        try:
            targets = build_targets(session, settings, list(devices) or None)
        except TargetError as exc:
            fail(f"nothing polled: {exc}", exit_codes.NOTHING_ANSWERED)
        if not targets:
            fail(f"no devices to poll: {nothing_to_poll(session, settings)}", exit_codes.NOTHING_ANSWERED)
    done = 0

    def progress(result: PollResult) -> None:
        nonlocal done
        done += 1
        state = "ok" if result.ok else "errors"
        click.echo(f"[{done}/{len(targets)}] {result.device_key}: {state}", err=True)

    results, bursts = _run(_poll_and_confirm(targets, job, settings, engine, progress))
    icmp = {name: None if stats is None else stats.answered for name, stats in bursts.items()}
    latency = {name: stats for name, stats in bursts.items() if stats is not None}
    with session_scope(engine) as session:
        probes = probes_of(results, icmp, "netops poll") if job == STATUS_JOB else {}
        now = datetime.now(UTC)
        applied = apply_results(session, Monitor(settings), results, job=job, now=now, probes=probes,
                                latency=latency)
    opened, closed = applied.evaluation.outages.opened, applied.evaluation.outages.closed
    if opened or closed:
        click.echo(f"outages: {len(opened)} opened, {len(closed)} closed", err=True)
    failed = sum(1 for r in results if not r.ok)
    if as_json:
        echo_json([result_json(r) for r in results])
    else:
        for result in results:
            click.echo(_summary(result))
        click.echo(f"{len(results)} devices polled ({job}), {failed} with errors")
    ctx.exit(poll_exit_code(results))


def poll_exit_code(results: list[PollResult]) -> int:
    """0 every device read without error; 3 none answered at all; 1 anything between."""
    if all(r.ok for r in results):
        return exit_codes.OK
    if not any(r.reachable for r in results):
        return exit_codes.NOTHING_ANSWERED
    return exit_codes.FAILED


def nothing_to_poll(session: Any, settings: Settings) -> str:
    """Why ``netops poll`` found no device: none declared, all disabled, or secrets not set."""
    devices = list(session.scalars(select(Device).order_by(Device.name)))
    if not devices:
        return ("the inventory is empty (import one with `netops inventory import FILE` "
                "or run `netops discover`)")
    reasons: Counter[str] = Counter()
    for device in devices:
        if not device.enabled:
            reasons["disabled"] += 1
            continue
        try:
            build_target(device, settings)
        except TargetError as exc:
            reasons[f"skipped: {str(exc).removeprefix(f'device {device.name}: ')}"] += 1
    said = "; ".join(f"{n} device{'s' if n != 1 else ''} {why}" for why, n in sorted(reasons.items()))
    return said or "no enabled device could be turned into a poll target"


Bursts = dict[str, IcmpStats | None]  # by device name


async def _poll_and_confirm(
    targets: list[Target],
    job: str,
    settings: Settings,
    engine: Engine,
    progress: Callable[[PollResult], None],
) -> tuple[list[PollResult], Bursts]:
    """Poll with the ICMP burst beside (status), then a confirmation round as the scheduler does.

    The devices between a silent device and the core and the devices behind a recovery are polled
    again (``netops.polling.confirm``), so ``netops poll --device X`` records settled evidence."""
    from netops.apply import STATUS_JOB
    from netops.monitor.monitor import Monitor
    from netops.polling.confirm import confirmation
    from netops.polling.executor import burst_settings
    from netops.polling.icmp import ping_many
    from netops.polling.poll_task import JOB_KINDS, poll_targets

    kinds = JOB_KINDS[job]
    if job != STATUS_JOB:
        return await poll_targets(targets, kinds, settings, on_result=progress), {}
    pinging = (asyncio.ensure_future(ping_many({t.host for t in targets}, burst_settings(settings)))
               if settings.monitor.icmp else None)
    results = await poll_targets(targets, kinds, settings, on_result=progress)
    with session_scope(engine) as session:
        current = Monitor(settings).peek(session, datetime.now(UTC))
    silent = [r.device_key for r in results if not r.answered]
    again = confirmation(current, silent, [r for r in results if r.answered])
    everyone = {t.device_key: t for t in targets}
    if again - set(everyone):  # upstream devices outside --device: their targets too
        with session_scope(engine) as session, contextlib.suppress(TargetError):
            others = build_targets(session, settings, sorted(again - set(everyone)))
            everyone.update((t.device_key, t) for t in others)
    if again:
        by_name = {r.device_key: r for r in results}
        confirm = [everyone[n] for n in sorted(again) if n in everyone]
        for result in await poll_targets(confirm, kinds, settings):
            by_name[result.device_key] = result
        results = list(by_name.values())
    pings = await pinging if pinging is not None else {}
    hosts = {r.device_key: everyone[r.device_key].host for r in results if r.device_key in everyone}
    return results, {name: pings.get(host) for name, host in hosts.items()}


def _run(coro: Any) -> Any:
    """Run ``coro`` and close the SNMP engine inside the same event loop."""

    from netops.polling.poll_task import close_pollers

    async def main() -> Any:
        try:
            return await coro
        finally:
            close_pollers()

    return asyncio.run(main())


def _credential(
    session: Any, settings: Settings, name: str | None, community: str | None
) -> tuple[Credential, SnmpV2c | SnmpV3]:
    if name:
        cred = session.scalar(select(Credential).where(Credential.name == name, Credential.type == "snmp"))
        if cred is None:
            fail(f"unknown SNMP credential {name!r}")
    elif community:
        from netops.polling.discovery import credential_for_community

        cred = credential_for_community(session, community, settings)
    else:
        fail("give --snmp-credential NAME or --community C", exit_codes.USAGE)
    try:
        snmp = build_target(Device(name="seed", address="0.0.0.0", snmp_credential=cred), settings).snmp
    except (TargetError, SecretError) as exc:
        fail(str(exc))
    assert snmp is not None
    return cred, snmp


def _ssh_follow(session: Any, settings: Settings, name: str) -> Any:
    """The discovery ``follow`` hook that also reads CLI neighbors over SSH (netops.polling.ssh_branch)."""
    from netops.polling.ssh_branch import ssh_follow

    cred = session.scalar(select(Credential).where(Credential.name == name, Credential.type == "ssh"))
    if cred is None:
        fail(f"unknown SSH credential {name!r}")
    try:
        ssh = build_target(Device(name="seed", address="0.0.0.0", ssh_credential=cred), settings).ssh
    except (TargetError, SecretError) as exc:
        fail(str(exc))
    assert ssh is not None
    return ssh_follow(ssh, settings)


def report_json(report: DiscoveryReport) -> dict[str, Any]:
    def device(f: Any) -> dict[str, Any]:
        name = report.names[f.address]
        placed = report.placed.get(name)
        return {
            "name": name,
            "address": f.address,
            "depth": f.depth,
            "added": name in report.added,
            "neighbors": len(f.result.neighbors),
            "errors": list(dict.fromkeys(e.message for e in f.result.errors)),
            "role": placed.role if placed else None,
            "role_source": placed.role_source if placed else None,
            "site": placed.site if placed else None,
            "site_kind": placed.site_kind if placed else None,
            "kind_source": placed.kind_source if placed else None,
        }

    return {
        "devices": [device(f) for f in report.found if f.address in report.names],
        "roots": report.roots,
        "roots_from": report.roots_from,
        "unreachable": [{"address": a, "error": e} for a, e in report.unreachable],
        "not_followed": [
            {"neighbor": n.neighbor, "address": n.address, "reason": n.reason} for n in report.not_followed
        ],
        "clashes": [
            {"name": c.name, "address": c.address, "existing_address": c.existing_address}
            for c in report.clashes
        ],
        "networks": report.networks,
        "sites_created": report.sites_created,
        "neighbors": report.neighbors,
        "links_created": report.links_created,
        "links_updated": report.links_updated,
    }


ROOTS_FROM = {
    "seeds": "the seeds: no device had the role core",
    "--core": "named with --core",
    "monitor.roots": "the setting monitor.roots",
    "inventory": "the devices with the role core",
    "none": "none: give a device the role core (--core NAME, the inventory file) or set monitor.roots",
}


def _print_report(report: DiscoveryReport) -> None:
    for f in report.found:
        if f.address not in report.names:
            continue
        name = report.names[f.address]
        mark = "added" if name in report.added else "known"
        placed = report.placed.get(name)
        where = ""
        if placed is not None:
            where = f"  {placed.role} ({placed.role_source})"
            if placed.site is not None:
                where += f"  {placed.site} [{placed.site_kind}, {placed.kind_source}]"
        click.echo(f"{name:<28} {f.address:<16} depth {f.depth}  {mark}  "
                   f"{len(f.result.neighbors)} neighbors{where}")
    for address, error in report.unreachable:
        click.echo(f"{'(no answer)':<28} {address:<16} {error}")
    for n in report.not_followed:
        click.echo(f"{'(not followed)':<28} {n.address or '-':<16} {n.neighbor or '?'}: {n.reason}")
    for c in report.clashes:
        click.echo(
            f"{'(sysName clash)':<28} {c.address:<16} says it is {c.name}, "
            f"known at {c.existing_address}: nothing stored"
        )
    roots = ", ".join(report.roots) or "-"
    click.echo(f"core: {roots} ({ROOTS_FROM.get(report.roots_from, report.roots_from)})")
    links = "" if report.links_created is None else f", links {report.links_created} new"
    click.echo(
        f"{len(report.names)} devices ({len(report.added)} added), "
        f"{len(report.unreachable)} unreachable, {report.neighbors} neighbors{links}, "
        f"{len(report.not_followed)} neighbors not followed, {len(report.clashes)} sysName clashes "
        f"(allowed: {', '.join(report.networks) or 'the seeds only'})"
    )





def _split_seed(text: str) -> tuple[str, int | None]:
    """``host``, ``host:port``, ``[v6]:port`` or a bare IPv6 address -> (host, port or None)."""
    import ipaddress

    value = text.strip()
    host, port = value, None
    if value.startswith("[") and "]" in value:
        host, _, rest = value[1:].partition("]")
        if rest:
            if not rest.startswith(":"):
                fail(f"--seed {text!r}: write [IPv6]:PORT, e.g. [fd00::1]:161", exit_codes.USAGE)
            port = rest[1:]
    elif value.count(":") == 1:
        host, port = value.split(":")
    elif value.count(":") > 1:
        try:
            ipaddress.IPv6Address(value)
        except ValueError:
            fail(f"--seed {text!r}: not an address (IPv6 with a port is written [fd00::1]:161)",
                 exit_codes.USAGE)
    if not host:
        fail(f"--seed {text!r}: no host", exit_codes.USAGE)
    if port is None:
        return host, None
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        fail(f"--seed {text!r}: the port must be a number from 1 to 65535", exit_codes.USAGE)
    return host, int(port)


def _seeds(ctx: click.Context, seeds: tuple[str, ...], port: int) -> tuple[list[str], int]:
    """The seed hosts and the one SNMP port of the crawl (``--port``, or the port every seed names)."""
    split = [_split_seed(s) for s in seeds]
    named = sorted({p for _, p in split if p is not None})
    explicit = ctx.get_parameter_source("port") not in (None, click.core.ParameterSource.DEFAULT)
    if len(named) > 1:
        fail(f"--seed: the seeds name different ports ({', '.join(map(str, named))}); discover polls "
             "every device on one SNMP port: run it once per port (--port)", 2)
    if named and explicit and named[0] != port:
        fail(f"--seed names port {named[0]} but --port is {port}: give one of them", exit_codes.USAGE)
    return list(dict.fromkeys(h for h, _ in split)), named[0] if named else port


def _resolved(hosts: list[str]) -> list[str]:
    """Each seed as an address; a host name that does not resolve stops the command in one line."""
    import ipaddress
    import socket

    out = []
    for host in hosts:
        try:
            out.append(str(ipaddress.ip_address(host)))
            continue
        except ValueError:
            pass
        try:
            infos = socket.getaddrinfo(host, None, type=socket.SOCK_DGRAM)
        except (OSError, UnicodeError):
            fail(f"--seed {host!r}: cannot resolve this host name", exit_codes.USAGE)
        out += list(dict.fromkeys(str(info[4][0]) for info in infos))
    return out


@click.command("discover")
@click.option(
    "--seed",
    "seeds",
    multiple=True,
    required=True,
    metavar="HOST[:PORT]",
    help="Start here (repeatable); a port here is the SNMP port of the whole crawl.",
)
@click.option("--snmp-credential", "cred_name", metavar="NAME", help="A stored SNMP credential.")
@click.option("--community", metavar="C", help="SNMPv2c community (stored encrypted for the devices found).")
@click.option(
    "--network",
    "networks",
    multiple=True,
    metavar="CIDR",
    help="Only follow neighbors inside this network (repeatable; default: setting "
    "discovery.networks, else the private ranges of the seeds).",
)
@click.option(
    "--max-depth",
    default=None,
    type=click.IntRange(min=0),
    help="Hops from the seeds (default: no limit; the allowed networks bound the crawl).",
)
@click.option("--port", default=161, show_default=True, type=click.IntRange(1, 65535), help="SNMP UDP port.")
@click.option(
    "--core",
    "core",
    multiple=True,
    metavar="NAME|ADDRESS",
    help="These devices are the core (repeatable; declared, so discovery never changes it). "
    "Default: the devices with the role core, else monitor.roots, else the seeds.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable report.")
@click.option(
    "--ssh-credential",
    "ssh_cred_name",
    metavar="NAME",
    help="Also follow the neighbors read over SSH with this stored SSH credential.",
)
@click.pass_context
def discover_cmd(
    ctx: click.Context,
    seeds: tuple[str, ...],
    cred_name: str | None,
    community: str | None,
    networks: tuple[str, ...],
    max_depth: int | None,
    port: int,
    as_json: bool,
    core: tuple[str, ...] = (),
    ssh_cred_name: str | None = None,
) -> None:
    """Crawl the network from seed addresses by LLDP/CDP and add what answers to the inventory.

    Only management addresses inside the allowed networks are polled; the report lists every
    neighbor not followed and why, and every sysName that clashes with a known device. Devices
    are named by sysName and placed in the site their sysLocation names, with the site kind
    inferred from its name and the role from the network's shape; with no core known, the
    seeds become the core.

    Exit status: 0 done (some devices may not have answered: see the report), 2 bad usage
    (options, networks, credentials, --core naming no device; nothing stored), 3 no seed
    answered.
    """
    from inventory.site_kinds import KindRulesError
    from netops.polling.discovery_scope import DiscoveryScopeError, allowed_networks
    from netops.polling.discovery_store import UnknownCoreError, kind_rules

    if cred_name and community:
        fail("give only one of --snmp-credential and --community", exit_codes.USAGE)
    settings = settings_from(ctx)
    hosts, port = _seeds(ctx, seeds, port)
    try:
        allowed = allowed_networks(_resolved(hosts), networks, settings)
        kind_rules(settings)
    except (DiscoveryScopeError, KindRulesError) as exc:
        fail(str(exc), exit_codes.USAGE)
    engine = engine_from(ctx)  # usage errors first: they need no database
    with session_scope(engine) as session:
        cred, snmp = _credential(session, settings, cred_name, community)
        cred_id = cred.id
        extra = {"follow": _ssh_follow(session, settings, ssh_cred_name)} if ssh_cred_name else {}
    report = _run(
        crawl(
            hosts,
            snmp,
            settings,
            networks=[str(n) for n in allowed],
            max_depth=max_depth,
            port=port,
            progress=lambda text: click.echo(text, err=True),
            **extra,
        )
    )
    try:
        with session_scope(engine) as session:
            store_discovery(session, report, session.get(Credential, cred_id), settings, port=port, core=core)
            if report.added or report.sites_created or report.links_created:
                record_change(session, "inventory.discover", ", ".join(report.seeds) or "-", None,
                              {"devices_added": report.added, "sites_created": report.sites_created,
                               "links_created": report.links_created, "links_updated": report.links_updated})
    except UnknownCoreError as exc:
        fail(f"{exc}; nothing stored", exit_codes.USAGE)
    if as_json:
        echo_json(report_json(report))
    else:
        _print_report(report)
    if report.seeds_failed:
        ctx.exit(exit_codes.NOTHING_ANSWERED)


def register(group: click.Group) -> None:
    group.add_command(poll_cmd)
    group.add_command(discover_cmd)
