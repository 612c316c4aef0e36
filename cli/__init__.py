"""The composition root: the ``netops`` command line and the demo runner, wiring every package.

Only here do the service (``netops``), the web layer (``web``) and the simulated network
(``simulator``) meet: one click group, one module per command family, each exposing
``register(group)``; the demo runner starts the simulator, the service and the web as one.
User mistakes raise ``click.ClickException`` (one clear line, non-zero exit), never a traceback.
"""

from __future__ import annotations

import click

from cli import (
    audit_cmds,
    backup_cmds,
    base_cmds,
    config_cmds,
    demo_cmds,
    maintenance_cmds,
    notify_cmds,
    ops_cmds,
    poll_cmds,
    report_cmds,
    telegram_cmds,
    topology_cmds,
    web_cmds,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="NETOPS_CONFIG",
              help="TOML configuration file (default: none; NETOPS_* variables still apply).")
@click.option("-v", "--verbose", count=True, help="More logging (-vv for debug).")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, verbose: int) -> None:
    """netops: inventory and monitoring of a municipal fiber network."""
    from cli import terminal
    from cli.common import setup_logging
    from netops.audit import acting, cli_actor
    from netops.runtime import private_umask

    terminal.install()  # before logging, so log lines are escaped too
    ctx.with_resource(private_umask())  # every file a command creates is 0600, restored when it ends
    ctx.with_resource(acting(cli_actor()))  # changes are audited as the OS user's, from "cli:<user>"
    setup_logging(verbose)
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path
    ctx.obj["verbose"] = verbose


for _family in (base_cmds, web_cmds, topology_cmds, demo_cmds, ops_cmds, config_cmds, poll_cmds,
                maintenance_cmds, report_cmds, notify_cmds,
                audit_cmds, backup_cmds, telegram_cmds):  # telegram after web: it adds to `user`
    _family.register(main)
