"""``netops.store.persist.persist``: only completed kinds replace state, status polls never blank
descriptive fields, neighbor misses, counter rates with reboots, PollRun rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.observations import (
    AdminStatus,
    CounterSample,
    DeviceFacts,
    ErrorKind,
    IdKind,
    InterfaceState,
    Neighbor,
    NeighborProtocol,
    OperStatus,
    OpticalReading,
    PollError,
    PollKind,
    PollResult,
)
from inventory.models import CounterRecord, Device, Interface, NeighborRecord, PollRun
from inventory.models import ObservedFacts as FactsRow
from netops.store.persist import persist

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
K = PollKind


def result(completed: set[PollKind], **fields: object) -> PollResult:
    return PollResult(
        device_key="sw1",
        profile="generic",
        transport="snmp",
        started_at=T0,
        finished_at=T0 + timedelta(seconds=1),
        completed=frozenset(completed),
        **fields,
    )  # type: ignore[arg-type]


def iface(
    name: str, oper: str = "up", alias: str = "", descr: str = "", speed: int | None = None
) -> InterfaceState:
    return InterfaceState(
        name=name,
        if_index=int(name[-1]),
        alias=alias,
        descr=descr,
        speed_bps=speed,
        admin_status=AdminStatus.UP,
        oper_status=OperStatus(oper),
    )


def nb(port: str, peer: str) -> Neighbor:
    return Neighbor(
        local_port=port,
        protocol=NeighborProtocol.LLDP,
        chassis_id=f"{peer}-mac",
        chassis_id_kind=IdKind.MAC,
        port_id="xe1",
        port_id_kind=IdKind.INTERFACE_NAME,
        system_name=peer,
    )


def setup(session: Session) -> Device:
    device = Device(name="sw1", address="127.0.0.1")
    session.add(device)
    session.commit()
    return device


def rows(session: Session) -> dict[str, Interface]:
    return {i.name: i for i in session.scalars(select(Interface))}


def test_discovery_then_status_poll_keeps_descriptions_and_reports_changes(session: Session) -> None:
    setup(session)
    full = result(
        {K.FACTS, K.INTERFACES},
        facts=DeviceFacts(sys_name="sw1", sys_location="Balai Kota"),
        interfaces=(iface("xe1", alias="to core", descr="Ten 1", speed=10**10), iface("xe2")),
    )
    persist(session, full, job="discovery", now=T0)
    status = result({K.INTERFACES}, interfaces=(iface("xe1", oper="down"), iface("xe2")))
    changes = persist(session, status, job="status", now=T0 + timedelta(minutes=1))
    session.commit()
    xe1 = rows(session)["xe1"]
    assert (xe1.alias, xe1.description, xe1.speed_bps, xe1.oper_status) == (
        "to core",
        "Ten 1",
        10**10,
        "down",
    )
    assert [(c.port, c.old, c.new) for c in changes.interface_changes] == [("xe1", "up", "down")]
    facts = session.get(FactsRow, session.scalar(select(Device.id)))
    assert facts is not None and facts.sys_location == "Balai Kota" and facts.profile == "generic"


def test_failed_or_incomplete_read_changes_nothing(session: Session) -> None:
    setup(session)
    persist(
        session,
        result({K.INTERFACES, K.NEIGHBORS}, interfaces=(iface("xe1"),), neighbors=(nb("xe1", "a"),)),
        job="discovery",
        now=T0,
    )
    failed = result(set(), errors=(PollError(ErrorKind.TIMEOUT, "no answer", K.INTERFACES),))
    changes = persist(session, failed, job="status", now=T0 + timedelta(minutes=1))
    session.commit()
    assert not changes.answered and changes.interface_changes == []
    assert rows(session)["xe1"].oper_status == "up"
    assert session.query(NeighborRecord).count() == 1
    run = session.scalars(select(PollRun).order_by(PollRun.id)).all()[-1]
    assert (run.ok, run.error_kind, run.completed) == (False, "timeout", "")


def test_interface_missing_from_complete_read_is_not_present_never_deleted(session: Session) -> None:
    setup(session)
    persist(session, result({K.INTERFACES}, interfaces=(iface("xe1"), iface("xe2"))), job="status", now=T0)
    persist(session, result({K.INTERFACES}, interfaces=(iface("xe1"),)), job="status", now=T0)
    session.commit()
    assert rows(session)["xe2"].oper_status == "notPresent"


def test_neighbor_deleted_after_max_misses_of_completed_reads_only(session: Session) -> None:
    setup(session)
    persist(
        session, result({K.NEIGHBORS}, neighbors=(nb("xe1", "a"), nb("xe2", "b"))), job="discovery", now=T0
    )
    only_a = result({K.NEIGHBORS}, neighbors=(nb("xe1", "a"),))
    failed = result(set(), errors=(PollError(ErrorKind.TIMEOUT, "x", K.NEIGHBORS),))
    removed = []
    for step, res in enumerate([only_a, failed, only_a, failed, only_a]):
        changes = persist(session, res, job="discovery", now=T0 + timedelta(hours=step + 1), max_misses=3)
        removed += changes.removed_neighbors
        session.commit()
    assert [r.system_name for r in removed] == ["b"]  # 3 completed misses; failed reads do not count
    assert {n.system_name for n in session.scalars(select(NeighborRecord))} == {"a"}


def sample(octets: int, uptime: float, bits: int = 64) -> CounterSample:
    return CounterSample(
        name="xe1",
        if_index=1,
        in_octets=octets,
        out_octets=octets,
        in_errors=0,
        out_errors=0,
        counter_bits=bits,
        speed_bps=10**9,
        uptime_s=uptime,
    )


def test_counter_rates_and_reboot(session: Session) -> None:
    setup(session)
    persist(session, result({K.COUNTERS}, counters=(sample(1_000, 100.0),)), job="counters", now=T0)
    persist(
        session,
        result({K.COUNTERS}, counters=(sample(1_000 + 37_500_000, 400.0),)),
        job="counters",
        now=T0 + timedelta(seconds=300),
    )
    session.commit()
    xe1 = rows(session)["xe1"]
    assert xe1.in_bps == 1_000_000.0 and xe1.utilization_pct == 0.1
    persist(
        session,
        result({K.COUNTERS}, counters=(sample(5_000_000_000, 20.0),)),
        job="counters",
        now=T0 + timedelta(seconds=600),
    )  # rebooted: sysUpTime went back
    persist(
        session,
        result({K.COUNTERS}, counters=(sample(5_012_500_000, 30.0),)),
        job="counters",
        now=T0 + timedelta(seconds=610),
    )
    session.commit()
    assert rows(session)["xe1"].in_bps == 10_000_000.0
    history = session.scalars(select(CounterRecord).order_by(CounterRecord.sampled_at)).all()
    assert [h.in_bps is None for h in history] == [True, False, True, False]


def test_optics_on_interface(session: Session) -> None:
    setup(session)
    reading = OpticalReading(port="xe1", if_index=1, rx_dbm=-7.5, tx_dbm=-2.1, rx_low_alarm_dbm=-20.0)
    persist(session, result({K.OPTICS}, optics=(reading,)), job="discovery", now=T0)
    session.commit()
    xe1 = rows(session)["xe1"]
    assert (xe1.rx_dbm, xe1.tx_dbm, xe1.rx_low_alarm_dbm) == (-7.5, -2.1, -20.0)


def test_unknown_device_is_reported_not_stored(session: Session) -> None:
    changes = persist(session, result({K.INTERFACES}, interfaces=(iface("xe1"),)), job="status", now=T0)
    assert changes.unknown_device and session.query(Interface).count() == 0


def test_an_empty_interface_table_from_a_switch_with_known_ports_is_kept_out_until_it_persists(
        session: Session) -> None:
    setup(session)
    persist(session, result({K.INTERFACES}, interfaces=(iface("xe1"), iface("xe2"))), job="status", now=T0)
    for attempt in (1, 2):  # an agent that lost its ifTable for a while: ports stay as they were
        changes = persist(session, result({K.INTERFACES}, interfaces=()), job="status", now=T0, max_misses=3)
        assert changes.empty_interface_read and not changes.interface_changes, attempt
        assert {i.oper_status for i in rows(session).values()} == {"up"}
    persist(session, result({K.INTERFACES}, interfaces=()), job="status", now=T0, max_misses=3)
    assert {i.oper_status for i in rows(session).values()} == {"notPresent"}, "the third empty read in a row"
    persist(session, result({K.INTERFACES}, interfaces=(iface("xe1"),)), job="status", now=T0)
    changes = persist(session, result({K.INTERFACES}, interfaces=()), job="status", now=T0, max_misses=3)
    assert changes.empty_interface_read and rows(session)["xe1"].oper_status == "up", "counting starts again"
