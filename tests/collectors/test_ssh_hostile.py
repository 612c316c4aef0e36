"""Failure modes against our own hostile SSH server: each ends by its deadline with the right kind."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from collectors.observations import ErrorKind, PollKind, PollResult
from collectors.ssh import SshPoller
from collectors.targets import Secret, SshCredentials, Target, Timeouts
from tests.support.hostile_ssh import PASSWORD, USERNAME, HostileServer

FAST = Timeouts(ssh_connect_s=2.0, ssh_command_s=2.0, deadline_s=5.0)
KINDS = frozenset({PollKind.FACTS, PollKind.INTERFACES})
CONFIG = """Building configuration...

Current configuration : 120 bytes
!
hostname hostile
enable secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0
username netops privilege 15 password 0 hostile-pw
snmp-server community s3cr3t-comm RO
!
end
"""


@pytest.fixture(scope="module")
def poller() -> SshPoller:
    return SshPoller()


def _target(
    port: int, tmp_path: Path, timeouts: Timeouts = FAST, password: str = PASSWORD, **extra: object
) -> Target:
    return Target(
        device_key=f"hostile-{port}",
        host="127.0.0.1",
        platform="cisco_ios",
        ssh_port=port,
        ssh=SshCredentials(USERNAME, Secret(password)),
        timeouts=timeouts,
        known_hosts_path=str(tmp_path / "known_hosts"),
        **extra,
    )  # type: ignore[arg-type]


def _timed(poller: SshPoller, target: Target, kinds: frozenset[PollKind] = KINDS) -> tuple[PollResult, float]:
    start = time.monotonic()
    result = poller.poll(target, kinds)
    return result, time.monotonic() - start


def _kinds(result: PollResult) -> set[ErrorKind]:
    return {e.kind for e in result.errors}


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[HostileServer]:
    mode, kwargs = request.param if isinstance(request.param, tuple) else (request.param, {})
    with HostileServer(mode, **kwargs) as running:
        yield running


@pytest.mark.parametrize("server", ["silent", "slowauth", "noprompt", "backlog"], indirect=True)
def test_unresponsive_server_ends_as_timeout_by_its_deadline(
    poller: SshPoller, server: HostileServer, tmp_path: Path
) -> None:
    result, elapsed = _timed(poller, _target(server.port, tmp_path))
    assert _kinds(result) == {ErrorKind.TIMEOUT}
    assert not result.completed
    assert elapsed <= FAST.deadline_s + 0.5


@pytest.mark.parametrize("server", ["device"], indirect=True)
def test_hang_mid_command_keeps_the_kinds_read_before(
    poller: SshPoller, server: HostileServer, tmp_path: Path
) -> None:
    result, elapsed = _timed(poller, _target(server.port, tmp_path))
    assert result.completed == {PollKind.FACTS}
    assert [(e.kind, e.poll_kind) for e in result.errors] == [(ErrorKind.TIMEOUT, PollKind.INTERFACES)]
    assert FAST.ssh_command_s <= elapsed <= FAST.deadline_s + 0.5


@pytest.mark.parametrize("server", ["device"], indirect=True)
def test_deadline_wins_over_a_longer_command_timeout(
    poller: SshPoller, server: HostileServer, tmp_path: Path
) -> None:
    slow = Timeouts(ssh_connect_s=2.0, ssh_command_s=60.0, deadline_s=3.0)
    target = _target(server.port, tmp_path, slow)
    result, elapsed = _timed(poller, target)
    assert 2.9 <= elapsed <= 3.5
    assert (ErrorKind.TIMEOUT, PollKind.INTERFACES) in [(e.kind, e.poll_kind) for e in result.errors]
    assert PollKind.INTERFACES not in result.completed
    # the abandoned worker does not linger: its reads were capped to the deadline too
    time.sleep(1.5)
    assert not [t for t in threading.enumerate() if t.name == f"ssh-{target.device_key}"]


@pytest.mark.parametrize("server", ["device"], indirect=True)
def test_wrong_password_is_auth_at_once(poller: SshPoller, server: HostileServer, tmp_path: Path) -> None:
    result, elapsed = _timed(poller, _target(server.port, tmp_path, password="wrong"))
    assert _kinds(result) == {ErrorKind.AUTH}
    assert elapsed < 3.0


def test_refused_port_is_refused_at_once(poller: SshPoller, tmp_path: Path) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    result, elapsed = _timed(poller, _target(port, tmp_path))
    assert _kinds(result) == {ErrorKind.REFUSED}
    assert elapsed < 3.0


@pytest.mark.parametrize("server", [("device", {"hang_on": ()})], indirect=True)
def test_host_key_recorded_on_first_contact_and_change_refused(
    poller: SshPoller, server: HostileServer, tmp_path: Path
) -> None:
    target = _target(server.port, tmp_path)
    first, _ = _timed(poller, target)
    assert first.ok, first.errors
    recorded = (tmp_path / "known_hosts").read_text()
    assert (
        f"[127.0.0.1]:{server.port} {server.host_key.get_name()} {server.host_key.get_base64()}" in recorded
    )
    again, _ = _timed(poller, target)
    assert again.ok
    server.rotate_host_key()
    changed, elapsed = _timed(poller, target)
    assert _kinds(changed) == {ErrorKind.HOST_KEY}
    assert elapsed < 2.0
    assert (tmp_path / "known_hosts").read_text() == recorded
    ignoring, _ = _timed(poller, _target(server.port, tmp_path, host_key_policy="ignore"))
    assert ignoring.ok


@pytest.mark.parametrize("server", [("device", {"hang_on": ()})], indirect=True)
def test_strict_policy_refuses_an_unknown_host(
    poller: SshPoller, server: HostileServer, tmp_path: Path
) -> None:
    result, _ = _timed(poller, _target(server.port, tmp_path, host_key_policy="strict"))
    assert _kinds(result) == {ErrorKind.HOST_KEY}
    assert not (tmp_path / "known_hosts").exists()


@pytest.mark.parametrize(
    "server", [("device", {"hang_on": (), "outputs": {"show running-config": CONFIG}})], indirect=True
)
def test_config_snapshot_and_session_log_mask_secrets(server: HostileServer, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    poller = SshPoller(session_log_dir=str(logs))
    quiet, _ = _timed(poller, _target(server.port, tmp_path), frozenset({PollKind.CONFIG}))
    assert quiet.ok and not logs.exists()  # session logs are off unless the device asks
    result, _ = _timed(poller, _target(server.port, tmp_path, session_log=True), frozenset({PollKind.CONFIG}))
    assert result.completed == {PollKind.CONFIG} and result.config is not None
    text = result.config.text
    assert "hostname hostile" in text.splitlines() and "Current configuration" not in text
    for secret in ("hx5rVt7rPNoS4wqbXKX7m0", PASSWORD, "s3cr3t-comm"):
        assert secret not in text
    assert "enable secret 5 <masked>" in text
    log_text = (logs / f"hostile-{server.port}.log").read_text()
    assert "hostname hostile" in log_text
    for secret in ("hx5rVt7rPNoS4wqbXKX7m0", PASSWORD, "s3cr3t-comm"):
        assert secret not in log_text


def test_target_without_credentials_or_platform_is_unsupported(poller: SshPoller, tmp_path: Path) -> None:
    bare = Target(device_key="x", host="127.0.0.1", platform="cisco_ios")
    assert [e.kind for e in poller.poll(bare, KINDS).errors] == [ErrorKind.UNSUPPORTED]
    odd = _target(1, tmp_path)
    odd = Target(**{**{f: getattr(odd, f) for f in odd.__slots__}, "platform": "vendor_x"})
    result = poller.poll(odd, KINDS)
    assert [e.kind for e in result.errors] == [ErrorKind.UNSUPPORTED] and "vendor_x" in result.errors[
        0
    ].message


@pytest.mark.parametrize(
    "server", [("device", {"hang_on": (), "drop_on": ("show interfaces",)})], indirect=True
)
def test_connection_dropped_mid_session_is_disconnected(
    poller: SshPoller, server: HostileServer, tmp_path: Path
) -> None:
    result, elapsed = _timed(poller, _target(server.port, tmp_path))
    assert result.completed == {PollKind.FACTS}
    assert [(e.kind, e.poll_kind) for e in result.errors] == [(ErrorKind.DISCONNECTED, PollKind.INTERFACES)]
    assert elapsed < FAST.deadline_s


@pytest.mark.parametrize(
    "server", [("device", {"hang_on": (), "outputs": {"show version": ""}})], indirect=True
)
def test_empty_facts_are_a_parse_error_not_a_blank_device(
    poller: SshPoller, server: HostileServer, tmp_path: Path
) -> None:
    result, _ = _timed(poller, _target(server.port, tmp_path))
    assert result.completed == {PollKind.INTERFACES}
    assert [(e.kind, e.poll_kind) for e in result.errors] == [(ErrorKind.PARSE, PollKind.FACTS)]
    assert [i.name for i in result.interfaces] == ["GigabitEthernet1/0/1"]


REJECTED = "                    ^\n% Invalid input detected at '^' marker.\n"


@pytest.mark.parametrize(
    "server",
    [
        (
            "device",
            {
                "hang_on": (),
                "outputs": {
                    "show lldp neighbors detail": "% LLDP is not enabled\n",
                    "show interfaces transceiver": REJECTED,
                    "show running-config": REJECTED,
                },
            },
        )
    ],
    indirect=True,
)
def test_rejected_commands_are_unsupported_unless_optional(
    poller: SshPoller, server: HostileServer, tmp_path: Path
) -> None:
    kinds = frozenset({PollKind.NEIGHBORS, PollKind.OPTICS, PollKind.CONFIG})
    result, _ = _timed(poller, _target(server.port, tmp_path), kinds)
    assert result.completed == {PollKind.NEIGHBORS, PollKind.OPTICS}
    assert result.neighbors == () and result.optics == ()
    assert [(e.kind, e.poll_kind) for e in result.errors] == [(ErrorKind.UNSUPPORTED, PollKind.CONFIG)]
