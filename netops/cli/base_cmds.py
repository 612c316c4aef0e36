"""Foundation commands: ``netops init`` and ``netops inventory import|export|show``.

``init`` creates the data directory, the schema (Alembic) and the secret key; the inventory
commands move the declared network between YAML/CSV files and the database. Invalid inventory
files exit with status 2 after listing every problem with file:line.
"""

from __future__ import annotations

import click

from netops.cli.common import settings_from
from netops.runtime import init_service


@click.command("init")
@click.pass_context
def init_cmd(ctx: click.Context) -> None:
    """Create or upgrade the database schema, the data directory and the secret key."""
    from netops.cli.common import fail

    settings = settings_from(ctx)
    try:
        result = init_service(settings)
    except Exception as exc:  # database or file system problem: one clear line
        fail(f"init failed: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
    click.echo(f"data directory: {result.data_dir}")
    click.echo(f"database: {result.database} (schema revision {result.revision})")
    key_state = "created" if result.key_created else "kept"
    click.echo(f"secret key: {settings.secret_key_path} ({key_state})")


def register(group: click.Group) -> None:
    group.add_command(init_cmd)
