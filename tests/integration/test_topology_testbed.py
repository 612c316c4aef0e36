"""The topology on the real testbed: discovery by SNMP/LLDP, then fibers cut and a node powered off.

Inventory (sites, devices, SNMP credential) comes from the testbed's inventory JSON, links come
only from discovery. The graph must equal the testbed's plant; a cut ring fiber degrades the
sites behind it; a cut single-homed uplink disconnects exactly the site behind it with that
fiber as the cause; a powered-off distribution switch is the cause for every site behind it.
Device states are written by a stand-in for the monitor (answered -> up, silent -> down).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from cli import main
from inventory.db import make_engine, session_scope, upgrade_schema
from inventory.models import Credential, Device, Site
from netops.accounts import add_user
from netops.monitor.network_view import NetworkView, NetworkViews
from netops.settings import Settings, load_settings
from tests.integration.testbed import Testbed
from tests.support.synthetic import site_kind
from topology.states import Element
from web import create_app

pytestmark = pytest.mark.testbed

UTARA_SITES_OF = (
    "dist-utara",
    "acc-smpn1",
    "acc-sman1",
    "acc-kel-kedungsari",
    "acc-sd-kedungsari",
    "acc-puskesmas-utara",
)


@dataclass
class Bed:
    testbed: Testbed
    engine: Engine
    settings: Settings
    environ: dict[str, str]
    data_dir: Path

    def site(self, node: str) -> str:
        return str(self.testbed.inventory["nodes"][node]["site"])


def _populate(session: Session, inv: dict[str, Any]) -> None:
    cred = Credential(name="testbed-v2c", type="snmp", snmp_version="2c", community="env:NETOPS_TB_COMMUNITY")
    session.add(cred)
    sites: dict[str, Site] = {}
    for name, node in inv["nodes"].items():
        site = sites.get(node["site"])
        if site is None:
            site = sites[node["site"]] = Site(name=node["site"], kind=site_kind(node["site"], node["role"]))
            session.add(site)
        session.add(
            Device(
                name=name,
                address=node["mgmt_address"],
                role=node["role"],
                site=site,
                platform="linux",
                snmp_credential=cred,
            )
        )


def cli(bed: Bed, *args: str, exit_codes: tuple[int, ...] = (0,)) -> Any:
    """A ``netops`` command on the bed's database, as a user would run it."""
    out = CliRunner().invoke(
        main, list(args), env={"NETOPS_DATA_DIR": str(bed.data_dir), **bed.environ}, catch_exceptions=False
    )
    assert out.exit_code in exit_codes, out.output
    return json.loads(out.stdout) if "--json" in args else out.stdout  # progress is on stderr


def poll(bed: Bed, job: str) -> None:
    """``netops poll --kind JOB``: the one path applies it (store, link sync, assessment)."""
    cli(bed, "poll", "--kind", job, "--json", exit_codes=(0, 1))  # 1: a failed node did not answer


def view(bed: Bed) -> NetworkView:
    return NetworkViews(bed.engine).current()


def codes(v: NetworkView) -> dict[str, str]:
    return {name: s.state.value for name, s in v.sites.items()}


def wait_for(bed: Bed, check: Any, timeout_s: float = 20.0) -> NetworkView:
    """Poll status until ``check(view)`` holds (net-snmp caches ifTable ~3 s)."""
    deadline = time.monotonic() + timeout_s
    while True:
        poll(bed, "status")
        current = view(bed)
        if check(current) or time.monotonic() > deadline:
            return current
        time.sleep(1.0)


def agreement(bed: Bed) -> dict[str, tuple[str, dict[str, str] | None, int | None]]:
    """Every site's state, root cause and outage id from ``netops status --json``, checked against
    ``netops outages --active --json`` and ``/api/v1/sites``: one answer, or the test fails."""
    status = {
        row["site"]: (row["state"], row["root_cause"], row["outage_id"])
        for row in cli(bed, "status", "--json")
    }
    outages = {o["id"]: o for o in cli(bed, "outages", "--active", "--json")}
    for site, (state, cause, outage_id) in status.items():
        if state == "disconnected":
            assert outage_id in outages and site in outages[outage_id]["affected_sites"], site
            assert outages[outage_id]["root_cause"] == cause
        elif state == "connected":
            assert outage_id is None and cause is None
    listed = {s for o in outages.values() for s in o["affected_sites"]}
    assert listed == {s for s, (state, _, _) in status.items() if state == "disconnected"}
    app = create_app(bed.settings, engine=bed.engine)
    token = cli(bed, "token", "create", "tb-admin").strip().splitlines()[-1]
    api = app.test_client().get("/api/v1/sites", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    for row in api.get_json():
        name = row["site"]["name"]
        assert (row["root_cause"], row["outage_id"]) == status[name][1:], name
        assert {"online": "connected", "offline": "disconnected"}.get(row["state"], row["state"]) == status[
            name
        ][0]
    return status


@pytest.fixture(scope="module")
def bed(testbed: Testbed, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bed]:
    data_dir = tmp_path_factory.mktemp("topology-testbed")
    settings = load_settings(
        environ={"NETOPS_DATA_DIR": str(data_dir), "NETOPS_SNMP__TIMEOUT_S": "2", "NETOPS_SNMP__RETRIES": "2"}
    )
    engine = make_engine(settings.effective_database_url)
    upgrade_schema(engine)
    with session_scope(engine) as session:
        _populate(session, testbed.inventory)
    current = Bed(
        testbed,
        engine,
        settings,
        {
            "NETOPS_TB_COMMUNITY": testbed.inventory["snmp"]["community"],
            "NETOPS_SNMP__TIMEOUT_S": "2",
            "NETOPS_SNMP__RETRIES": "2",
        },
        data_dir,
    )
    with session_scope(engine) as session:
        add_user(session, "tb-admin", "tb-admin-password", "admin")
    poll(current, "discovery")
    try:
        yield current
    finally:
        engine.dispose()


def _plant(inv: dict[str, Any]) -> set[frozenset[str]]:
    return {frozenset((lk["a"], lk["b"])) for lk in inv["links"]}


def test_graph_after_discovery_equals_the_testbed(bed: Bed) -> None:
    poll(bed, "status")
    v = view(bed)
    found = {frozenset((str(lk.a), str(lk.b))) for lk in v.graph.links.values()}
    assert found == _plant(bed.testbed.inventory)
    assert all(node.known for node in v.graph.nodes.values())
    for lk in v.graph.links.values():
        assert lk.seen_from == tuple(sorted((lk.a.device, lk.b.device))), f"{lk.key} seen from both ends"
        assert lk.port_resolved
    assert all("lldp" in lk.sources and lk.status == "up" for lk in v.graph.links.values())
    assert set(codes(v).values()) == {"connected"}
    agreement(bed)


def test_cut_ring_fiber_degrades_the_sites_behind_it(bed: Bed) -> None:
    bed.testbed.fail_link("dist-utara:xe2", "dist-tengah:xe1")
    try:
        v = wait_for(bed, lambda v: "degraded" in codes(v).values())
        assert "disconnected" not in codes(v).values()
        assert {s for s, c in codes(v).items() if c == "degraded"} == {bed.site(n) for n in UTARA_SITES_OF}
        cause = Element("link", "dist-tengah:xe1--dist-utara:xe2")
        assert cause in v.sites[bed.site("acc-smpn1")].causes
        [outage] = cli(bed, "outages", "--active", "--json")
        assert outage["root_cause"] == cause.as_json() and outage["affected_sites"] == []
        assert set(outage["degraded_sites"]) == {bed.site(n) for n in UTARA_SITES_OF}
        agreement(bed)
    finally:
        bed.testbed.restore_link("dist-utara", "dist-tengah")
    v = wait_for(bed, lambda v: set(codes(v).values()) == {"connected"})
    assert set(codes(v).values()) == {"connected"}


def test_cut_single_homed_uplink_disconnects_exactly_that_site(bed: Bed) -> None:
    bed.testbed.fail_link("dist-utara:sfp1", "acc-smpn1")
    try:
        v = wait_for(bed, lambda v: "disconnected" in codes(v).values())
        lost = {s for s, c in codes(v).items() if c != "connected"}
        assert lost == {bed.site("acc-smpn1")}
        cause = Element("link", "acc-smpn1:sfp1--dist-utara:sfp1")
        assert v.sites[bed.site("acc-smpn1")].causes == (cause,)
        (row,) = cli(bed, "status", bed.site("acc-smpn1"), "--json")
        assert (row["state"], row["kind"], row["path"]) == ("disconnected", "school", [])
        assert row["disjoint_paths"] == 0 and row["root_cause"] == cause.as_json()
        assert row["cause"] == (
            f"cut off: the fiber between {bed.site('acc-smpn1')} and {bed.site('dist-utara')}"
            " is cut (acc-smpn1:sfp1 – dist-utara:sfp1)"
        )
        assert row["since"] is not None and row["outage_id"] is not None
        first = agreement(bed)
        for _ in range(2):  # and they keep agreeing over the following polls
            poll(bed, "status")
            assert agreement(bed) == first
    finally:
        bed.testbed.restore_link("dist-utara", "acc-smpn1")
    v = wait_for(bed, lambda v: set(codes(v).values()) == {"connected"})
    assert set(codes(v).values()) == {"connected"}
    agreement(bed)


def test_powered_off_distribution_switch_is_the_cause_behind_it(bed: Bed) -> None:
    bed.testbed.fail_node("dist-utara")
    try:
        v = wait_for(bed, lambda v: "disconnected" in codes(v).values(), timeout_s=60.0)
        lost = {s for s, c in codes(v).items() if c == "disconnected"}
        assert lost == {bed.site(n) for n in UTARA_SITES_OF}
        assert {v.sites[s].causes for s in lost} == {(Element("device", "dist-utara"),)}
        assert v.graph.nodes["dist-utara"].state == "down"
        assert {s for s, c in codes(v).items() if c == "degraded"} == set(), (
            "dist-tengah keeps two paths: selatan and the dual-homed sites"
        )
        first = agreement(bed)
        [outage] = cli(bed, "outages", "--active", "--json")
        assert set(outage["affected_sites"]) == lost
        for _ in range(2):
            poll(bed, "status")
            assert agreement(bed) == first
    finally:
        bed.testbed.restore_node("dist-utara")
        bed.testbed.verify(60)
    v = wait_for(bed, lambda v: set(codes(v).values()) == {"connected"})
    assert set(codes(v).values()) == {"connected"}
    assert cli(bed, "outages", "--active", "--json") == []
