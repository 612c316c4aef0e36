"""Single points of failure on the real testbed equal brute force, before and after a ring cut.

The bed (real snmpd + lldpd in namespaces) is discovered by ``netops poll --kind discovery``
and polled by ``netops poll --kind status``, exactly as in ``test_topology_testbed``. Then
``netops topology spof --json`` must equal the brute-force removal of every device and link
of what the stored states say works (``tests.topology.brute``), and ``/api/v1/topology/spof``
must say the same. Cutting a ring fiber changes the answer (the ring's other fibers become
single points for the district behind them); brute force must still agree.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from cli import main
from inventory.db import make_engine, session_scope, upgrade_schema
from netops.monitor.network_view import NetworkView, NetworkViews
from netops.settings import load_settings
from tests.integration.test_topology_testbed import Bed, _populate, codes
from tests.integration.testbed import Testbed
from tests.topology.brute import brute_from_view
from web import create_app

pytestmark = pytest.mark.testbed
RING = ("dist-utara:xe2", "dist-tengah:xe1")


def cli(bed: Bed, *args: str) -> Any:
    """A ``netops`` command on the bed's database; its stdout only (progress goes to stderr)."""
    env = {"NETOPS_DATA_DIR": str(bed.data_dir), **bed.environ}
    out = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout) if "--json" in args else out.stdout


def poll(bed: Bed, kind: str) -> None:
    cli(bed, "poll", "--kind", kind, "--json")


def wait_for(bed: Bed, check: Callable[[NetworkView], bool], timeout_s: float = 30.0) -> NetworkView:
    """Status polls until ``check(view)`` holds (net-snmp caches ifTable ~3 s)."""
    deadline = time.monotonic() + timeout_s
    while True:
        poll(bed, "status")
        current = NetworkViews(bed.engine).current()
        if check(current) or time.monotonic() > deadline:
            return current
        time.sleep(1.0)


@pytest.fixture(scope="module")
def bed(testbed: Testbed, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bed]:
    data_dir = tmp_path_factory.mktemp("spof-testbed")
    environ = {
        "NETOPS_TB_COMMUNITY": testbed.inventory["snmp"]["community"],
        "NETOPS_SNMP__TIMEOUT_S": "2",
        "NETOPS_SNMP__RETRIES": "2",
    }
    settings = load_settings(environ={"NETOPS_DATA_DIR": str(data_dir), **environ})
    engine: Engine = make_engine(settings.effective_database_url)
    upgrade_schema(engine)
    with session_scope(engine) as session:
        _populate(session, testbed.inventory)
    current = Bed(testbed, engine, settings, environ, data_dir)
    poll(current, "discovery")
    try:
        yield current
    finally:
        engine.dispose()


def _api_spof(bed: Bed) -> Any:
    token = cli(bed, "token", "create", "tb-spof").strip().splitlines()[-1]
    app = create_app(bed.settings, engine=bed.engine)
    answer = app.test_client().get("/api/v1/topology/spof", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    return answer.get_json()


def _agree(bed: Bed) -> list[dict[str, Any]]:
    spof = cli(bed, "topology", "spof", "--json")
    assert spof == brute_from_view(NetworkViews(bed.engine).current())
    assert spof == _api_spof(bed)
    return spof


def test_spof_equals_brute_force_on_the_testbed(bed: Bed) -> None:
    from netops.accounts import add_user

    with session_scope(bed.engine) as session:
        add_user(session, "tb-spof", "tb-spof-password", "engineer")
    v = wait_for(bed, lambda v: set(codes(v).values()) == {"connected"})
    assert set(codes(v).values()) == {"connected"}
    intact = _agree(bed)
    names = {(p["type"], p["name"]) for p in intact}
    assert ("device", "core-balaikota") in names  # the one root
    assert ("device", "acc-kel-kedungsari") in names  # the school chained behind the kelurahan
    assert ("device", "dist-utara") in names  # its schools hang on it alone
    assert not any(p["name"] == "acc-smpn1" for p in intact)  # only its own site behind it
    assert not any(p["type"] == "link" and "dist-tengah:xe1" in p["name"] for p in intact)  # the ring

    bed.testbed.fail_link(*RING)
    try:
        v = wait_for(bed, lambda v: "degraded" in codes(v).values())
        assert "degraded" in codes(v).values()
        cut = _agree(bed)
        ring = [p["name"] for p in cut if p["type"] == "link" and "core-balaikota:xe1" in p["name"]]
        assert ring, "with the ring cut, the core's fiber to dist-utara carries the whole district"
        assert {(p["type"], p["name"]) for p in cut} != names
    finally:
        bed.testbed.restore_link(RING[0].split(":")[0], RING[1].split(":")[0])
    v = wait_for(bed, lambda v: set(codes(v).values()) == {"connected"})
    assert _agree(bed) == intact
