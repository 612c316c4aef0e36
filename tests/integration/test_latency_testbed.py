"""A lossy site on the real testbed: 30 % of the packets reaching a school's switch are dropped.

``testbed degrade-node acc-smpn1 --loss 30`` (nftables in the node's namespace) while the service
runs its status job every 3 s with the ICMP burst beside SNMP; the loss window is 15 s (five
bursts). The school must turn degraded with a loss cause (site answer and outage), and its
latency API must show the loss; after the repair the outage closes. The loss is restored in
``finally``.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, select

from inventory.db import session_scope
from inventory.models import Outage, Site, SiteState
from netops import accounts
from netops.monitor.network_view import NetworkViews
from netops.polling.service import MonitorService
from netops.settings import Settings
from tests.integration.monitor_helpers import fast_settings, seed_testbed, wait_for
from tests.integration.testbed import Testbed
from web import create_app

pytestmark = pytest.mark.testbed
NODE = "acc-smpn1"
WINDOW_S = 15
BURSTS = 8  # the bursts read back through the API while the loss lasts (40 echoes)


def _site_state(engine: Engine, site: str) -> tuple[str, str] | None:
    with session_scope(engine) as session:
        query = (select(SiteState.state, SiteState.reason).join(Site, Site.id == SiteState.site_id)
                 .where(Site.name == site))
        row = session.execute(query).first()
        return (row[0], row[1]) if row else None


def _impaired_outage(engine: Engine) -> dict[str, Any] | None:
    with session_scope(engine) as session:
        for o in session.scalars(select(Outage).where(Outage.root_cause == NODE, Outage.ended_at.is_(None))):
            if o.degraded_sites:
                return {"id": o.id, "degraded_sites": list(o.degraded_sites), "cause_text": o.cause_text,
                        "words": dict(o.cause_words or {})}
    return None


def test_lossy_uplink_degrades_the_site_with_a_loss_cause_and_the_graph_shows_it(
        testbed: Testbed, settings: Settings, engine: Engine) -> None:
    site = testbed.inventory["nodes"][NODE]["site"]
    seed_testbed(engine, testbed.inventory)
    with session_scope(engine) as session:
        accounts.add_user(session, "budi", "helpdesk-pass", "helpdesk")
        token = accounts.create_token(session, "budi")
    base = fast_settings(settings)
    monitor = dataclasses.replace(base.monitor, loss_window_s=WINDOW_S)
    service_settings = dataclasses.replace(base, monitor=monitor)
    service = MonitorService(service_settings, engine, only=("status",))
    service.start()
    try:
        assert wait_for(lambda: _site_state(engine, site) == ("connected", ""), 20), _site_state(engine, site)
        degraded_at = datetime.now(UTC)
        testbed.degrade_node(NODE, 30)
        try:
            outage = wait_for(lambda: _impaired_outage(engine), WINDOW_S + 30, step_s=0.5)
            assert outage, f"no impairment outage; site is {_site_state(engine, site)}"
            seen_s = (datetime.now(UTC) - degraded_at).total_seconds()
            print(f"30 % loss -> impairment outage: {seen_s:.1f} s")
            assert outage["degraded_sites"] == [site]
            assert "% of packets lost over the last 15 s" in outage["cause_text"]
            assert "loses packets or is slow" in outage["words"]["en"]
            assert "paket hilang dalam 15 detik terakhir" in outage["words"]["id"]
            assert wait_for(lambda: _site_state(engine, site) == ("degraded", "impaired"), 15, step_s=0.5), \
                _site_state(engine, site)
            view = NetworkViews(engine).current()
            answer = view.status_row(view.sites[site])
            assert answer["root_cause"] == {"type": "device", "name": NODE}
            assert answer["cause"].startswith("slow or unstable: the connection through")

            app = create_app(service_settings, engine=engine, config={"TESTING": True})
            client = app.test_client()

            def lossy_points() -> list[dict[str, Any]] | None:
                body = client.get(f"/api/v1/devices/{NODE}/latency?hours=1",
                                  headers={"Authorization": f"Bearer {token}"}).get_json()
                start = degraded_at.isoformat().replace("+00:00", "Z")
                since = [p for p in body["points"] if p["at"] > start]
                return since if len(since) >= BURSTS else None

            points = wait_for(lossy_points, BURSTS * 3 + 15, step_s=0.5)
            assert points, "the status job stores a burst every cycle"
            sent = sum(p["sent"] for p in points)
            lost = sum(p["sent"] - p["received"] for p in points)
            assert sum(1 for p in points if p["loss_pct"] > 0) >= 2, points
            assert 0.05 <= lost / sent <= 0.6, f"{lost} of {sent} echoes lost with 30 % dropped"
            page = client.get(f"/api/v1/devices/{NODE}/latency?hours=1")  # no token: refused
            assert page.status_code == 401
        finally:
            testbed.degrade_node(NODE, 0)
        assert wait_for(lambda: _impaired_outage(engine) is None, WINDOW_S + 20, step_s=0.5), \
            "the outage closes once the window is clean"
        assert wait_for(lambda: _site_state(engine, site) == ("connected", ""), 15, step_s=0.5)
    finally:
        service.stop()
