"""The SSH branch of the poll task: which targets go over SSH and what the service adds to them."""

from __future__ import annotations

from pathlib import Path

from collectors.observations import PollKind
from collectors.targets import Secret, SnmpV2c, SshCredentials, Target
from netops.polling.poll_task import JOB_KINDS
from netops.polling.ssh_branch import PROFILE_PLATFORMS, ssh_kinds, ssh_target, wants_ssh
from netops.settings import load_settings

SSH = SshCredentials("netops", Secret("pw"))
SNMP = SnmpV2c(Secret("public"))


def test_dispatch_rules() -> None:
    both = Target(device_key="a", host="127.0.0.1", ssh=SSH, snmp=SNMP)
    ssh_only = Target(device_key="b", host="127.0.0.1", ssh=SSH)
    snmp_only = Target(device_key="c", host="127.0.0.1", snmp=SNMP)
    assert wants_ssh(both, JOB_KINDS["ssh"]) and not wants_ssh(both, JOB_KINDS["discovery"])
    assert wants_ssh(ssh_only, JOB_KINDS["status"])
    assert not wants_ssh(snmp_only, JOB_KINDS["ssh"])


def test_service_fills_known_hosts_and_policy(tmp_path: Path) -> None:
    env = {"NETOPS_DATA_DIR": str(tmp_path), "NETOPS_SSH__HOST_KEY_POLICY": "strict"}
    settings = load_settings(environ=env)
    target = ssh_target(Target(device_key="a", host="127.0.0.1", ssh=SSH), settings)
    assert target.known_hosts_path == str(tmp_path / "ssh" / "known_hosts")
    assert target.host_key_policy == "strict"
    own = ssh_target(Target(device_key="a", host="127.0.0.1", ssh=SSH, known_hosts_path="/x/kh"), settings)
    assert own.known_hosts_path == "/x/kh"


def test_every_snmp_profile_mapping_names_a_shipped_platform() -> None:
    from collectors.ssh import load_platforms

    assert set(PROFILE_PLATFORMS.values()) <= set(load_platforms())
    snmp_profiles = {
        p.stem for p in (Path(__file__).parents[2] / "collectors" / "profiles" / "data").glob("*.yaml")
    }
    assert set(PROFILE_PLATFORMS) <= snmp_profiles
    assert PollKind.CONFIG in JOB_KINDS["ssh"]


def test_facts_over_ssh_only_without_snmp() -> None:
    both = Target(device_key="a", host="127.0.0.1", ssh=SSH, snmp=SNMP)
    ssh_only = Target(device_key="b", host="127.0.0.1", ssh=SSH)
    assert ssh_kinds(both, JOB_KINDS["ssh"]) == {PollKind.CONFIG, PollKind.NEIGHBORS}
    assert ssh_kinds(ssh_only, JOB_KINDS["ssh"]) == JOB_KINDS["ssh"]
