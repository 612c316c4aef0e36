"""``netops maintenance add|list|end`` and ``netops outages ack|note|assign``: planned works and
who handles an outage.

``maintenance add`` prints the blast radius (the sites the works cut off or leave on one path,
the assessment's what-if) and stores it with the window; outages inside it send nothing. Times
without an offset are in ``web.timezone``, as shown. ``--by`` defaults to the login name.
"""

from __future__ import annotations

import getpass
import re
from datetime import UTC, datetime, timedelta, tzinfo

import click

from cli import exit_codes
from cli.common import echo_json, engine_from, fail, settings_from
from cli.timefmt import Clock, clock_from
from inventory.db import session_scope
from netops.monitor import maintenance, timeline
from netops.monitor.network_view import NetworkViews

SPAN = re.compile(r"^(\d+)\s*([mhd])$")
SPAN_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def parse_time(text: str, zone: tzinfo, what: str) -> datetime:
    """ISO-8601; without an offset the time is in ``zone`` (the zone times are shown in)."""
    try:
        at = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        fail(f"{what} {text!r}: give a time like 2026-05-01T10:00", exit_codes.USAGE)
    return at if at.tzinfo else at.replace(tzinfo=zone)


def parse_span(text: str) -> timedelta:
    match = SPAN.match(text.strip())
    if not match or int(match.group(1)) <= 0:
        fail(f"--duration {text!r}: give a span like 90m, 2h or 1d", exit_codes.USAGE)
    return timedelta(**{SPAN_UNITS[match.group(2)]: int(match.group(1))})


@click.group("maintenance")
def maintenance_group() -> None:
    """Planned works: outages inside them are planned and send no notification."""


def _scope(device: str | None, link: str | None, site: str | None, district: str | None,
           network: bool) -> tuple[str, str]:
    given = [(k, v) for k, v in (("device", device), ("link", link), ("site", site), ("district", district))
             if v] + ([("network", "network")] if network else [])
    if len(given) != 1:
        fail("give exactly one of --device, --link, --site, --district or --network", exit_codes.USAGE)
    return given[0]


def _print_radius(radius: list[dict[str, str]]) -> None:
    cut = [b["site"] for b in radius if b["effect"] == "disconnected"]
    weak = [b["site"] for b in radius if b["effect"] == "degraded"]
    click.echo(f"  cut off ({len(cut)}): {', '.join(cut) or '-'}")
    if weak:
        click.echo(f"  left on one path ({len(weak)}): {', '.join(weak)}")


@maintenance_group.command("add")
@click.option("--device", metavar="NAME", help="Works on one device.")
@click.option("--link", metavar="A:P,B:P", help="Works on one fiber (or its id A:P--B:P).")
@click.option("--site", metavar="NAME", help="Works at a site (all its devices).")
@click.option("--district", metavar="NAME", help="Works in a district (all its sites' devices).")
@click.option("--network", is_flag=True, help="Works on the whole network.")
@click.option("--start", metavar="ISO", help="Start (default: now; no offset: web.timezone).")
@click.option("--end", metavar="ISO", help="End.")
@click.option("--duration", metavar="SPAN", help="Or how long: 90m, 2h, 1d.")
@click.option("--reason", required=True, help="Why (shown to the help desk).")
@click.option("--rrule", metavar="RULE", help="Repeat (RFC 5545), e.g. FREQ=WEEKLY;BYDAY=SU.")
@click.option("--by", "by", metavar="USER", help="Who plans it (default: your login name).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def add_cmd(ctx: click.Context, device: str | None, link: str | None, site: str | None, district: str | None,
            network: bool, start: str | None, end: str | None, duration: str | None, reason: str,
            rrule: str | None, by: str | None, as_json: bool) -> None:
    """Plan works; prints the sites they cut off or leave on one path (stored with them)."""
    kind, target = _scope(device, link, site, district, network)
    clock = clock_from(ctx)
    if bool(end) == bool(duration):
        fail("give one of --end or --duration", exit_codes.USAGE)
    now = datetime.now(UTC)
    starts_at = parse_time(start, clock.zone, "--start") if start else now
    ends_at = parse_time(end, clock.zone, "--end") if end else starts_at + parse_span(duration or "")
    engine = engine_from(ctx)
    view = NetworkViews.from_settings(engine, settings_from(ctx)).current()
    try:
        scope = maintenance.resolve_scope(view.graph, kind, target)
        radius = maintenance.blast_radius(view.assessment, scope)
        with session_scope(engine) as session:
            row = maintenance.create_window(session, scope, radius, starts_at=starts_at, ends_at=ends_at,
                                            reason=reason, by=by or _login(), now=now, rrule=rrule)
            shown = maintenance.view(row, now)
    except maintenance.MaintenanceError as exc:
        fail(str(exc), exit_codes.USAGE)
    if as_json:
        echo_json(shown.to_json())
        return
    span = f"{clock.format(shown.starts_at, seconds=False)} - {clock.format(shown.ends_at, seconds=False)}"
    click.echo(f"planned works #{shown.id} on {shown.scope} {shown.target}: {span}"
               + (f", repeating {shown.rrule}" if shown.rrule else ""))
    _print_radius(list(shown.blast_radius))


@maintenance_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Past works too.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def list_cmd(ctx: click.Context, show_all: bool, as_json: bool) -> None:
    """Planned works in progress and to come."""
    now = datetime.now(UTC)
    with session_scope(engine_from(ctx)) as session:
        rows = maintenance.list_windows(session, now, include_past=show_all)
    if as_json:
        echo_json([r.to_json() for r in rows])
        return
    if not rows:
        click.echo("no planned works")
    clock = clock_from(ctx)
    for r in rows:
        click.echo(_line(r, clock))
        _print_radius(list(r.blast_radius))


def _line(r: maintenance.WindowView, clock: Clock) -> str:
    if r.active:
        when = f"IN PROGRESS until {clock.format(r.current_end, seconds=False)}"
    elif r.next_start is not None:
        when = f"from {clock.format(r.next_start, seconds=False)}"
    else:
        when = f"ended {clock.format(r.ended_at or r.ends_at, seconds=False)}"
    repeat = f" ({r.rrule})" if r.rrule else ""
    return f"#{r.id} {r.scope} {r.target}: {when}{repeat}; {r.reason} (by {r.created_by})"


@maintenance_group.command("end")
@click.argument("window_id", metavar="ID", type=int)
@click.pass_context
def end_cmd(ctx: click.Context, window_id: int) -> None:
    """End planned works now: a site still down then opens a normal outage that notifies."""
    try:
        with session_scope(engine_from(ctx)) as session:
            maintenance.end_window(session, window_id, datetime.now(UTC))
    except maintenance.MaintenanceError as exc:
        fail(str(exc), exit_codes.USAGE)
    click.echo(f"planned works #{window_id} ended")


# -- outages ack | note | assign (subcommands of ``netops outages``) ---------------------------------
def _handle(ctx: click.Context, action: str, call: object) -> None:
    try:
        with session_scope(engine_from(ctx)) as session:
            call(session)  # type: ignore[operator]
    except timeline.HandlingError as exc:
        fail(str(exc), exit_codes.USAGE)
    click.echo(action)


@click.command("ack")
@click.argument("outage_id", metavar="ID", type=int)
@click.option("--note", metavar="TEXT", help="What is being done.")
@click.option("--by", "by", metavar="USER", help="Who takes it (default: your login name).")
@click.pass_context
def ack_cmd(ctx: click.Context, outage_id: int, note: str | None, by: str | None) -> None:
    """Take an outage: the help desk sees who handles it; no more reminders."""
    who = by or _login()
    _handle(ctx, f"outage #{outage_id} acknowledged by {who}",
            lambda s: timeline.acknowledge(s, outage_id, who, datetime.now(UTC), note))


@click.command("note")
@click.argument("outage_id", metavar="ID", type=int)
@click.argument("text")
@click.option("--by", "by", metavar="USER", help="Who writes it (default: your login name).")
@click.pass_context
def note_cmd(ctx: click.Context, outage_id: int, text: str, by: str | None) -> None:
    """Add a note to an outage's timeline."""
    who = by or _login()
    _handle(ctx, f"note added to outage #{outage_id}",
            lambda s: timeline.add_note(s, outage_id, who, text, datetime.now(UTC)))


@click.command("assign")
@click.argument("outage_id", metavar="ID", type=int)
@click.argument("user", metavar="USER")
@click.option("--by", "by", metavar="USER", help="Who assigns (default: your login name).")
@click.pass_context
def assign_cmd(ctx: click.Context, outage_id: int, user: str, by: str | None) -> None:
    """Give an outage to someone."""
    who = by or _login()
    _handle(ctx, f"outage #{outage_id} assigned to {user}",
            lambda s: timeline.assign(s, outage_id, user, who, datetime.now(UTC)))


OUTAGE_ACTIONS = (ack_cmd, note_cmd, assign_cmd)


def register(group: click.Group) -> None:
    group.add_command(maintenance_group)
