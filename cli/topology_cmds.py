"""``netops topology audit|impact|spof|export`` and ``netops status [SITE]``: the topology on the CLI.

``status`` is the help-desk answer (state, since when, cause in plain words, path to the
core); ``impact`` is the what-if for one link or device; ``spof`` lists the single points of
failure with the sites each would cut off; ``audit`` compares declared cabling with LLDP/CDP;
``export`` writes the graph as JSON node-link, GraphML, DOT or GeoJSON.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from cli import exit_codes
from cli.common import echo_json, engine_from, fail, settings_from, to_json
from cli.timefmt import clock_from
from inventory.db import session_scope
from inventory.site_search import search
from netops.monitor.maintenance import handling_words
from netops.monitor.network_view import NetworkView, NetworkViews, geojson_of
from topology.audit import audit
from topology.export import to_dot, to_graphml, to_node_link
from topology.hints import no_site
from topology.layout import stable_positions
from topology.spof import single_points
from topology.whatif import WhatIfError, resolve
from topology.wording import word


def _view(ctx: click.Context) -> NetworkView:
    settings = settings_from(ctx)
    return NetworkViews.from_settings(engine_from(ctx), settings).current()


@click.group("topology")
def topology_group() -> None:
    """The fiber network's graph: cabling audit, what-if impact, exports."""


@topology_group.command("audit")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def audit_cmd(ctx: click.Context, as_json: bool) -> None:
    """Declared links not seen, discovered links not declared, port mismatches."""
    findings = audit(_view(ctx).graph)
    if as_json:
        echo_json([f.as_json() for f in findings])
        return
    if not findings:
        click.echo("cabling matches the declaration")
    for f in findings:
        ends = f.discovered or f.declared
        pair = f"{ends[0]} - {ends[1]}" if ends else "?"
        click.echo(f"{f.kind:<24} {pair}" + (f"  ({f.detail})" if f.detail else ""))


@topology_group.command("impact")
@click.option("--link", "link", metavar="DEV:PORT,DEV:PORT", help="The link to fail (one end is enough).")
@click.option("--device", "device", metavar="NAME", help="The device to fail.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def impact_cmd(ctx: click.Context, link: str | None, device: str | None, as_json: bool) -> None:
    """Which sites would lose connectivity if a link or device failed."""
    if bool(link) == bool(device):
        fail("give exactly one of --link DEV:PORT,DEV:PORT or --device NAME", 2)
    view = _view(ctx)
    try:
        result = view.assessment.what_if(resolve(view.graph, device=device, link=link))
    except WhatIfError as exc:
        fail(str(exc), exit_codes.USAGE)
    if as_json:
        echo_json(result.as_json())
        return
    click.echo(f"if {result.element.id} fails:")
    if not result.lost_sites:
        click.echo("  no site loses connectivity")
    for kind, sites in result.by_kind.items():
        click.echo(f"  {kind} cut off ({len(sites)}): {', '.join(sites)}")
    if result.degraded_sites:
        names = ", ".join(result.degraded_sites)
        click.echo(f"  left without redundancy ({len(result.degraded_sites)}): {names}")


@topology_group.command("spof")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def spof_cmd(ctx: click.Context, as_json: bool) -> None:
    """Devices and links whose loss alone would cut sites off, most sites first."""
    points = single_points(_view(ctx).assessment)
    if as_json:
        echo_json([p.as_json() for p in points])
        return
    if not points:
        click.echo("no single point of failure: every site survives any one failure")
    for p in points:
        schools = f", {p.schools} school(s)" if p.schools else ""
        click.echo(f"{p.element.kind:<6} {p.element.id}: {len(p.sites)} site(s){schools}")
        click.echo(f"       {', '.join(p.sites)}")


@topology_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["json", "graphml", "dot", "geojson"]), default="json",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File (default: stdout).")
@click.pass_context
def export_cmd(ctx: click.Context, fmt: str, output: Path | None) -> None:
    """Write the topology graph (geojson: sites and fiber routes for QGIS, RFC 7946)."""
    view = _view(ctx)
    if fmt == "json":
        with session_scope(engine_from(ctx)) as session:
            positions = stable_positions(session, view.graph)
        text = to_json(to_node_link(view.graph, view.assessment, positions)) + "\n"
    elif fmt == "geojson":
        text = to_json(geojson_of(view)) + "\n"
    elif fmt == "graphml":
        text = to_graphml(view.graph)
    else:
        text = to_dot(view.graph)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")


def _one_site(view: NetworkView, query: str) -> str:
    """The site a query means, as the help desk's search finds it (typos, Indonesian
    abbreviations: "sdn 2 magelang"); several about as likely: list them and stop."""
    found = search(query, view.sites.values(), lambda s: (s.site, *view.graph.site_devices.get(s.site, ())))
    if found.answer is not None:
        return found.answer.name
    if found.choices:
        options = "; ".join(f"{m.name} ({view.sites[m.name].state.value})" for m in found.choices)
        fail(f"{query!r} may mean several sites: {options}; give the full name", exit_codes.USAGE)
    fail(no_site(query, view.sites), exit_codes.USAGE)


@click.command("status")
@click.argument("site", required=False)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--lang", type=click.Choice(["en", "id"]), default=None, help="Language of the cause text.")
@click.pass_context
def status_cmd(ctx: click.Context, site: str | None, as_json: bool, lang: str | None) -> None:
    """Is a site connected? State, since when, why, and its path to the core."""
    lang = lang or settings_from(ctx).web.default_language
    view = _view(ctx)
    if site is not None and site not in view.sites:
        site = _one_site(view, site)
    rows = [dict(r) for r in view.status_rows(site, lang)]
    clock, outages = clock_from(ctx), [r["outage_id"] for r in rows]
    with session_scope(engine_from(ctx)) as session:  # planned works, or who took the outage
        handling = handling_words(session, outages, lang, clock.zone, datetime.now(UTC))
    for row in rows:
        row["handling"] = handling.get(row["outage_id"]) if row["outage_id"] is not None else None
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        since = f" {word('since', lang)} {clock.format(row['since'], seconds=False)}" if row["since"] else ""
        click.echo(f"{row['site']} [{row['kind']}]: {word(row['state'], lang)}{since}")
        if row["cause"]:
            click.echo(f"  {word('cause', lang)}: {row['cause']}")
        if row["handling"]:
            click.echo(f"  {row['handling']}")
        if row["path"]:
            click.echo(f"  {word('path', lang)}: {' -> '.join(row['path'])} "
                       f"({row['disjoint_paths']} {word('disjoint', lang)})")


def register(group: click.Group) -> None:
    group.add_command(topology_group)
    group.add_command(status_cmd)
