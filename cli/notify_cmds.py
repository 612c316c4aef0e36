"""``netops notify routes [--json]`` and ``netops notify test ROUTE``: the notification routes.

Routes come from the config file (``[notifications.routes.NAME]``), the admin page (the
database) and the catch-all ``default`` (``notifications.urls``); URLs are shown with their
secrets masked. ``notify test`` sends one test message through a route now and says whether
every target accepted it (exit 1 when not, 2 for an unknown route).
"""

from __future__ import annotations

import click

from cli import exit_codes
from cli.common import echo_json, engine_from, fail, settings_from
from inventory.db import session_scope
from inventory.models import utcnow
from netops.monitor.notifications import send_test, shown_url
from netops.monitor.route_store import all_routes
from netops.monitor.routing import Route


@click.group("notify")
def notify_group() -> None:
    """Notification routes: list them, send a test message."""


def _routes(ctx: click.Context) -> list[Route]:
    with session_scope(engine_from(ctx)) as session:
        return all_routes(session, settings_from(ctx))


def _match(route: Route) -> str:
    parts = [f"districts={','.join(sorted(route.districts))}" if route.districts else "",
             f"kinds={','.join(sorted(route.site_kinds))}" if route.site_kinds else "",
             f"roles={','.join(sorted(route.device_roles))}" if route.device_roles else "",
             f"sites>={route.min_sites}" if route.min_sites else "",
             f"when={'; '.join(w.text for w in route.when)}" if route.when else "",
             "escalation only" if route.only_escalation else ""]
    return " ".join(p for p in parts if p) or "every outage"


@notify_group.command("routes")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@click.pass_context
def notify_routes(ctx: click.Context, as_json: bool) -> None:
    """The routes: where each outage's messages go, reminders and escalation."""
    routes = _routes(ctx)
    if as_json:
        echo_json([{"name": r.name, "source": r.source, **r.to_spec(), "urls": [shown_url(u) for u in r.urls]}
                   for r in routes])
        return
    if not routes:
        click.echo("no notification routes (set notifications.urls or [notifications.routes.NAME])")
        return
    click.echo(f"{'ROUTE':<16} {'SOURCE':<9} {'LANG':<4} {'REMIND':>6} {'ESCALATE':<18} MATCHES / URLS")
    for r in routes:
        escalate = f"{r.escalate_after_minutes}m->{r.escalate_to}" if r.escalate_to else "-"
        remind = f"{r.remind_minutes}m" if r.remind_minutes else "-"
        click.echo(f"{r.name:<16} {r.source:<9} {r.language:<4} {remind:>6} {escalate:<18} {_match(r)}")
        for url in r.urls:
            click.echo(f"{'':<16}   {shown_url(url)}")


@notify_group.command("test")
@click.argument("route")
@click.pass_context
def notify_test(ctx: click.Context, route: str) -> None:
    """Send a test message through ROUTE now."""
    routes = {r.name: r for r in _routes(ctx)}
    chosen = routes.get(route)
    if chosen is None:
        fail(f"unknown route {route!r}; routes: {', '.join(routes) or 'none'}", exit_codes.USAGE)
    if not send_test(chosen, utcnow()):
        fail(f"route {route}: a target refused the test message or could not be reached (see the log)")
    click.echo(f"route {route}: test message sent to {len(chosen.urls)} URL(s)")


def register(group: click.Group) -> None:
    group.add_command(notify_group)
