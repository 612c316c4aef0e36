"""``netops poll`` says how it went in its exit status and why it polled nothing.

0 every device read, 1 some failed, 3 none answered or none could be polled, 2 an unknown
``--device`` (with the nearest names). Real UDP on loopback: one device is a simulated demo
switch that answers, the other a socket that never does.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine

from cli import main
from inventory.db import session_scope
from inventory.models import Credential, Device
from netops.settings import Settings
from tests.demo.conftest import start_agents, stop
from tests.support.udp import UdpListener


@pytest.fixture(scope="module")
def switch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The demo's simulated switches (127.0.100.x, community ``demo``) on a free UDP port."""
    process, port, _trap_port = start_agents(tmp_path_factory.mktemp("agents") / "state", "--quiet")
    try:
        yield port
    finally:
        stop(process)


@pytest.fixture
def silent() -> Iterator[UdpListener]:
    with UdpListener("127.0.0.71") as listener:
        yield listener


def _poll(settings: Settings, *args: str, env: dict[str, str | None] | None = None) -> Result:
    base: dict[str, str | None] = {
        "NETOPS_DATA_DIR": str(settings.data_dir), "NETOPS_CONFIG": "", "NETOPS_SNMP__TIMEOUT_S": "0.5",
        "NETOPS_SNMP__RETRIES": "0", "NETOPS_MONITOR__ICMP": "false"}
    return CliRunner().invoke(main, ["poll", *args], env={**base, **(env or {})}, catch_exceptions=False)


def _add(engine: Engine, name: str, port: int, address: str = "127.0.100.1", community: str = "demo",
         enabled: bool = True) -> None:
    with session_scope(engine) as session:
        cred = Credential(name=f"c-{name}", type="snmp", snmp_version="2c", community=community)
        session.add(Device(name=name, address=address, snmp_port=port, snmp_credential=cred, enabled=enabled))


def test_every_device_read_is_0_some_failed_1_none_answered_3(
    engine: Engine, settings: Settings, switch: int, silent: UdpListener
) -> None:
    _add(engine, "core", switch)
    assert _poll(settings).exit_code == 0
    _add(engine, "school", silent.port, address=silent.host)
    partial = _poll(settings)
    assert partial.exit_code == 1, partial.output
    assert "2 devices polled (status), 1 with errors" in partial.output
    alone = _poll(settings, "--device", "school")
    assert alone.exit_code == 3, alone.output
    assert silent.drain(), "the silent device was asked"
    as_json = _poll(settings, "--device", "school", "--json")
    assert as_json.exit_code == 3 and '"ok": false' in as_json.output


def test_no_devices_to_poll_says_why(engine: Engine, settings: Settings, silent: UdpListener) -> None:
    empty = _poll(settings)
    assert empty.exit_code == 3
    assert "no devices to poll: the inventory is empty" in empty.output
    _add(engine, "sw-a", silent.port, address=silent.host, enabled=False)
    _add(engine, "sw-b", silent.port, address=silent.host, enabled=False)
    for name in ("sw-c", "sw-d", "sw-e"):
        _add(engine, name, silent.port, address=silent.host, community="env:NETOPS_SNMP_COMMUNITY")
    why = _poll(settings, env={"NETOPS_SNMP_COMMUNITY": None})  # not set
    assert why.exit_code == 3, why.output
    assert ("no devices to poll: 2 devices disabled; 3 devices skipped: environment variable "
            "NETOPS_SNMP_COMMUNITY is not set") in why.output
    assert silent.drain() == [], "nothing was sent"


def test_an_unknown_device_names_the_nearest(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    _add(engine, "dist-utara", 161)
    result = _poll(settings, "--device", "dist-utra")
    assert result.exit_code == 2
    assert "no device 'dist-utra'; did you mean dist-utara?" in result.output
