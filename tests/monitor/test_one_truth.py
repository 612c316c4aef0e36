"""One truth, as a property: on random networks with random failures, everything agrees.

Each example seeds a database with a random network (a core, random fibers, one site per
device), breaks it at random (cut fibers read down at both ends, silent devices), runs the real
monitor over the store twice (a fault is seen, then seen again) and checks what every reader
would show: a site is disconnected exactly when an open outage lists it; the help-desk answer
(``netops status`` and ``/api/v1/sites`` read the same view) names the same root cause and outage
id as the open outage; the map's link colours are the stored link states.
"""

from __future__ import annotations

import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from inventory.db import make_engine, session_scope
from inventory.models import Base, Interface, LinkState, Outage, SiteState
from netops.monitor.monitor import Monitor, Probe
from netops.monitor.network_view import NetworkViews
from netops.settings import load_settings
from tests.monitor.seed import seed

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
WORK = Path(tempfile.mkdtemp(prefix="one-truth-"))


@st.composite
def broken_networks(
    draw: st.DrawFn,
) -> tuple[list[dict[str, str]], list[tuple[str, str, str, str]], set[int], set[str]]:
    n = draw(st.integers(3, 9))
    devices = [
        {
            "name": f"d{i}",
            "address": f"127.0.0.{i + 2}",
            "site": f"Site {i}",
            "role": "core" if i == 0 else "access",
        }
        for i in range(n)
    ]
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1]),
            min_size=n - 1,
            max_size=2 * n,
        )
    )
    links = [(f"d{a}", f"p{k}", f"d{b}", f"p{k}") for k, (a, b) in enumerate(pairs)]
    cut = draw(st.sets(st.integers(0, len(links) - 1), max_size=2))
    silent = draw(st.sets(st.sampled_from([d["name"] for d in devices]), max_size=2))
    return devices, links, cut, silent


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken_networks())
def test_outages_sites_and_the_map_agree(
    case: tuple[list[dict[str, str]], list[tuple[str, str, str, str]], set[int], set[str]],
) -> None:
    devices, links, cut, silent = case
    data = WORK / uuid.uuid4().hex
    data.mkdir()
    conf = load_settings(environ={"NETOPS_DATA_DIR": str(data)})
    engine = make_engine(f"sqlite:///{data / 'netops.db'}")
    Base.metadata.create_all(engine)
    try:
        with session_scope(engine) as session:
            seed(session, devices, links)
            cut_ports = {(a, ap) for k in cut for a, ap, _, _ in [links[k]]} | {
                (b, bp) for k in cut for _, _, b, bp in [links[k]]
            }
            for iface in session.scalars(select(Interface)):
                iface.oper_status = "down" if (iface.device.name, iface.name) in cut_ports else "up"
                iface.admin_status = "up"
        monitor = Monitor(conf)
        probes = {
            d["name"]: Probe(
                d["name"],
                d["name"] not in silent,
                False if d["name"] in silent else None,
                "timeout" if d["name"] in silent else None,
            )
            for d in devices
        }
        for step in range(2):
            with session_scope(engine) as session:
                monitor.evaluate(session, probes, T0 + timedelta(seconds=60 * step))
        _check(engine, conf)
    finally:
        engine.dispose()


def _check(engine: object, conf: object) -> None:
    view = NetworkViews.from_settings(engine, conf).current()  # type: ignore[arg-type]
    with session_scope(engine) as session:  # type: ignore[arg-type]
        outages = {o.id: o for o in session.scalars(select(Outage).where(Outage.ended_at.is_(None)))}
        states = {s.site_id: s for s in session.scalars(select(SiteState))}
        stored_links = {row.link_id: row.state for row in session.scalars(select(LinkState))}
    listed = {site for o in outages.values() for site in o.affected_sites}
    disconnected = {name for name, s in view.sites.items() if s.state == "disconnected"}
    assert disconnected == listed, "a site is disconnected exactly when an open outage lists it"
    assert len(states) == len(view.sites)
    for row in view.status_rows():
        if row["state"] not in ("disconnected", "degraded"):
            continue
        outage = outages[row["outage_id"]]
        assert row["root_cause"] == {"type": outage.root_cause_type, "name": outage.root_cause}
        assert row["site"] in (
            outage.affected_sites if row["state"] == "disconnected" else outage.degraded_sites
        )
    for link in view.graph.links.values():  # the map's colours are the stored states
        for link_id in link.link_ids:
            assert stored_links.get(link_id, "unknown") == link.status
