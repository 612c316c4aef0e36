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
from typing import TYPE_CHECKING, Any

import click
from sqlalchemy import Engine, select

if TYPE_CHECKING:
    from netops.polling.discovery import DiscoveryReport

from cli import exit_codes
from cli.common import echo_json, engine_from, fail, settings_from
from cli.hints import no_device
from collectors.observations import PollKind, PollResult
from collectors.targets import SnmpV2c, SnmpV3, Target
from inventory.db import session_scope
from inventory.models import Credential, Device
from netops.polling.discovery import DiscoveryReport, crawl, store_discovery
from netops.polling.targets import TargetError, build_target, build_targets
from netops.secrets import SecretError
from netops.settings import Settings


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

    results, icmp = _run(_poll_and_confirm(targets, job, settings, engine, progress))
    with session_scope(engine) as session:
        probes = probes_of(results, icmp, "netops poll") if job == STATUS_JOB else {}
        now = datetime.now(UTC)
        applied = apply_results(session, Monitor(settings), results, job=job, now=now, probes=probes)
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


Icmp = dict[str, bool | None]


async def _poll_and_confirm(
    targets: list[Target],
    job: str,
    settings: Settings,
    engine: Engine,
    progress: Callable[[PollResult], None],
) -> tuple[list[PollResult], Icmp]:
    """Poll, then (status) a confirmation round as the scheduler does, and ping the silent devices.

    The devices between a silent device and the core and the devices behind a recovery are polled
    again (``netops.polling.confirm``), so ``netops poll --device X`` records settled evidence."""
    from netops.apply import STATUS_JOB
    from netops.monitor.monitor import Monitor
    from netops.polling.confirm import confirmation
    from netops.polling.icmp import ping_many
    from netops.polling.poll_task import JOB_KINDS, poll_targets

    kinds = JOB_KINDS[job]
    results = await poll_targets(targets, kinds, settings, on_result=progress)
    if job != STATUS_JOB:
        return results, {}
    with session_scope(engine) as session:
        current = Monitor(settings).peek(session, datetime.now(UTC))
    silent = [r.device_key for r in results if not r.reachable]
    again = confirmation(current, silent, [r for r in results if r.reachable])
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
    hosts = {
        r.device_key: everyone[r.device_key].host
        for r in results
        if not r.reachable and r.device_key in everyone
    }
    pings = await ping_many(hosts.values()) if hosts and settings.monitor.icmp else {}
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
        fail("give --snmp-credential NAME or --community C", 2)
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
    return {
        "devices": [
            {
                "name": report.names[f.address],
                "address": f.address,
                "depth": f.depth,
                "added": report.names[f.address] in report.added,
                "neighbors": len(f.result.neighbors),
                "errors": [e.message for e in f.result.errors],
            }
            for f in report.found
            if f.address in report.names
        ],
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


def _print_report(report: DiscoveryReport) -> None:
    for f in report.found:
        if f.address not in report.names:
            continue
        name = report.names[f.address]
        mark = "added" if name in report.added else "known"
        click.echo(f"{name:<28} {f.address:<16} depth {f.depth}  {mark}  {len(f.result.neighbors)} neighbors")
    for address, error in report.unreachable:
        click.echo(f"{'(no answer)':<28} {address:<16} {error}")
    for n in report.not_followed:
        click.echo(f"{'(not followed)':<28} {n.address or '-':<16} {n.neighbor or '?'}: {n.reason}")
    for c in report.clashes:
        click.echo(
            f"{'(sysName clash)':<28} {c.address:<16} says it is {c.name}, "
            f"known at {c.existing_address}: nothing stored"
        )
    links = "" if report.links_created is None else f", links {report.links_created} new"
    click.echo(
        f"{len(report.names)} devices ({len(report.added)} added), "
        f"{len(report.unreachable)} unreachable, {report.neighbors} neighbors{links}, "
        f"{len(report.not_followed)} neighbors not followed, {len(report.clashes)} sysName clashes "
        f"(allowed: {', '.join(report.networks) or 'the seeds only'})"
    )


@click.command("discover")
@click.option(
    "--seed", "seeds", multiple=True, required=True, metavar="ADDRESS", help="Start here (repeatable)."
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
    ssh_cred_name: str | None = None,
) -> None:
    """Crawl the network from seed addresses by LLDP/CDP and add what answers to the inventory.

    Only management addresses inside the allowed networks are polled; the report lists every
    neighbor not followed and why, and every sysName that clashes with a known device.
    """
    from netops.polling.discovery_scope import DiscoveryScopeError, allowed_networks

    if cred_name and community:
        fail("give only one of --snmp-credential and --community", 2)
    settings, engine = settings_from(ctx), engine_from(ctx)
    try:
        allowed_networks(seeds, networks, settings)
    except DiscoveryScopeError as exc:
        fail(str(exc), 2)
    with session_scope(engine) as session:
        cred, snmp = _credential(session, settings, cred_name, community)
        cred_id = cred.id
        extra = {"follow": _ssh_follow(session, settings, ssh_cred_name)} if ssh_cred_name else {}
    report = _run(
        crawl(
            list(seeds),
            snmp,
            settings,
            networks=networks,
            max_depth=max_depth,
            port=port,
            progress=lambda text: click.echo(text, err=True),
            **extra,
        )
    )
    with session_scope(engine) as session:
        store_discovery(session, report, session.get(Credential, cred_id), settings, port=port)
    if as_json:
        echo_json(report_json(report))
        return
    _print_report(report)


def register(group: click.Group) -> None:
    group.add_command(poll_cmd)
    group.add_command(discover_cmd)
