"""The SSH collector against simulated vendor CLIs (fakenos on loopback), through netmiko exactly
as against real switches: a Cisco IOS / Huawei VRP / Junos triangle plus an Arista EOS edge
switch, with consistent LLDP on every link."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from collectors.observations import ErrorKind, IdKind, PollKind, PollResult
from collectors.ssh import SshPoller
from collectors.targets import Secret, SshCredentials, Target, Timeouts
from tests.support.fakenos_net import (
    PASSWORD,
    USERNAME,
    Device,
    Link,
    build_inventory,
    free_ports,
    vendor_net,
)

fakenos = pytest.importorskip("fakenos")
# fakenos's own server thread raises after a rejected login; that is its noise, not ours
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
ALL = frozenset({PollKind.FACTS, PollKind.INTERFACES, PollKind.NEIGHBORS, PollKind.CONFIG})


@dataclass
class Net:
    devices: list[Device]
    links: list[Link]
    ports: dict[str, int]

    def target(self, name: str, password: str = PASSWORD, port: int | None = None) -> Target:
        device = next(d for d in self.devices if d.name == name)
        return Target(
            device_key=name,
            host="127.0.0.1",
            platform=device.netmiko_platform,
            ssh_port=port or self.ports[name],
            ssh=SshCredentials(USERNAME, Secret(password)),
            timeouts=Timeouts(ssh_connect_s=5, ssh_command_s=10, deadline_s=30),
            host_key_policy="ignore",
        )


@pytest.fixture(scope="module")
def net() -> Iterator[Net]:
    devices, links = vendor_net()
    ports = dict(zip([d.name for d in devices], free_ports(len(devices)), strict=True))
    server = fakenos.FakeNOS(inventory=build_inventory(devices, links, ports))
    server.start()
    try:
        yield Net(devices, links, ports)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def results(net: Net) -> dict[str, PollResult]:
    poller = SshPoller()
    return {r.device_key: r for r in poller.poll_many([net.target(d.name) for d in net.devices], ALL, 3)}


def _short(port: str) -> str:
    return port.replace("GigabitEthernet", "Gi")


def test_every_kind_completes_on_every_vendor(results: dict[str, PollResult]) -> None:
    for name, result in results.items():
        assert result.completed == ALL, (name, result.errors)
        assert result.transport == "ssh" and result.facts is not None
        assert result.facts.sys_name == name


def test_lldp_is_seen_from_both_ends_of_every_link(net: Net, results: dict[str, PollResult]) -> None:
    chassis = {d.name: d.chassis for d in net.devices}
    for link in net.links:
        for here, port, there in ((link.a, link.a_port, link.b), (link.b, link.b_port, link.a)):
            seen = [n for n in results[here].neighbors if n.local_port in (port, _short(port))]
            assert len(seen) == 1, (here, port, results[here].neighbors)
            assert seen[0].system_name == there
            assert (seen[0].chassis_id, seen[0].chassis_id_kind) == (chassis[there], IdKind.MAC)
    total = sum(len(r.neighbors) for r in results.values())
    assert total == 2 * len(net.links)


def test_junos_neighbor_port_is_its_ifindex_as_a_local_id(results: dict[str, PollResult]) -> None:
    from_core = next(n for n in results["core-01"].neighbors if n.system_name == "acc-01")
    assert (from_core.port_id, from_core.port_id_kind, from_core.port_description) == (
        "513",
        IdKind.LOCAL,
        "ge-0/0/0",
    )


def test_interfaces_of_every_vendor(net: Net, results: dict[str, PollResult]) -> None:
    for device in net.devices:
        names = {i.name for i in results[device.name].interfaces}
        assert set(device.ports) <= names
        states = {
            (i.admin_status, i.oper_status) for i in results[device.name].interfaces if i.name in device.ports
        }
        assert states == {("up", "up")}


def test_config_is_versionable_text_with_secrets_masked(results: dict[str, PollResult]) -> None:
    for name, result in results.items():
        assert result.config is not None and name in result.config.text
        assert PASSWORD not in result.config.text and "secrethash" not in result.config.text
        assert "<masked>" in result.config.text
        assert "Building configuration" not in result.config.text


def test_wrong_password_is_auth_fast(net: Net) -> None:
    start = time.monotonic()
    result = SshPoller().poll(net.target("dist-01", password="wrong"), ALL)
    assert {e.kind for e in result.errors} == {ErrorKind.AUTH}
    assert not result.completed
    assert time.monotonic() - start < 3.0


def test_refused_port_is_refused_fast(net: Net) -> None:
    (closed,) = free_ports(1)
    start = time.monotonic()
    result = SshPoller().poll(net.target("core-01", port=closed), ALL)
    assert {e.kind for e in result.errors} == {ErrorKind.REFUSED}
    assert time.monotonic() - start < 3.0


def test_optics_from_cisco_and_arista(net: Net) -> None:
    poller = SshPoller()
    core = poller.poll(net.target("core-01"), {PollKind.OPTICS})
    edge = poller.poll(net.target("edge-01"), {PollKind.OPTICS})
    assert [(o.port, o.rx_dbm, o.tx_dbm, o.temperature_c) for o in core.optics] == [
        ("Gi1/0/1", -7.1, -5.4, 31.2)
    ]
    assert [(o.port, o.rx_dbm, o.tx_dbm) for o in edge.optics] == [("Et1", -3.08, -2.36)]


def test_arista_facts(results: dict[str, PollResult]) -> None:
    facts = results["edge-01"].facts
    assert facts is not None
    assert (facts.model, facts.serial, facts.os_version, facts.vendor) == (
        "DCS-7050TX-64-R",
        "JPE12345678",
        "4.21.1F",
        "Arista",
    )
