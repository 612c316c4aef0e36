"""Persist one ``PollResult``: current state, history and a ``PollRun`` row; report ``Changes``.

Rules (../shared/ARCHITECTURE.md): only kinds in ``result.completed`` replace stored state, so
a timed-out walk never deletes or blanks anything. Interfaces are keyed by device + name and
never deleted here; an interface missing from a complete SNMP read is marked ``notPresent``.
A declared interface (no ifIndex) that is a polled port under another spelling is adopted and
renamed, a declared duplicate of a polled port merged into it (``netops.store.ports``).
Descriptive interface fields (description, alias, type, speed, MTU, MAC) change only when
FACTS was read too (the discovery job) or when the new value is not empty, so a cheap status
poll never blanks them. Counters become ``CounterRecord`` rows and rates on the interface
(``netops.store.rates``: wraps, reboots, absurd values give no rate). Neighbors are upserted; one a
complete read of the same transport no longer shows gains a miss, and is deleted after
``max_misses`` consecutive misses. The caller owns the transaction (one per result).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from collectors.observations import (
    CounterSample,
    InterfaceState,
    Neighbor,
    OpticalReading,
    PollKind,
    PollResult,
)
from inventory.models import (
    CounterRecord,
    Device,
    Interface,
    NeighborRecord,
    ObservedFacts,
    OpticalRecord,
    PollRun,
)
from netops.store import rates
from netops.store.ports import DeclaredPorts, merge_into

DETAIL_FIELDS = (("descr", "description"), ("alias", "alias"), ("if_type", "if_type"),
                 ("speed_bps", "speed_bps"), ("mtu", "mtu"), ("mac", "mac"))
LIMITS = {"name": 100, "description": 255, "alias": 255, "if_type": 50, "mac": 32, "sys_name": 255,
          "sys_object_id": 255, "sys_location": 255, "sys_contact": 255, "vendor": 100, "model": 100,
          "serial": 100, "os_version": 255, "profile": 50, "local_port": 100, "chassis_id": 255,
          "port_id": 255, "port_description": 255, "system_name": 255, "management_address": 100,
          "platform": 255}


@dataclass(frozen=True, slots=True)
class InterfaceChange:
    device: str
    port: str
    old: str | None
    new: str


@dataclass(frozen=True, slots=True)
class NeighborChange:
    device: str
    local_port: str
    protocol: str
    system_name: str
    port_id: str


@dataclass
class Changes:
    """What one persisted result changed; the monitor and the CLI report from it."""

    device: str
    answered: bool
    completed: frozenset[PollKind] = frozenset()
    interface_changes: list[InterfaceChange] = field(default_factory=list)
    new_interfaces: list[str] = field(default_factory=list)
    adopted_interfaces: list[tuple[str, str]] = field(default_factory=list)  # (declared, polled name)
    new_neighbors: list[NeighborChange] = field(default_factory=list)
    removed_neighbors: list[NeighborChange] = field(default_factory=list)
    counters_stored: int = 0
    optics_stored: int = 0
    unknown_device: bool = False
    empty_interface_read: bool = False  # an empty ifTable from a switch with known ports, kept out


def to_db(counter: int | None) -> int | None:
    """Counter64 values above 2^63 - 1 do not fit a signed BIGINT: store them two's complement."""
    return counter - 2**64 if counter is not None and counter >= 2**63 else counter


def from_db(counter: int | None) -> int | None:
    return counter + 2**64 if counter is not None and counter < 0 else counter


def cut(value: str | None, key: str) -> str | None:
    """Fit a device-supplied string into its column (PostgreSQL enforces VARCHAR lengths)."""
    limit = LIMITS.get(key)
    return value[:limit] if value is not None and limit else value


def persist(session: Session, result: PollResult, *, job: str, job_run_id: int | None = None,
            now: datetime | None = None, max_misses: int = 3) -> Changes:
    """Store ``result`` for its device (looked up by name); the caller commits."""
    now = now or datetime.now(UTC)
    changes = Changes(device=result.device_key, answered=result.answered, completed=result.completed)
    device = session.scalar(select(Device).where(Device.name == result.device_key))
    if device is None:
        changes.unknown_device = True
        return changes
    _poll_run(session, device, result, job, job_run_id)
    done = result.completed
    if PollKind.FACTS in done and result.facts is not None:
        _facts(session, device, result, now)
    ifaces = {i.name: i for i in session.scalars(select(Interface).where(Interface.device_id == device.id))}
    if PollKind.INTERFACES in done and not _empty_read_kept(session, device, result, ifaces, max_misses,
                                                             changes):
        _interfaces(session, device, result, ifaces, now, changes)
    if PollKind.COUNTERS in done:
        _counters(session, device, result.counters, ifaces, now, changes)
    if PollKind.OPTICS in done:
        _optics(session, device, result.optics, ifaces, now, changes)
    if PollKind.NEIGHBORS in done:
        _neighbors(session, device, result, now, max_misses, changes)
    if PollKind.CONFIG in done and result.config is not None:
        from netops.store.config_versions import store_config  # versioned running configs (SSH collector)

        store_config(session, device, result.config, now)
    return changes


def _poll_run(session: Session, device: Device, result: PollResult, job: str, job_run_id: int | None) -> None:
    first = result.errors[0] if result.errors else None
    text = "; ".join(f"{e.poll_kind or 'poll'}: {e.message}" for e in result.errors)
    session.add(PollRun(job_run_id=job_run_id, device_id=device.id, job=job, transport=result.transport,
                        started_at=result.started_at, duration_s=result.duration_s, ok=result.ok,
                        completed=",".join(sorted(result.completed))[:200],
                        error_kind=str(first.kind) if first else None, error=text[:4000] or None))


def _facts(session: Session, device: Device, result: PollResult, now: datetime) -> None:
    f = result.facts
    assert f is not None
    row = session.get(ObservedFacts, device.id) or ObservedFacts(device_id=device.id)
    for key in ("sys_name", "sys_descr", "sys_object_id", "sys_location", "sys_contact", "vendor", "model",
                "serial", "os_version"):
        setattr(row, key, cut(getattr(f, key) or None, key))
    row.uptime_s, row.profile, row.learned_at = f.uptime_s, cut(result.profile, "profile"), now
    session.add(row)


def _interface(session: Session, device: Device, name: str, ifaces: dict[str, Interface],
               changes: Changes) -> Interface:
    row = ifaces.get(name)
    if row is None:
        row = Interface(device_id=device.id, name=cut(name, "name"))
        session.add(row)
        ifaces[name] = row
        changes.new_interfaces.append(name)
    return row


def _adopt_declared(session: Session, result: PollResult, ifaces: dict[str, Interface],
                    changes: Changes) -> None:
    """Declared ports under another spelling become the polled ports (``netops.store.ports``)."""
    declared = DeclaredPorts(ifaces.values())
    if not declared.rows:
        return
    polled = {state.name for state in result.interfaces}
    for state in result.interfaces:
        row = ifaces.get(state.name)
        if row is None:
            row = declared.adopt(state.name, state.descr, polled)
            if row is not None:
                changes.adopted_interfaces.append((row.name, state.name))
                del ifaces[row.name]
                row.name = cut(state.name, "name") or row.name
                ifaces[state.name] = row
            continue
        for duplicate in declared.duplicates(row, polled):
            changes.adopted_interfaces.append((duplicate.name, state.name))
            declared.rows.remove(duplicate)
            del ifaces[duplicate.name]
            merge_into(session, duplicate, row)


def _interfaces(session: Session, device: Device, result: PollResult, ifaces: dict[str, Interface],
                now: datetime, changes: Changes) -> None:
    full = PollKind.FACTS in result.completed
    _adopt_declared(session, result, ifaces, changes)
    seen = set()
    for state in result.interfaces:
        row = _interface(session, device, state.name, ifaces, changes)
        seen.add(row.name)
        _apply_state(row, state, full, now, changes, device.name)
    if result.transport == "snmp":
        for name, row in ifaces.items():
            if name not in seen and row.if_index is not None and row.oper_status != "notPresent":
                change = InterfaceChange(device.name, name, row.oper_status, "notPresent")
                changes.interface_changes.append(change)
                row.oper_status, row.status_polled_at = "notPresent", now


def _empty_read_kept(session: Session, device: Device, result: PollResult, ifaces: dict[str, Interface],
                     max_misses: int, changes: Changes) -> bool:
    """An SNMP interface read with no rows from a switch whose ports we know (by ifIndex) is kept
    out of the store until ``max_misses`` such reads in a row: an agent that lost its ifTable for a
    while (restart, a bug) must not turn every port ``notPresent`` and the site disconnected."""
    facts = session.get(ObservedFacts, device.id)
    known_ports = any(r.if_index is not None for r in ifaces.values())
    if result.transport != "snmp" or result.interfaces or not known_ports:
        if facts is not None and facts.empty_interface_reads:
            facts.empty_interface_reads = 0
        return False
    if facts is None:
        facts = ObservedFacts(device_id=device.id, empty_interface_reads=0)
        session.add(facts)
    facts.empty_interface_reads = (facts.empty_interface_reads or 0) + 1
    changes.empty_interface_read = True
    return facts.empty_interface_reads < max_misses


def _apply_state(row: Interface, state: InterfaceState, full: bool, now: datetime, changes: Changes,
                 device: str) -> None:
    new = str(state.oper_status)
    if row.oper_status is not None and row.oper_status != new:
        changes.interface_changes.append(InterfaceChange(device, row.name, row.oper_status, new))
    row.oper_status, row.admin_status, row.status_polled_at = new, str(state.admin_status), now
    if state.if_index is not None:
        row.if_index = state.if_index
    if state.last_change_s is not None:
        row.last_change = now - timedelta(seconds=state.last_change_s)
    for src, dst in DETAIL_FIELDS:
        value = getattr(state, src)
        if full or value not in ("", None):
            setattr(row, dst, cut(value, dst) if isinstance(value, str) else value)


def _latest_counters(session: Session, ids: list[int]) -> dict[int, CounterRecord]:
    if not ids:
        return {}
    latest = (select(CounterRecord.interface_id, func.max(CounterRecord.sampled_at).label("at"))
              .where(CounterRecord.interface_id.in_(ids)).group_by(CounterRecord.interface_id).subquery())
    same = (CounterRecord.interface_id == latest.c.interface_id) & (CounterRecord.sampled_at == latest.c.at)
    rows = session.scalars(select(CounterRecord).join(latest, same))
    return {r.interface_id: r for r in rows}


def _sample(at: datetime, s: CounterSample | CounterRecord) -> rates.Sample:
    return rates.Sample(at_s=at.timestamp(), in_octets=from_db(s.in_octets), out_octets=from_db(s.out_octets),
                        in_errors=from_db(s.in_errors), out_errors=from_db(s.out_errors),
                        counter_bits=s.counter_bits, uptime_s=s.uptime_s)


def _counters(session: Session, device: Device, samples: tuple[CounterSample, ...],
              ifaces: dict[str, Interface], now: datetime, changes: Changes) -> None:
    rows = [(s, _interface(session, device, s.name, ifaces, changes)) for s in samples]
    session.flush()
    previous = _latest_counters(session, [row.id for _, row in rows])
    for sample, row in rows:
        prev = previous.get(row.id)
        speed = sample.speed_bps or row.speed_bps
        before = _sample(prev.sampled_at, prev) if prev else None
        got = rates.compute_rates(before, _sample(now, sample), speed)
        if sample.speed_bps:
            row.speed_bps = sample.speed_bps
        row.in_bps, row.out_bps, row.utilization_pct = got.in_bps, got.out_bps, got.utilization_pct
        row.in_errors_per_s, row.out_errors_per_s = got.in_errors_per_s, got.out_errors_per_s
        session.add(CounterRecord(
            interface_id=row.id, sampled_at=now, in_octets=to_db(sample.in_octets),
            out_octets=to_db(sample.out_octets), in_errors=to_db(sample.in_errors),
            out_errors=to_db(sample.out_errors), in_discards=to_db(sample.in_discards),
            out_discards=to_db(sample.out_discards), counter_bits=sample.counter_bits,
            uptime_s=sample.uptime_s,
            in_bps=got.in_bps, out_bps=got.out_bps))
        changes.counters_stored += 1


def _optics(session: Session, device: Device, readings: tuple[OpticalReading, ...],
            ifaces: dict[str, Interface], now: datetime, changes: Changes) -> None:
    by_port: dict[str, list[OpticalReading]] = {}
    for reading in readings:
        by_port.setdefault(reading.port, []).append(reading)
    for port, lanes in by_port.items():
        row = _interface(session, device, port, ifaces, changes)
        session.flush()
        main = min(lanes, key=lambda r: -1 if r.lane is None else r.lane)
        row.rx_dbm, row.tx_dbm, row.optics_polled_at = main.rx_dbm, main.tx_dbm, now
        row.rx_low_alarm_dbm = main.rx_low_alarm_dbm
        for r in lanes:
            session.add(OpticalRecord(interface_id=row.id, read_at=now, lane=r.lane, rx_dbm=r.rx_dbm,
                                      tx_dbm=r.tx_dbm, temperature_c=r.temperature_c))
            changes.optics_stored += 1


def _key(local_port: str, protocol: str, chassis_id: str, port_id: str) -> tuple[str, str, str, str]:
    return (local_port, protocol, chassis_id, port_id)


def _neighbors(session: Session, device: Device, result: PollResult, now: datetime, max_misses: int,
               changes: Changes) -> None:
    stored = {_key(r.local_port, r.protocol, r.chassis_id, r.port_id): r for r in session.scalars(
        select(NeighborRecord).where(NeighborRecord.device_id == device.id,
                                     NeighborRecord.transport == result.transport))}
    seen = set()
    for n in result.neighbors:
        key = _key(cut(n.local_port, "local_port") or "", str(n.protocol),
                   cut(n.chassis_id, "chassis_id") or "", cut(n.port_id, "port_id") or "")
        if key in seen:
            continue
        seen.add(key)
        row = stored.get(key)
        if row is None:
            row = NeighborRecord(device_id=device.id, local_port=key[0], protocol=key[1], chassis_id=key[2],
                                 port_id=key[3], transport=result.transport, first_seen=now)
            session.add(row)
            changes.new_neighbors.append(_change(device.name, n))
        _fill_neighbor(row, n, now)
    for key, row in stored.items():
        if key in seen:
            continue
        row.miss_count = (row.miss_count or 0) + 1
        if row.miss_count >= max_misses:
            changes.removed_neighbors.append(NeighborChange(device.name, row.local_port, row.protocol,
                                                            row.system_name or "", row.port_id))
            session.delete(row)


def _change(device: str, n: Neighbor) -> NeighborChange:
    return NeighborChange(device, n.local_port, str(n.protocol), n.system_name, n.port_id)


def _fill_neighbor(row: NeighborRecord, n: Neighbor, now: datetime) -> None:
    row.chassis_id_kind, row.port_id_kind = str(n.chassis_id_kind), str(n.port_id_kind)
    row.port_description = cut(n.port_description, "port_description")
    row.system_name = cut(n.system_name, "system_name")
    row.system_description = n.system_description
    row.management_address = cut(n.management_address, "management_address")
    row.platform = cut(n.platform, "platform")
    row.last_seen, row.miss_count = now, 0
