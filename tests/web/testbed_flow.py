"""The testbed as the web sees it: import the bed into the database and run status polls.

``import_testbed`` writes the bed's inventory (sites, devices, ports with ifIndex, declared
fibers, the v2c credential) into the models. ``poll_status`` runs one status cycle through
the service (``netops.polling.cycle.JobRunner``: poll task, ``netops.store.persist.persist``, monitor) when
helper B's poll task and store are installed; otherwise it reads ifOperStatus/ifAdminStatus
from every node with net-snmp's ``snmpbulkwalk`` (real agents, real answers), stores them on
the interfaces and runs the same monitor evaluation. Either way states, events and outages
are the monitor's, not the test's.
"""

from __future__ import annotations

import importlib.util
import subprocess
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from inventory.db import session_scope
from inventory.models import Credential, Device, Interface, Link, Site
from netops.settings import Settings

IF_OPER = "1.3.6.1.2.1.2.2.1.8"  # IF-MIB::ifOperStatus
IF_ADMIN = "1.3.6.1.2.1.2.2.1.7"  # IF-MIB::ifAdminStatus
STATUS = {1: "up", 2: "down", 3: "testing", 4: "unknown", 5: "dormant", 6: "notPresent", 7: "lowerLayerDown"}
KINDS = (
    ("school", {"sd", "smp", "sma", "smk"}),
    ("health", {"puskesmas", "rsud"}),
    ("district", {"kecamatan"}),
)


def _kind(site: str, role: str) -> str:
    if role == "core":
        return "core"
    words = set(site.lower().split())
    return next((kind for kind, marks in KINDS if words & marks), "agency")


def import_testbed(engine: Engine, inventory: dict[str, Any]) -> None:
    with session_scope(engine) as session:
        cred = Credential(
            name="tb-v2c", type="snmp", snmp_version="2c", community=inventory["snmp"]["community"]
        )
        session.add(cred)
        sites: dict[str, Site] = {}
        ports: dict[tuple[str, str], Interface] = {}
        for name, node in inventory["nodes"].items():
            site = sites.get(node["site"])
            if site is None:
                site = sites[node["site"]] = Site(
                    name=node["site"],
                    kind=_kind(node["site"], node["role"]),
                    contact_name=node.get("contact") or None,
                )
            device = Device(
                name=name,
                address=node["mgmt_address"],
                role=node["role"],
                platform="linux",
                site=site,
                snmp_credential=cred,
            )
            session.add(device)
            for port, info in node["ports"].items():
                ports[(name, port)] = Interface(device=device, name=port, if_index=info["ifindex"])
                session.add(ports[(name, port)])
        session.flush()
        for link in inventory["links"]:
            a, b = (ports[tuple(end.split(":", 1))] for end in (link["a"], link["b"]))  # type: ignore[index]
            first, second = sorted((a, b), key=lambda i: i.id)
            session.add(
                Link(a_interface_id=first.id, b_interface_id=second.id, declared=True, source="declared")
            )


def service_poller_available() -> bool:
    modules = ("netops.polling.poll_task", "netops.store.persist")
    return all(importlib.util.find_spec(m) is not None for m in modules)


def poll_status(settings: Settings, engine: Engine, inventory: dict[str, Any]) -> str:
    """One status cycle; returns which path ran ("service" or "snmpbulkwalk")."""
    if service_poller_available():
        _service_cycle(settings, engine)
        return "service"
    _walk_cycle(settings, engine, inventory)
    return "snmpbulkwalk"


def _service_cycle(settings: Settings, engine: Engine) -> None:
    from netops.polling.cycle import JobRunner, load_device_intervals
    from netops.polling.executor import InProcessExecutor
    from netops.polling.jobs import build_specs

    with session_scope(engine) as session:
        intervals = load_device_intervals(session)
    spec = next(s for s in build_specs(intervals, settings) if s.name == "status" and s.default)
    executor = InProcessExecutor(settings)
    try:
        JobRunner(settings, engine, executor).run_cycle(spec, trigger="test", spread=False)
    finally:
        executor.close()


def _walk(address: str, community: str, oid: str) -> dict[int, int]:
    out = subprocess.run(
        ["snmpbulkwalk", "-v2c", "-c", community, "-Oneq", "-t", "1", "-r", "1", address, oid],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    ).stdout
    values = {}
    for line in out.splitlines():
        name, _, value = line.partition(" ")
        if name.startswith("." + oid + "."):
            digits = "".join(ch for ch in value if ch.isdigit())
            if digits:
                values[int(name.rsplit(".", 1)[1])] = int(digits)
    return values


def _walk_cycle(settings: Settings, engine: Engine, inventory: dict[str, Any]) -> None:
    from netops.monitor.evaluate import Probe, evaluate

    community = inventory["snmp"]["community"]
    now = datetime.now(UTC)
    probes = {}
    with session_scope(engine) as session:
        for name, node in inventory["nodes"].items():
            oper = _walk(node["mgmt_address"], community, IF_OPER)
            admin = _walk(node["mgmt_address"], community, IF_ADMIN)
            probes[name] = Probe(device=name, answered=bool(oper))
            _store_ports(session, name, oper, admin, now)
        evaluate(session, settings, probes, now)


def _store_ports(
    session: Session, device: str, oper: dict[int, int], admin: dict[int, int], now: datetime
) -> None:
    rows = session.scalars(select(Interface).join(Device).where(Device.name == device))
    for iface in rows:
        if iface.if_index in oper:
            status = STATUS.get(oper[iface.if_index], "unknown")
            if status != iface.oper_status:
                iface.last_change = now
            iface.oper_status = status
            iface.admin_status = STATUS.get(admin.get(iface.if_index, 4), "unknown")
            iface.status_polled_at = now
