"""``netops poll`` end to end: inventory devices -> SNMP (snmpsim recordings) -> store -> JSON."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from cli import main
from inventory.models import Credential, Device, Interface, NeighborRecord, PollRun
from netops.settings import Settings


@pytest.fixture
def inventory(session: Session, snmpsim: int) -> Session:
    for name in ("vrp_5720", "ios_2960x"):
        cred = Credential(name=f"c-{name}", type="snmp", snmp_version="2c", community=name)
        session.add(Device(name=name, address="127.0.0.1", snmp_port=snmpsim, snmp_credential=cred))
    cred = Credential(name="c-silent", type="snmp", snmp_version="2c", community="no-such-community")
    session.add(Device(name="silent", address="127.0.0.1", snmp_port=snmpsim, snmp_credential=cred))
    session.commit()
    return session


def test_poll_discovery_json_and_store(inventory: Session, settings: Settings) -> None:
    env = {"NETOPS_DATA_DIR": str(settings.data_dir), "NETOPS_SNMP__TIMEOUT_S": "2"}
    run = CliRunner().invoke(main, ["poll", "--kind", "discovery", "--json"], env=env, catch_exceptions=False)
    assert run.exit_code == 1, run.output  # some devices failed (silent), the others were stored
    out = {d["device"]: d for d in json.loads(run.stdout)}
    assert set(out) == {"vrp_5720", "ios_2960x", "silent"}
    vrp = out["vrp_5720"]
    assert vrp["ok"] and vrp["facts"]["sys_object_id"] == "1.3.6.1.4.1.2011.2.23.291"
    assert {"name", "if_index", "oper_status", "admin_status", "speed_bps", "alias"} <= set(
        vrp["interfaces"][0]
    )
    assert {(n["local_port"], n["remote_system_name"]) for n in vrp["neighbors"]} >= {
        ("GigabitEthernet0/0/14", "LNS-Huawei")
    }
    assert {n["protocol"] for n in out["ios_2960x"]["neighbors"]} == {"cdp"}
    assert not out["silent"]["ok"] and out["silent"]["errors"][0]["kind"] == "timeout"
    assert "interfaces" not in out["silent"]  # only kinds that were read
    inventory.expire_all()
    vrp_id = inventory.scalar(select(Device.id).where(Device.name == "vrp_5720"))
    assert inventory.query(Interface).filter_by(device_id=vrp_id).count() == len(vrp["interfaces"])
    assert inventory.query(NeighborRecord).filter_by(device_id=vrp_id).count() == 5
    assert inventory.query(PollRun).count() == 3


def test_poll_unknown_device_is_one_clear_error(inventory: Session, settings: Settings) -> None:
    run = CliRunner().invoke(
        main, ["poll", "--device", "nope"], env={"NETOPS_DATA_DIR": str(settings.data_dir)}
    )
    assert run.exit_code != 0 and "nope" in run.output and "Traceback" not in run.output


def test_poll_status_stores_each_devices_icmp_burst(inventory: Session, settings: Settings) -> None:
    """``netops poll`` sends the status poll's ICMP burst beside SNMP, as the scheduler does: one
    latency sample per device (all three answer on 127.0.0.1), and the silent agent that still
    pings is agent_down, not down."""
    from inventory.models import DeviceState, LatencySample

    env = {"NETOPS_DATA_DIR": str(settings.data_dir), "NETOPS_SNMP__TIMEOUT_S": "1",
           "NETOPS_MONITOR__ICMP_INTERVAL_S": "0.05"}
    run = CliRunner().invoke(main, ["poll", "--kind", "status"], env=env, catch_exceptions=False)
    assert run.exit_code == 1, run.output  # the silent agent's poll failed: some failed
    assert "1 with errors" in run.output
    inventory.expire_all()
    rows = inventory.execute(select(Device.name, LatencySample.sent, LatencySample.received,
                                    LatencySample.rtt_avg_ms)
                             .join(Device, Device.id == LatencySample.device_id)).all()
    assert sorted(name for name, *_ in rows) == ["ios_2960x", "silent", "vrp_5720"]
    assert all(sent == received == 5 and rtt is not None and rtt < 50 for _, sent, received, rtt in rows)
    states = dict(inventory.execute(select(Device.name, DeviceState.state)
                                    .join(Device, Device.id == DeviceState.device_id)).tuples().all())
    assert states["silent"] == "agent_down"
