"""Declared and polled port names meet: the inventory says ``TenGigabitEthernet1/0/3`` and
``XGE0/0/1``, the switches report ``Te1/0/3`` and ``XGigabitEthernet0/0/1`` (ifName) and see each
other over LLDP by those names. After ``persist`` + ``sync_discovered_links`` each device has one
interface per port (the declared row adopted and renamed, same id) and the fiber is one link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from collectors.observations import (
    AdminStatus,
    DeviceFacts,
    IdKind,
    InterfaceState,
    Neighbor,
    NeighborProtocol,
    OperStatus,
    PollKind,
    PollResult,
)
from inventory.db import session_scope
from inventory.files import import_inventory_file
from inventory.models import Device, Interface, Link
from netops.store.link_sync import sync_discovered_links
from netops.store.persist import persist

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
INVENTORY = """
credentials:
  lab: {type: snmp, version: 2c, community: {env: NETOPS_TEST_COMMUNITY}}
devices:
  - {name: core, address: 127.0.0.11, snmp: lab}
  - {name: dist, address: 127.0.0.12, snmp: lab}
links:
  - {a: "core:TenGigabitEthernet1/0/3", b: "dist:XGE0/0/1", medium: fiber, length_m: 1200}
"""
# what each switch reports: ifName, ifDescr; and whom it sees on which port over LLDP
PORTS = {
    "core": [("Te1/0/3", "TenGigabitEthernet1/0/3"), ("Te1/0/4", "TenGigabitEthernet1/0/4"),
             ("Vlan1", "Vlan1")],
    "dist": [("XGigabitEthernet0/0/1", "XGigabitEthernet0/0/1"),
             ("XGigabitEthernet0/0/2", "XGigabitEthernet0/0/2")],
}
SEES = {"core": ("Te1/0/3", "dist", "XGigabitEthernet0/0/1"),
        "dist": ("XGigabitEthernet0/0/1", "core", "Te1/0/3")}


def poll_result(device: str, at: datetime) -> PollResult:
    local, peer, peer_port = SEES[device]
    return PollResult(
        device_key=device, profile="generic", transport="snmp", started_at=at,
        finished_at=at + timedelta(seconds=1),
        completed=frozenset({PollKind.FACTS, PollKind.INTERFACES, PollKind.NEIGHBORS}),
        facts=DeviceFacts(sys_name=device),
        interfaces=tuple(InterfaceState(name=name, if_index=i, descr=descr, admin_status=AdminStatus.UP,
                                        oper_status=OperStatus.UP)
                         for i, (name, descr) in enumerate(PORTS[device], start=1)),
        neighbors=(Neighbor(local_port=local, protocol=NeighborProtocol.LLDP, chassis_id=peer,
                            chassis_id_kind=IdKind.LOCAL, port_id=peer_port,
                            port_id_kind=IdKind.INTERFACE_NAME, system_name=peer),),
    )


def import_file(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "city.yaml"
    path.write_text(INVENTORY, encoding="utf-8")
    with session_scope(engine) as session:
        import_inventory_file(session, path)


def discover(engine: Engine, at: datetime) -> None:
    with session_scope(engine) as session:
        for device in ("core", "dist"):
            persist(session, poll_result(device, at), job="discovery", now=at)
        sync_discovered_links(session, at)


def names(session: Session, device: str) -> list[str]:
    return sorted(session.scalars(select(Interface.name).join(Device).where(Device.name == device)))


def declared_ids(session: Session) -> tuple[int, int]:
    (link,) = session.scalars(select(Link)).all()
    return link.a_interface_id, link.b_interface_id


def test_declared_ports_are_adopted_and_the_fiber_is_one_link(db_engine: Engine, tmp_path: Path) -> None:
    import_file(db_engine, tmp_path)
    with session_scope(db_engine) as session:
        before = declared_ids(session)
    discover(db_engine, T0)
    with session_scope(db_engine) as session:
        assert names(session, "core") == sorted(n for n, _ in PORTS["core"])
        assert names(session, "dist") == sorted(n for n, _ in PORTS["dist"])
        (link,) = session.scalars(select(Link)).all()
        assert (link.a_interface_id, link.b_interface_id) == before, "the declared rows kept their ids"
        assert link.declared and link.source == "declared" and link.length_m == 1200
        assert link.last_seen is not None and link.last_seen.replace(tzinfo=UTC) == T0
        ends = {session.get(Interface, i).name for i in before}  # type: ignore[union-attr]
        assert ends == {"Te1/0/3", "XGigabitEthernet0/0/1"}
        assert {session.get(Interface, i).if_index for i in before} == {1}  # type: ignore[union-attr]


def test_importing_the_file_again_does_not_split_the_port_or_the_link(db_engine: Engine,
                                                                      tmp_path: Path) -> None:
    import_file(db_engine, tmp_path)
    discover(db_engine, T0)
    with session_scope(db_engine) as session:
        kept = declared_ids(session)
    import_file(db_engine, tmp_path)  # recreates the operator's spellings without ifIndex
    discover(db_engine, T0 + timedelta(hours=1))
    with session_scope(db_engine) as session:
        assert names(session, "core") == sorted(n for n, _ in PORTS["core"])
        assert names(session, "dist") == sorted(n for n, _ in PORTS["dist"])
        (link,) = session.scalars(select(Link)).all()
        assert (link.a_interface_id, link.b_interface_id) == kept
        assert link.declared and link.length_m == 1200
        assert link.last_seen is not None and link.last_seen.replace(tzinfo=UTC) == T0 + timedelta(hours=1)


def test_a_database_with_split_ports_is_merged_on_the_next_poll(db_engine: Engine, tmp_path: Path) -> None:
    """The state the demo reached before this rule: declared rows, polled rows, and a discovered
    link next to the declared one (2 links for 1 fiber)."""
    import_file(db_engine, tmp_path)
    with session_scope(db_engine) as session:
        devices = {d.name: d for d in session.scalars(select(Device))}
        polled = {}
        for device, ports in PORTS.items():
            for i, (name, _) in enumerate(ports, start=1):
                polled[name] = Interface(device_id=devices[device].id, name=name, if_index=i)
                session.add(polled[name])
        session.flush()
        a, b = sorted((polled["Te1/0/3"].id, polled["XGigabitEthernet0/0/1"].id))
        session.add(Link(a_interface_id=a, b_interface_id=b, source="lldp", declared=False,
                         first_seen=T0 - timedelta(days=1), last_seen=T0 - timedelta(days=1)))
    with session_scope(db_engine) as session:
        assert len(session.scalars(select(Link)).all()) == 2
    discover(db_engine, T0)
    with session_scope(db_engine) as session:
        assert names(session, "core") == sorted(n for n, _ in PORTS["core"])
        assert names(session, "dist") == sorted(n for n, _ in PORTS["dist"])
        (link,) = session.scalars(select(Link)).all()
        assert link.declared and link.length_m == 1200
        assert link.first_seen is not None and link.first_seen.replace(tzinfo=UTC) == T0 - timedelta(days=1)
        assert link.last_seen is not None and link.last_seen.replace(tzinfo=UTC) == T0


def test_an_undeclared_port_of_another_number_is_not_adopted(db_engine: Engine, tmp_path: Path) -> None:
    import_file(db_engine, tmp_path)
    with session_scope(db_engine) as session:
        core = session.scalar(select(Device).where(Device.name == "core"))
        assert core is not None
        session.add(Interface(device_id=core.id, name="TenGigabitEthernet1/0/9"))  # declared, not reported
    discover(db_engine, T0)
    with session_scope(db_engine) as session:
        assert "TenGigabitEthernet1/0/9" in names(session, "core")
        assert "Te1/0/9" not in names(session, "core")


def test_linksync_refreshes_the_declared_link_whatever_rows_the_sighting_resolves_to(
        db_engine: Engine, tmp_path: Path) -> None:
    """Split rows still in place (a neighbors-only poll adopts nothing): the sighting of the
    declared port pair refreshes the declared link instead of adding a discovered one."""
    import_file(db_engine, tmp_path)
    with session_scope(db_engine) as session:
        devices = {d.name: d for d in session.scalars(select(Device))}
        for device, ports in PORTS.items():
            for i, (name, _) in enumerate(ports, start=1):
                session.add(Interface(device_id=devices[device].id, name=name, if_index=i))
    with session_scope(db_engine) as session:
        for device in ("core", "dist"):
            neighbors_only = poll_result(device, T0)
            neighbors_only = PollResult(**{**{f: getattr(neighbors_only, f) for f in (
                "device_key", "profile", "transport", "started_at", "finished_at", "neighbors")},
                "completed": frozenset({PollKind.NEIGHBORS})})
            persist(session, neighbors_only, job="discovery", now=T0)
        report = sync_discovered_links(session, T0)
    with session_scope(db_engine) as session:
        (link,) = session.scalars(select(Link)).all()
        assert link.declared and link.last_seen is not None and link.last_seen.replace(tzinfo=UTC) == T0
        assert (report.created, report.updated) == (0, 1)
