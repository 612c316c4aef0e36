"""``netops demo`` (a simulated Magelang-like network wired to the real service), ``netops demo
fault ...`` (break or repair it through the running demo's control hook) and ``netops start``
(what ``make run`` runs: the demo on a fresh install, the real service once an inventory exists).
"""

from __future__ import annotations

from pathlib import Path

import click

from cli import exit_codes
from cli.common import fail, settings_from


@click.group("demo", invoke_without_command=True)
@click.option("--topology", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Topology file in the shared/testbed JSON format (default: built-in Magelang network).")
@click.option("--host", default=None, help="Web address to bind (default: web.host, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Web port (default: web.port, 8000).")
@click.option("--snmp-port", type=int, default=16161, show_default=True,
              help="UDP port of the simulated agents (one loopback address per switch).")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the network and of the faults.")
@click.option("--quiet", is_flag=True, help="No automatic faults (use `netops demo fault` instead).")
@click.option("--fault-every", type=float, default=180.0, show_default=True,
              help="Mean seconds between automatic faults.")
@click.option("--declare-links/--no-declare-links", default=True, show_default=True,
              help="Declare the fibers in the demo inventory (with operators' port names), so the "
                   "cabling audit shows them confirmed; --no-declare-links leaves them to LLDP discovery.")
@click.option("--real", is_flag=True,
              help="Real snmpd + lldpd in network namespaces (shared/testbed, root) instead of simulation.")
@click.option("--testbed-prefix", default="demo", show_default=True, help="Prefix of the --real testbed.")
@click.pass_context
def demo_group(ctx: click.Context, topology: Path | None, host: str | None, port: int | None, snmp_port: int,
               seed: int, quiet: bool, fault_every: float, declare_links: bool, real: bool,
               testbed_prefix: str) -> None:
    """Run a simulated municipal fiber network with polling, outages and the web UI.

    Everything runs on loopback without root; Ctrl-C stops everything the demo started.
    """
    if ctx.invoked_subcommand is not None:
        return
    from cli.demo_runner import DemoError, DemoOptions, run_demo
    from simulator.topofile import TopologyError

    options = DemoOptions(topology=str(topology) if topology else None, seed=seed, host=host, port=port,
                          snmp_port=snmp_port, quiet=quiet, every_s=fault_every, declare_links=declare_links,
                          real=real, testbed_prefix=testbed_prefix)
    try:
        run_demo(settings_from(ctx), options, click.echo)
    except (DemoError, TopologyError) as exc:
        fail(str(exc))


@demo_group.command("fault")
@click.argument("action", type=click.Choice(["cut-link", "restore-link", "fail-device", "restore-device",
                                              "restore-all"]))
@click.argument("a", required=False, default="")
@click.argument("b", required=False, default="")
@click.pass_context
def fault_cmd(ctx: click.Context, action: str, a: str, b: str) -> None:
    """Break or repair the running demo: `cut-link A[:PORT] B[:PORT]`, `fail-device N`, `restore-all`."""
    from simulator.control import ControlError, demo_dir, submit
    from simulator.faults import FaultCommand

    needed = {"cut-link": 2, "restore-link": 2, "fail-device": 1, "restore-device": 1,
              "restore-all": 0}[action]
    if sum(1 for x in (a, b) if x) != needed:
        fail(f"{action} needs {needed} device name{'s' if needed != 1 else ''}")
    settings = settings_from(ctx)
    directory = demo_dir(settings.data_dir)
    try:
        answer = submit(directory, FaultCommand(action, a, b))
    except ControlError as exc:
        fail(str(exc))
    if not answer.get("ok"):
        fail(_fault_refused(directory, action, a, b, str(answer.get("message"))), exit_codes.USAGE)
    click.echo(answer.get("message"))
    for link in answer.get("cut_links", []):
        click.echo(f"  cut: {link}")
    for device in answer.get("failed_devices", []):
        click.echo(f"  failed: {device}")


def _fault_refused(directory: Path, action: str, a: str, b: str, message: str) -> str:
    """The demo's refusal, with the fibers or switches that do exist when it named none."""
    from cli.demo_runner import read_fibers
    from topology.hints import missing_fiber, no_device

    devices, fibers = read_fibers(directory)
    if not devices:
        return message
    if action in ("cut-link", "restore-link") and message.startswith(("no fiber", "no demo device")):
        return missing_fiber(a, b, fibers, devices)
    if message.startswith("no demo device"):
        return no_device(a, devices)
    return message


@demo_group.command("status")
@click.pass_context
def status_cmd(ctx: click.Context) -> None:
    """Show whether a demo runs on this data directory and what is broken now."""
    from simulator.control import demo_dir, read_status

    status = read_status(demo_dir(settings_from(ctx).data_dir))
    if status is None:
        fail("no demo is running on this data directory")
    click.echo(f"demo agents: pid {status['pid']}, {len(status['devices'])} switches, "
               f"UDP port {status['snmp_port']}, community {status['community']!r}")
    click.echo(f"cut fibers: {', '.join(status['cut_links']) or 'none'}")
    click.echo(f"failed switches: {', '.join(status['failed_devices']) or 'none'}")


@click.command("start")
@click.option("--port", type=int, default=None, help="Web port of the demo (default: web.port, 8000).")
@click.option("--snmp-port", type=int, default=16161, show_default=True,
              help="UDP port of the demo's simulated agents.")
@click.pass_context
def start_cmd(ctx: click.Context, port: int | None, snmp_port: int) -> None:
    """What `make run` runs: init the database; the demo when no inventory was imported, else `run`."""
    from cli.demo_runner import DemoError, DemoOptions, real_devices, run_demo
    from netops.runtime import init_service, open_database

    settings = settings_from(ctx)
    init_service(settings)
    engine = open_database(settings)
    try:
        real = real_devices(engine)
    finally:
        engine.dispose()
    if real:
        run_cmd = ctx.find_root().command.commands.get("run")  # type: ignore[attr-defined]
        if run_cmd is None:
            fail("`netops run` (the real service) is not available in this build")
        click.echo(f"{real} device{'s' if real != 1 else ''} in the inventory of {settings.data_dir}: "
                   "starting the service (`netops run`)")
        ctx.invoke(run_cmd)
        return
    click.echo("no inventory imported yet: starting the demo network (`netops demo`); "
               "import yours with `netops inventory import FILE`")
    try:
        run_demo(settings, DemoOptions(port=port, snmp_port=snmp_port), click.echo)
    except DemoError as exc:
        fail(str(exc))


def register(group: click.Group) -> None:
    group.add_command(demo_group)
    group.add_command(start_cmd)
