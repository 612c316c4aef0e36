"""The SSH collector against the testbed's real sshd + lldpd nodes (platform linux): the neighbors
read over SSH are the testbed's fiber links, and the same as the SNMP collector reads."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from collectors.observations import ErrorKind, IdKind, PollKind, PollResult
from collectors.ssh import SshPoller
from collectors.targets import Secret, SnmpV2c, SshCredentials, Target, Timeouts
from tests.integration import testbed as tb

pytestmark = pytest.mark.testbed
KINDS = frozenset({PollKind.FACTS, PollKind.INTERFACES, PollKind.NEIGHBORS, PollKind.CONFIG})


def _target(bed: tb.Testbed, node: str, **extra: Any) -> Target:
    ssh = bed.inventory["ssh"]
    options: dict[str, Any] = {
        "known_hosts_path": ssh["known_hosts_file"],
        "host_key_policy": "strict",
        **extra,
    }
    return Target(
        device_key=node,
        host=bed.address(node),
        platform="linux",
        profile="linux_netsnmp",
        ssh=SshCredentials(ssh["username"], Secret(ssh["password"])),
        ssh_port=int(ssh["port"]),
        snmp=SnmpV2c(Secret(bed.inventory["snmp"]["community"])),
        timeouts=Timeouts(ssh_connect_s=5, ssh_command_s=10, deadline_s=30),
        **options,
    )


def _ssh_nodes(bed: tb.Testbed) -> list[str]:
    return [name for name, node in bed.inventory["nodes"].items() if node.get("ssh", True)]


@pytest.fixture(scope="module")
def ssh_results(testbed: tb.Testbed) -> dict[str, PollResult]:
    testbed.settle()
    targets = [_target(testbed, n) for n in _ssh_nodes(testbed)]
    return {r.device_key: r for r in SshPoller().poll_many(targets, KINDS, max_workers=16)}


def test_every_ssh_node_answers_with_strict_host_keys(
    testbed: tb.Testbed, ssh_results: dict[str, PollResult]
) -> None:
    assert set(ssh_results) == set(_ssh_nodes(testbed))
    for name, result in ssh_results.items():
        assert result.completed == KINDS, (name, result.errors)
        assert result.facts is not None and result.facts.sys_name == name
        assert result.config is not None and f"Override system name with: {name}" in result.config.text


def test_neighbors_over_ssh_match_the_fiber_links(
    testbed: tb.Testbed, ssh_results: dict[str, PollResult]
) -> None:
    nodes = testbed.inventory["nodes"]
    expected = set()
    for link in testbed.inventory["links"]:
        (a, a_port), (b, b_port) = (link["a"].split(":"), link["b"].split(":"))
        for here, port, there, there_port in ((a, a_port, b, b_port), (b, b_port, a, a_port)):
            if here in ssh_results:
                expected.add((here, port, nodes[there]["chassis_id"], there, there_port))
    seen = set()
    for name, result in ssh_results.items():
        for n in result.neighbors:
            assert n.chassis_id_kind is IdKind.MAC
            peer = next(p for p, node in nodes.items() if node["chassis_id"] == n.chassis_id)
            port = (
                n.port_id
                if n.port_id_kind is IdKind.INTERFACE_NAME
                else next(p for p, info in nodes[peer]["ports"].items() if info["mac"] == n.port_id)
            )
            seen.add((name, n.local_port, n.chassis_id, n.system_name, port))
    assert seen == expected


def test_interfaces_carry_the_testbed_aliases(
    testbed: tb.Testbed, ssh_results: dict[str, PollResult]
) -> None:
    for name, result in ssh_results.items():
        by_name = {i.name: i for i in result.interfaces}
        for port, info in testbed.inventory["nodes"][name]["ports"].items():
            assert by_name[port].if_index == info["ifindex"]
            assert by_name[port].mac == info["mac"]
            assert by_name[port].alias == info["alias"]
            assert (by_name[port].admin_status, by_name[port].oper_status) == ("up", "up")


def test_node_without_ssh_is_refused_fast(testbed: tb.Testbed) -> None:
    closed = [n for n, node in testbed.inventory["nodes"].items() if not node.get("ssh", True)]
    if not closed:
        pytest.skip("this topology has no node with ssh disabled")
    start = time.monotonic()
    result = SshPoller().poll(_target(testbed, closed[0]), KINDS)
    assert {e.kind for e in result.errors} == {ErrorKind.REFUSED}
    assert time.monotonic() - start < 3.0


def test_wrong_password_against_real_sshd_is_auth_within_3s(testbed: tb.Testbed, tmp_path: Path) -> None:
    node = _ssh_nodes(testbed)[0]
    target = _target(testbed, node)
    bad = Target(
        **{
            **{f: getattr(target, f) for f in target.__slots__},
            "ssh": SshCredentials(target.ssh.username, Secret("wrong")),
        }
    )  # type: ignore[union-attr]
    start = time.monotonic()
    result = SshPoller().poll(bad, KINDS)
    assert {e.kind for e in result.errors} == {ErrorKind.AUTH}
    # one password attempt, no retry loop; OpenSSH may add its failed-login delay (2-4 s with PAM)
    assert time.monotonic() - start < 5.0


def test_ssh_neighbors_equal_snmp_neighbors(testbed: tb.Testbed, ssh_results: dict[str, PollResult]) -> None:
    snmp = pytest.importorskip("collectors.snmp")
    poller = snmp.SnmpPoller()

    async def walk() -> list[PollResult]:
        try:
            targets = {n: _target(testbed, n) for n in ssh_results}
            polls = (poller.poll(t, {PollKind.NEIGHBORS}) for t in targets.values())
            results = list(await asyncio.gather(*polls))
            # an agent starved by a busy machine may miss one cycle's deadline; ask it once more, as
            # the next cycle would (the comparison, not the timeout, is what this test is about)
            return [r if r.completed else await poller.poll(targets[r.device_key], {PollKind.NEIGHBORS})
                    for r in results]
        finally:
            poller.close()

    for snmp_result in asyncio.run(walk()):
        assert PollKind.NEIGHBORS in snmp_result.completed, snmp_result.errors
        over_ssh = ssh_results[snmp_result.device_key].neighbors
        key = (
            "local_port",
            "chassis_id",
            "chassis_id_kind",
            "port_id",
            "port_id_kind",
            "system_name",
            "port_description",
        )
        assert {tuple(getattr(n, k) for k in key) for n in snmp_result.neighbors} == {
            tuple(getattr(n, k) for k in key) for n in over_ssh
        }, snmp_result.device_key


def test_discovery_follows_neighbors_read_over_ssh(testbed: tb.Testbed, settings: Any) -> None:
    """A device whose LLDP-MIB gave nothing (as with LLDP over SNMP disabled) is still crawled past."""
    from datetime import UTC, datetime

    from netops.polling.ssh_branch import ssh_follow

    node = "dist-utara"
    ssh = testbed.inventory["ssh"]
    now = datetime.now(UTC)
    silent = PollResult(
        device_key=testbed.address(node),
        profile="linux_netsnmp",
        transport="snmp",
        started_at=now,
        finished_at=now,
        completed=frozenset({PollKind.NEIGHBORS}),
    )
    follow = ssh_follow(SshCredentials(ssh["username"], Secret(ssh["password"])), settings)
    nodes = testbed.inventory["nodes"]
    peers = {p.split(":")[0] for p in (info["peer"] for info in nodes[node]["ports"].values())}
    assert set(follow(silent)) == {nodes[p]["mgmt_address"] for p in peers}
    assert (settings.data_dir / "ssh" / "known_hosts").exists()


def test_key_authentication(testbed: tb.Testbed) -> None:
    ssh = testbed.inventory["ssh"]
    node = _ssh_nodes(testbed)[-1]
    target = _target(testbed, node)
    keyed = Target(
        **{
            **{f: getattr(target, f) for f in target.__slots__},
            "ssh": SshCredentials(ssh["username"], key_file=ssh["private_key_file"]),
        }
    )
    result = SshPoller().poll(keyed, {PollKind.FACTS})
    assert result.completed == {PollKind.FACTS}, result.errors


def test_discover_cli_with_ssh_credential(testbed: tb.Testbed, settings: Any, engine: Any) -> None:
    import json

    from click.testing import CliRunner

    from cli import main
    from inventory.db import session_scope
    from inventory.models import Credential

    ssh = testbed.inventory["ssh"]
    with session_scope(engine) as session:
        session.add(Credential(name="tb-ssh", type="ssh", username=ssh["username"], password=ssh["password"]))
    env = {"NETOPS_DATA_DIR": str(settings.data_dir)}
    seed = testbed.address("dist-utara")
    args = [
        "discover",
        "--seed",
        seed,
        "--community",
        testbed.inventory["snmp"]["community"],
        "--max-depth",
        "1",
    ]
    unknown = CliRunner().invoke(main, [*args, "--ssh-credential", "nope"], env=env)
    assert unknown.exit_code == 1 and "unknown SSH credential 'nope'" in unknown.output
    found = CliRunner().invoke(main, [*args, "--ssh-credential", "tb-ssh", "--json"], env=env)
    assert found.exit_code == 0, found.output
    report = json.loads(found.stdout)
    nodes = testbed.inventory["nodes"]
    peers = {info["peer"].split(":")[0] for info in nodes["dist-utara"]["ports"].values()}
    assert {d["name"] for d in report["devices"]} >= {"dist-utara", *peers}
