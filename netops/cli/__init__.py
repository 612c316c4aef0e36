"""The ``netops`` command line: one click group, one module per command family.

Each module in ``COMMAND_MODULES`` exposes ``register(group)``; user mistakes raise
``click.ClickException`` (one clear line, non-zero exit), never a traceback.
"""

from __future__ import annotations

import importlib

import click

COMMAND_MODULES = (
    "netops.cli.base_cmds",
    "netops.cli.web_cmds",
    "netops.cli.topology_cmds",
    "netops.cli.demo_cmds",
    "netops.cli.ops_cmds",
    "netops.cli.config_cmds",
    "netops.cli.poll_cmds",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="NETOPS_CONFIG",
              help="TOML configuration file (default: none; NETOPS_* variables still apply).")
@click.option("-v", "--verbose", count=True, help="More logging (-vv for debug).")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, verbose: int) -> None:
    """netops: inventory and monitoring of a municipal fiber network."""
    from netops.cli.common import setup_logging

    setup_logging(verbose)
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path
    ctx.obj["verbose"] = verbose


for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(main)
