"""Foundation commands: ``netops init`` and ``netops inventory import|import-routes|export|show``.

``init`` creates the data directory, the schema (Alembic) and the secret key; the inventory
commands move the declared network between YAML/CSV files and the database. An invalid
inventory file exits with status 2 after listing every problem with file:line; no command
ever prints a secret.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import tempfile
from pathlib import Path

import click
from alembic.util import CommandError
from sqlalchemy.exc import SQLAlchemyError

from cli.common import echo_json, engine_from, fail, settings_from
from inventory.db import session_scope
from inventory.files import FORMATS, export_inventory, import_inventory_file
from inventory.policy import ImportPolicy
from inventory.queries import list_device_details, list_sites
from inventory.spec import InventoryError
from netops.audit_inventory import record_import, snapshot
from netops.encryption import FernetSealer, SecretError
from netops.route_files import RouteFileError, read_route_file
from netops.route_import import import_routes
from netops.runtime import init_service
from netops.secret_policy import ReferencePolicy

log = logging.getLogger(__name__)
EXIT_INVALID_INVENTORY = 2


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@click.command("init")
@click.pass_context
def init_cmd(ctx: click.Context) -> None:
    """Create or upgrade the database schema, the data directory and the secret key."""
    settings = settings_from(ctx)
    try:
        result = init_service(settings)
    except (SQLAlchemyError, OSError, CommandError) as exc:
        fail(f"init failed: {_first_line(exc)}")
    click.echo(f"data directory: {result.data_dir}")
    click.echo(f"database: {result.database} (schema revision {result.revision})")
    click.echo(f"secret key: {settings.secret_key_path} ({'created' if result.key_created else 'kept'})")


@click.group("inventory")
def inventory_group() -> None:
    """Import, export and list the declared network (sites, devices, links, credentials)."""


@inventory_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and count changes without writing anything.")
@click.pass_context
def import_cmd(ctx: click.Context, file: Path, dry_run: bool) -> None:
    """Validate FILE (YAML, or CSV by extension) completely, then create or update what it declares.

    Any problem is reported with file:line and field; the exit status is then 2 and nothing is written.
    Run by the service user, it may reference any file or variable except netops's own secrets.
    """
    settings = settings_from(ctx)
    engine = engine_from(ctx)
    policy = ImportPolicy(credentials=True, guard=ReferencePolicy(settings, restricted=False))
    try:
        with session_scope(engine) as session:
            before = None if dry_run else snapshot(session)
            report = import_inventory_file(session, file, FernetSealer(settings), dry_run=dry_run,
                                           policy=policy)
            if before is not None:
                record_import(session, str(file), report, before)
    except InventoryError as exc:
        count = len(exc.problems)
        fail(f"{file}: {count} problem{'s' if count != 1 else ''}, nothing written:\n{exc}",
             EXIT_INVALID_INVENTORY)
    except (SecretError, SQLAlchemyError) as exc:
        fail(f"import failed, nothing written: {_first_line(exc)}")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(report.summary())


@inventory_group.command("import-routes")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Match and report without writing anything.")
@click.pass_context
def import_routes_cmd(ctx: click.Context, file: Path, dry_run: bool) -> None:
    """Set fiber routes from lines drawn elsewhere: FILE.geojson (LineStrings) or FILE.kml (paths).

    A line named A:PORT,B:PORT (GeoJSON properties.link or name, KML <name>) sets that link's
    route; any other line is matched by its ends lying at two sites joined by one link; named
    pins (Points) on a line's vertices name those route points. What
    matched and what did not is listed; bad geometry exits 2 with file and place, writing nothing.
    """
    engine = engine_from(ctx)
    try:
        drawing = read_route_file(file)
        with session_scope(engine) as session:
            report = import_routes(session, drawing.lines, dry_run=dry_run, pins=drawing.points)
    except RouteFileError as exc:
        count = len(exc.problems)
        fail(f"{count} problem{'s' if count != 1 else ''}, nothing written:\n{exc}", EXIT_INVALID_INVENTORY)
    except SQLAlchemyError as exc:
        fail(f"import failed, nothing written: {_first_line(exc)}")
    for line in report.lines():
        click.echo(line)


@inventory_group.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="yaml", show_default=True,
              help="YAML (the import format) or CSV (one row per record).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@click.pass_context
def export_cmd(ctx: click.Context, fmt: str, output: Path | None) -> None:
    """Write the declared inventory in the import format; secrets only as references."""
    engine = engine_from(ctx)
    try:
        with session_scope(engine) as session:
            exported = export_inventory(session, fmt)
    except SQLAlchemyError as exc:
        fail(f"export failed: {_first_line(exc)}")
    for warning in exported.warnings:
        click.echo(f"warning: {warning}", err=True)
    if output is None:
        click.echo(exported.text, nl=False)
        return
    try:
        _write_atomically(output, exported.text)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}")
    click.echo(f"inventory written to {output}", err=True)


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@inventory_group.command("show")
@click.option("--json", "as_json", is_flag=True, help='JSON: {"sites": [...], "devices": [...]}.')
@click.pass_context
def show_cmd(ctx: click.Context, as_json: bool) -> None:
    """List sites and devices (declared fields, learned facts, state; never secrets)."""
    engine = engine_from(ctx)
    try:
        with session_scope(engine) as session:
            sites = list_sites(session)
            devices = list_device_details(session)
    except SQLAlchemyError as exc:
        fail(f"cannot read the inventory: {_first_line(exc)}")
    if as_json:
        echo_json({"sites": [dataclasses.asdict(s) for s in sites],
                   "devices": [dataclasses.asdict(d) for d in devices]})
        return
    click.echo(f"{len(sites)} sites")
    for s in sites:
        click.echo(f"  {s.name:<32} {s.kind:<9} {s.district or '-'}")
    click.echo(f"{len(devices)} devices")
    for d in devices:
        enabled = "" if d.enabled else " (disabled)"
        click.echo(f"  {d.name:<24} {d.address:<16} {d.role:<13} {d.platform or '-':<18} "
                   f"{d.site or '-'} [{d.state}]{enabled}")


def register(group: click.Group) -> None:
    group.add_command(init_cmd)
    group.add_command(inventory_group)
