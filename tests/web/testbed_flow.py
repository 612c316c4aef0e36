"""The testbed as the web sees it: import the bed into the database and run status polls.

``import_testbed`` writes the bed's inventory (sites, devices, ports with ifIndex, declared
fibers, the v2c credential) into the models. ``poll_status`` runs one status cycle through the
service (``netops.polling.cycle.JobRunner``: the poll task, then ``netops.apply``: store, link
sync, assessment), so states, events and outages are the monitor's, not the test's.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from inventory.db import session_scope
from inventory.models import Credential, Device, Interface, Link, Site
from netops.settings import Settings

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


def poll_status(settings: Settings, engine: Engine) -> None:
    """One status cycle through the service, as the scheduler runs it."""
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
