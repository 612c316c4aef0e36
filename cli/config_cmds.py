"""``netops config show|history|fetch``: running configurations kept as versions with diffs.

``show DEVICE`` prints the latest stored configuration (``--version N`` an older one, ``--diff``
the unified diff against the version before it); ``history DEVICE`` lists the versions; ``fetch``
reads the running configuration of devices over SSH now and stores a new version where it
changed (the scheduled ``ssh`` job does the same through the poll task).
"""

from __future__ import annotations

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from cli import exit_codes
from cli.common import echo_json, engine_from, fail, settings_from
from cli.timefmt import clock_from
from inventory.db import session_scope
from inventory.models import Device
from netops.store.config_versions import config_version, config_versions, store_config_result
from topology.hints import no_device


@click.group("config")
def config_group() -> None:
    """Device running configurations: versions and diffs (secrets masked)."""


@config_group.command("show")
@click.argument("device")
@click.option("--diff", "show_diff", is_flag=True, help="The diff against the previous version.")
@click.option("--version", "version", type=int, default=None, help="A stored version (default: latest).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def show_cmd(ctx: click.Context, device: str, show_diff: bool, version: int | None, as_json: bool) -> None:
    """Print a device's stored running configuration, or its diff."""
    with session_scope(engine_from(ctx)) as session:
        record = config_version(session, device, version)
        _known_device(session, device)
    if record is None:
        fail(f"no stored configuration for {device}" + (f" version {version}" if version else ""))
    if as_json:
        echo_json(record)
        return
    if show_diff:
        click.echo(record.diff if record.diff else f"{device} v{record.version} is the first stored version")
        return
    click.echo(record.text, nl=False)


@config_group.command("history")
@click.argument("device")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def history_cmd(ctx: click.Context, device: str, as_json: bool) -> None:
    """List the stored versions of a device's configuration."""
    with session_scope(engine_from(ctx)) as session:
        versions = config_versions(session, device)
        _known_device(session, device)
    if as_json:
        echo_json(
            [{"version": v.version, "collected_at": v.collected_at, "sha256": v.sha256} for v in versions]
        )
        return
    if not versions:
        fail(f"no stored configuration for {device}")
    clock = clock_from(ctx)
    for v in versions:
        changed = "" if v.diff is None else f"  +{_count(v.diff, '+')} -{_count(v.diff, '-')}"
        click.echo(f"v{v.version:<4} {clock.format(v.collected_at)}  {v.sha256[:12]}{changed}")


def _known_device(session: Session, name: str) -> None:
    """A device name that is not in the inventory is a usage mistake, with the nearest names."""
    names = set(session.scalars(select(Device.name)))
    if name not in names:
        fail(no_device(name, names), exit_codes.USAGE)


def _count(diff: str, sign: str) -> int:
    return sum(1 for line in diff.splitlines() if line.startswith(sign) and not line.startswith(sign * 3))


@config_group.command("fetch")
@click.argument("devices", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def fetch_cmd(ctx: click.Context, devices: tuple[str, ...], as_json: bool) -> None:
    """Read the running configuration of DEVICES over SSH now and store changed versions."""
    from collectors.observations import PollKind
    from netops.polling.ssh_branch import poll_ssh_targets
    from netops.polling.targets import TargetError, build_targets

    settings = settings_from(ctx)
    engine = engine_from(ctx)
    with session_scope(engine) as session:
        try:
            targets = build_targets(session, settings, list(devices))
        except TargetError as exc:
            fail(str(exc))
    if missing := [t.device_key for t in targets if t.ssh is None]:
        fail(f"no SSH credentials for: {', '.join(missing)}")
    results = poll_ssh_targets(targets, {PollKind.CONFIG}, settings)
    rows = []
    with session_scope(engine) as session:
        for result in sorted(results, key=lambda r: r.device_key):
            stored = store_config_result(session, result)
            error = "; ".join(f"{e.kind.value}: {e.message}" for e in result.errors)
            rows.append(
                {
                    "device": result.device_key,
                    "ok": result.ok,
                    "new_version": stored.version if stored else None,
                    "error": error or None,
                }
            )
    if as_json:
        echo_json(rows)
    for row in [] if as_json else rows:
        state = (
            f"stored v{row['new_version']}"
            if row["new_version"]
            else ("unchanged" if row["ok"] else row["error"])
        )
        click.echo(f"{row['device']:<30} {state}")
    if not all(r["ok"] for r in rows):
        ctx.exit(1)


def register(group: click.Group) -> None:
    group.add_command(config_group)
