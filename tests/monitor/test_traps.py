"""The trap receiver against net-snmp's own ``snmptrap``: v2c and v3 accepted, bad ones counted."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select

from inventory.db import session_scope
from inventory.models import TrapStat
from netops.polling.traps import Trap, TrapReceiver
from netops.settings import Settings
from tests.monitor.seed import seed

LINK_DOWN = ["1.3.6.1.6.3.1.1.5.3", "1.3.6.1.2.1.2.2.1.1.12", "i", "12", "1.3.6.1.2.1.2.2.1.8.12", "i", "2"]
V3 = {"username": "netops", "auth_protocol": "sha", "auth_key": "netops-auth-pass", "priv_protocol": "aes",
      "priv_key": "netops-priv-pass"}


def _port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def receiver(engine: Engine, settings: Settings) -> Iterator[tuple[TrapReceiver, list[Trap]]]:
    if not shutil.which("snmptrap"):
        pytest.skip("net-snmp's snmptrap is not installed (apt-get install snmp)")
    with session_scope(engine) as session:
        seed(session, [{"name": "dist-utara", "address": "127.0.0.1", "site": "Utara"}], [], v3=V3)
    got: list[Trap] = []
    trap_receiver = TrapReceiver(engine, settings, got.append, port=_port())
    trap_receiver.start()
    yield trap_receiver, got
    trap_receiver.stop()


def _send(port: int, *auth: str) -> None:
    subprocess.run(["snmptrap", *auth, f"127.0.0.1:{port}", "", *LINK_DOWN], check=True, capture_output=True)


def _counts(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as session:
        return {row.reason: row.count for row in session.scalars(select(TrapStat))}


def _wait(predicate, timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_v2c_link_down_from_a_known_device_reaches_the_handler(receiver, engine: Engine) -> None:
    trap_receiver, got = receiver
    _send(trap_receiver.port, "-v2c", "-c", "netops-ro")
    assert _wait(lambda: len(got) == 1)
    assert got[0] == Trap(device="dist-utara", sender="127.0.0.1", kind="linkDown", if_index=12,
                          oper_status="down")
    assert _wait(lambda: _counts(engine) == {"accepted": 1})  # counts are written in batches


def test_v3_trap_from_an_engine_seen_for_the_first_time_is_accepted(receiver, engine: Engine) -> None:
    trap_receiver, got = receiver
    v3 = ["-v3", "-e", "0x80001f8805aabbccddeeff0011223344", "-u", "netops", "-l", "authPriv", "-a", "SHA",
          "-A", "netops-auth-pass", "-x", "AES", "-X", "netops-priv-pass"]
    _send(trap_receiver.port, *v3)
    assert _wait(lambda: len(got) == 1)
    assert got[0].kind == "linkDown"


def test_wrong_community_and_wrong_v3_key_are_counted_and_dropped(receiver, engine: Engine) -> None:
    trap_receiver, got = receiver
    _send(trap_receiver.port, "-v2c", "-c", "guess")
    _send(trap_receiver.port, "-v3", "-e", "0x80001f8805aabbccddeeff0011223355", "-u", "netops", "-l",
          "authPriv", "-a", "SHA", "-A", "wrong-auth-pass", "-x", "AES", "-X", "netops-priv-pass")
    _send(trap_receiver.port, "-v3", "-e", "0x80001f8805aabbccddeeff0011223366", "-u", "netops", "-l",
          "authPriv", "-a", "SHA", "-A", "netops-auth-pass", "-x", "AES", "-X", "wrong-priv-pass")
    assert _wait(lambda: _counts(engine) == {"bad_community": 1, "bad_v3_auth": 1, "bad_v3_priv": 1})
    time.sleep(0.3)
    assert got == []


def test_a_taken_trap_port_leaves_polling_without_traps_not_stopped(
        engine: Engine, settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    from netops.polling.traps import start_receiver

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("0.0.0.0", 0))
        port = int(taken.getsockname()[1])
        assert start_receiver(engine, settings, lambda trap: None, port) is None
    assert f"cannot listen on UDP {port}" in caplog.text
    free = start_receiver(engine, settings, lambda trap: None, _port())
    assert free is not None
    free.stop()
