"""``netops audit``: the audit log of changes made by people and tokens, newest first.

Read-only, like the page and the API: no command edits or deletes an entry (the retention job
prunes entries older than ``[audit] retention_days``). Secrets were never recorded, so there is
nothing to hide here.
"""

from __future__ import annotations

import json

import click

from cli.common import echo_json, engine_from
from cli.ops_cmds import SINCE_FORMS, parse_since
from cli.timefmt import clock_from


def _values(value: object) -> str:
    return "-" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


@click.command("audit")
@click.option("--since", default="7d", show_default=True,
              help=f"Entries at or after this time ({SINCE_FORMS}).")
@click.option("--user", "user", metavar="NAME", help="Only changes by this user (and their API tokens).")
@click.option("--action", metavar="ACTION", help="Only this action (user.role) or family (user).")
@click.option("--limit", type=click.IntRange(1, 100000), default=200, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@click.pass_context
def audit_cmd(ctx: click.Context, since: str, user: str | None, action: str | None, limit: int,
              as_json: bool) -> None:
    """Who changed what, when and from where, with the values before and after."""
    from inventory.db import session_scope
    from netops.audit import AuditFilter, list_entries

    clock = clock_from(ctx)
    wanted = AuditFilter(parse_since(since, zone=clock.zone), user or None, action or None)
    with session_scope(engine_from(ctx)) as session:
        rows = list_entries(session, wanted, limit=limit)
    if as_json:
        echo_json([r.to_json() for r in rows])
        return
    if not rows:
        click.echo("no audit entries")
    for r in rows:
        click.echo(f"{clock.format(r.at)}  {r.who} from {r.origin}: {r.action} {r.target}")
        if r.before is not None or r.after is not None:
            click.echo(f"    before {_values(r.before)}")
            click.echo(f"    after  {_values(r.after)}")


def register(group: click.Group) -> None:
    group.add_command(audit_cmd)
