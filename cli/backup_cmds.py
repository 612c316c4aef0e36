"""``netops backup -o FILE`` and ``netops restore FILE``: the data directory in one archive.

The archive holds the database snapshot and the keys that decrypt the stored credentials, so it
is written 0600 and the command says it is sensitive. With PostgreSQL the archive holds the keys
and the command prints the ``pg_dump`` line for the database.
"""

from __future__ import annotations

from pathlib import Path

import click

from cli.common import fail, settings_from


@click.command("backup")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Archive to write (a .tar.gz, mode 0600).")
@click.option("--force", is_flag=True, help="Replace an existing file.")
@click.pass_context
def backup_cmd(ctx: click.Context, output: Path, force: bool) -> None:
    """Write a consistent snapshot of the database and the keys to one archive (safe while running)."""
    from netops.backup import BackupError, create_backup, pg_dump_command

    settings = settings_from(ctx)
    try:
        result = create_backup(settings, output, force=force)
    except (BackupError, OSError) as exc:
        fail(f"backup failed: {exc}")
    click.echo(f"backup written: {result.path} ({', '.join(result.files)}; schema revision "
               f"{result.revision or '-'})")
    click.echo("it holds the secret key that decrypts the stored credentials: keep it as private as "
               "the data directory (mode 0600, off this machine, encrypted at rest)")
    if not result.database_included:
        click.echo("the database is PostgreSQL: the archive holds the keys only; dump the database with")
        click.echo(f"  {pg_dump_command(settings)}")


@click.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the database and keys already in the data directory.")
@click.pass_context
def restore_cmd(ctx: click.Context, archive: Path, force: bool) -> None:
    """Verify a backup archive, then restore it into the data directory (stop the service first)."""
    from netops.backup import BackupError, restore_backup

    settings = settings_from(ctx)
    if not archive.is_file():
        fail(f"no backup archive at {archive}")
    try:
        result = restore_backup(settings, archive, force=force)
    except (BackupError, OSError) as exc:
        fail(f"restore refused: {exc}")
    click.echo(f"restored into {result.data_dir}: {', '.join(result.files)}")
    if result.revision_now:
        click.echo(f"schema revision {result.revision_in_backup or '-'} in the backup, "
                   f"{result.revision_now} now")


def register(group: click.Group) -> None:
    for command in (backup_cmd, restore_cmd):
        group.add_command(command)
