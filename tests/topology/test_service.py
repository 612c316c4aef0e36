"""Link sync, snapshot loading, the cached topology service and the CLI on a real SQLite database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cli import main
from inventory.models import Device, DeviceState, Interface, Link, LinkState, NeighborRecord, Outage, Site
from netops.monitor.network_view import TopologyService
from netops.settings import Settings
from netops.store.link_sync import sync_discovered_links
from topology.snapshot import load_snapshot

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def _iface(session: Session, dev: Device, name: str, **kw: object) -> Interface:
    row = Interface(device=dev, name=name, admin_status="up", oper_status="up", last_change=T0, **kw)
    session.add(row)
    return row


def _nb(dev: Device, local: str, remote: str, port: str) -> NeighborRecord:
    return NeighborRecord(
        device_id=dev.id,
        local_port=local,
        protocol="lldp",
        chassis_id="",
        chassis_id_kind="local",
        port_id=port,
        port_id_kind="interface_name",
        system_name=remote,
        first_seen=T0,
        last_seen=T0,
    )


@pytest.fixture
def network(session: Session) -> Session:
    """core -- sw1 (declared, seen both ways) -- sw2 (discovered only); sw1 also sees an unknown AP."""
    hq, school, agency = (
        Site(name="HQ", kind="core"),
        Site(name="SD 1", kind="school"),
        Site(name="Dinas", kind="agency"),
    )
    core = Device(name="core", address="10.0.0.1", role="core", site=hq)
    sw1 = Device(name="sw1", address="10.0.0.2", role="access", site=school)
    sw2 = Device(name="sw2", address="10.0.0.3", role="access", site=agency)
    session.add_all([hq, school, agency, core, sw1, sw2])
    c1 = _iface(session, core, "GigabitEthernet0/1")
    s1 = _iface(session, sw1, "ge-0/0/1")
    _iface(session, sw1, "ge-0/0/2")
    _iface(session, sw2, "ether1")
    session.flush()
    session.add(Link(a_interface_id=c1.id, b_interface_id=s1.id, declared=True, source="declared"))
    session.add_all(
        [
            _nb(core, "Gi0/1", "sw1", "ge-0/0/1"),
            _nb(sw1, "ge-0/0/1", "core.example.net", "Gi0/1"),
            _nb(sw1, "ge-0/0/2", "sw2", "ether1"),
            _nb(sw1, "ge-0/0/3", "ap-lobby", "eth0"),
        ]
    )
    session.commit()
    return session


def test_sync_creates_discovered_links_and_refreshes_declared_ones(network: Session) -> None:
    report = sync_discovered_links(network, T0 + timedelta(hours=1))
    assert (report.created, report.updated, report.unknown_neighbors) == (1, 1, 1)
    links = network.scalars(select(Link)).all()
    declared = next(lk for lk in links if lk.declared)
    assert declared.last_seen == T0 + timedelta(hours=1) and declared.source == "declared"
    found = next(lk for lk in links if not lk.declared)
    assert (found.source, found.first_seen) == ("lldp", T0 + timedelta(hours=1))
    again = sync_discovered_links(network, T0 + timedelta(hours=2))
    assert (again.created, again.updated) == (0, 2)
    assert len(network.scalars(select(Link)).all()) == 2


def test_snapshot_reads_states_and_outages(network: Session) -> None:
    link = network.scalars(select(Link)).one()
    network.add(LinkState(link_id=link.id, state="down", since=T0, reason="cut"))
    network.add(Outage(root_cause_type="link", root_cause="x", started_at=T0, affected_sites=["SD 1"]))
    network.commit()
    snap = load_snapshot(network)
    assert [d.name for d in snap.devices] == ["core", "sw1", "sw2"]
    assert snap.link_states[0].state == "down" and snap.link_states[0].a_device in ("core", "sw1")
    assert snap.outages[0].affected_sites == ("SD 1",)
    assert len(snap.neighbors) == 4


def test_service_caches_until_the_database_changes(network: Session, engine: Engine) -> None:
    service = TopologyService(engine)
    first = service.current()
    assert service.current() is first
    assert first.analysis.codes == {"HQ": "connected", "SD 1": "connected", "Dinas": "connected"}
    iface = network.scalars(select(Interface).where(Interface.name == "ge-0/0/2")).one()
    iface.oper_status, iface.last_change = "down", T0 + timedelta(minutes=5)
    network.commit()
    second = service.current()
    assert second is not first
    assert second.analyzer is first.analyzer, "a status change re-evaluates incrementally"
    assert first.analysis.codes["Dinas"] == "connected", "the older view is unchanged"
    assert second.analysis.codes["Dinas"] == "disconnected"
    assert second.graph.links["sw1:ge-0/0/2|sw2:ether1"].status == "down"
    (row,) = second.status_rows("Dinas")
    assert row["since"] == T0 + timedelta(minutes=5)
    assert row["cause"] == "cut off: fiber between sw1:ge-0/0/2 and sw2:ether1 is down"
    assert (
        second.status_rows("Dinas", "id")[0]["cause"]
        == "terputus: serat optik antara sw1:ge-0/0/2 dan sw2:ether1 putus"
    )
    dinas = network.scalars(select(Device).where(Device.name == "sw2")).one()
    dinas.role = "core"
    network.commit()
    third = service.current()
    assert third.analyzer is not second.analyzer, "a structural edit rebuilds"
    assert set(third.analysis.roots) == {"core", "sw2"}
    assert third.analysis.codes["Dinas"] == "connected"


def test_incremental_refresh_equals_a_rebuild(network: Session, engine: Engine) -> None:
    service = TopologyService(engine)
    service.current()
    sw1 = network.scalars(select(Device).where(Device.name == "sw1")).one()
    network.add(DeviceState(device_id=sw1.id, state="down", since=T0))
    network.commit()
    refreshed = service.current()
    rebuilt = TopologyService(engine).current()
    assert refreshed.analysis.codes == rebuilt.analysis.codes
    assert refreshed.status_rows() == rebuilt.status_rows()
    assert {k: lk.status for k, lk in refreshed.graph.links.items()} == {
        k: lk.status for k, lk in rebuilt.graph.links.items()
    }


def test_silent_device_since_comes_from_device_states(network: Session, engine: Engine) -> None:
    sw1 = network.scalars(select(Device).where(Device.name == "sw1")).one()
    network.add(DeviceState(device_id=sw1.id, state="down", since=T0 + timedelta(minutes=9)))
    network.commit()
    rows = {r["site"]: r for r in TopologyService(engine).current().status_rows()}
    assert rows["SD 1"]["state"] == "disconnected" and rows["Dinas"]["state"] == "disconnected"
    assert rows["Dinas"]["cause"] == "cut off: sw1 (SD 1) is down"
    assert rows["Dinas"]["since"] == T0 + timedelta(minutes=9)
    assert rows["HQ"]["path"] == ["core"]


def _cli(settings: Settings, *args: str) -> tuple[int, str]:
    out = CliRunner().invoke(main, list(args), env={"NETOPS_DATA_DIR": str(settings.data_dir)})
    return out.exit_code, out.output


def test_cli_status_impact_audit_export(network: Session, settings: Settings, tmp_path: Path) -> None:
    code, text = _cli(settings, "status", "--json")
    assert code == 0, text
    rows = json.loads(text)
    assert [r["site"] for r in rows] == ["Dinas", "HQ", "SD 1"]
    assert all(set(r) == {"site", "kind", "state", "since", "cause", "path", "disjoint_paths"} for r in rows)
    assert rows[0]["path"] == ["sw2", "sw1", "core"] and rows[0]["disjoint_paths"] == 1

    code, text = _cli(settings, "topology", "impact", "--link", "core:Gi0/1,sw1:ge-0/0/1", "--json")
    assert code == 0, text
    assert json.loads(text) == {
        "lost_sites": ["Dinas", "SD 1"],
        "lost_devices": ["sw1", "sw2", "unknown:ap-lobby"],
        "degraded_sites": [],
    }
    code, text = _cli(settings, "topology", "impact", "--device", "sw1")
    assert code == 0 and "school cut off (1): SD 1" in text and "agency cut off (1): Dinas" in text

    code, text = _cli(settings, "topology", "audit", "--json")
    kinds = sorted(f["kind"] for f in json.loads(text))
    assert kinds == ["discovered_not_declared", "discovered_not_declared"]

    target = tmp_path / "net.graphml"
    code, text = _cli(settings, "topology", "export", "--format", "graphml", "-o", str(target))
    assert code == 0, text
    assert nx.read_graphml(target).number_of_nodes() == 4
    code, text = _cli(settings, "topology", "export", "--format", "json")
    nodes = json.loads(text)["nodes"]
    assert {n["id"] for n in nodes} == {"core", "sw1", "sw2", "unknown:ap-lobby"}
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in nodes)
    code, again = _cli(settings, "topology", "export", "--format", "json")
    assert [(n["x"], n["y"]) for n in json.loads(again)["nodes"]] == [(n["x"], n["y"]) for n in nodes]
    code, text = _cli(settings, "topology", "export", "--format", "dot")
    assert text.startswith("graph topology {")


def test_cli_status_in_bahasa_indonesia(network: Session, settings: Settings) -> None:
    iface = network.scalars(select(Interface).where(Interface.name == "ge-0/0/2")).one()
    iface.oper_status = "down"
    network.commit()
    code, text = _cli(settings, "status", "Dinas", "--lang", "id")
    assert code == 0, text
    assert text.splitlines()[0].startswith("Dinas [agency]: terputus sejak ")
    assert "penyebab: terputus: serat optik antara sw1:ge-0/0/2 dan sw2:ether1 putus" in text


def test_cli_errors_are_one_line(network: Session, settings: Settings) -> None:
    code, text = _cli(settings, "status", "Nowhere")
    assert code == 2 and "no site named 'Nowhere'" in text
    code, text = _cli(settings, "topology", "impact")
    assert code == 2 and "exactly one of" in text
    code, text = _cli(settings, "topology", "impact", "--link", "core:Gi0/9")
    assert code == 2 and "no link" in text
    code, text = _cli(settings, "topology", "impact", "--device", "nope")
    assert code == 2 and "no device" in text
    assert "Traceback" not in text
