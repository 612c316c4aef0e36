"""Who may send traps: devices declared by host name, inventory changes, bounded name resolution.

Real v2c traps from pysnmp's notification originator on loopback; ``localhost`` resolves
through the system resolver (``/etc/hosts``). Only the deadline test replaces
``getaddrinfo``: a resolver that hangs cannot be made to hang on demand otherwise.
"""

from __future__ import annotations

import logging
import socket
import time

import pytest
from sqlalchemy import Engine, select, update

from inventory.db import session_scope
from inventory.models import Credential, Device
from netops.polling import trap_inventory
from netops.polling.trap_inventory import HostResolver, resolve_names
from netops.settings import Settings
from tests.monitor.seed import seed
from tests.monitor.trap_support import TrapSender, fast, running, wait_for


def test_a_device_declared_as_localhost_matches_its_traps(engine: Engine, settings: Settings) -> None:
    with session_scope(engine) as session:
        seed(session, [{"name": "core", "address": "localhost", "site": "Balai Kota"}], [])
    with running(engine, fast(settings)) as (receiver, got), TrapSender("127.0.0.1") as device:
        device.send_v2c(receiver.port)
        assert wait_for(lambda: len(got) == 1)
        assert (got[0].device, got[0].sender, got[0].kind) == ("core", "127.0.0.1", "linkDown")


def test_a_name_that_does_not_resolve_is_logged_once_and_its_traps_are_strangers(
        engine: Engine, settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    with session_scope(engine) as session:
        seed(session, [{"name": "ghost", "address": "ghost-switch.invalid", "site": "Utara"},
                       {"name": "dist-utara", "address": "127.0.0.2", "site": "Utara"}], [])
    with running(engine, fast(settings, resolve_timeout_s=2.0)) as (receiver, got), \
            TrapSender("127.0.0.3") as stranger:
        for _ in range(2):
            receiver.reload()
        stranger.send_v2c(receiver.port)
        assert wait_for(lambda: receiver.stats.totals() == {"unknown_sender": 1})
        time.sleep(0.3)  # let the reloads finish: they must not log again
    lines = [r.getMessage() for r in caplog.records if "ghost-switch.invalid" in r.getMessage()]
    assert len(lines) == 1, lines
    assert "device ghost" in lines[0] and got == []


def test_inventory_changes_reach_the_running_receiver(engine: Engine, settings: Settings) -> None:
    """A new device (by host name), a changed community: both apply without a restart."""
    with session_scope(engine) as session:
        seed(session, [{"name": "dist-utara", "address": "127.0.0.2", "site": "Utara"}], [])
    with running(engine, fast(settings, inventory_check_s=0.1)) as (receiver, got), \
            TrapSender("127.0.0.1") as early, TrapSender("127.0.0.1") as newcomer, \
            TrapSender("127.0.0.2") as old_community, TrapSender("127.0.0.2") as new_community:
        early.send_v2c(receiver.port)
        assert wait_for(lambda: receiver.stats.totals().get("unknown_sender") == 1)
        with session_scope(engine) as session:
            cred = session.scalars(select(Credential).where(Credential.name == "snmp-v2c")).one()
            session.add(Device(name="core", address="localhost", snmp_credential=cred, enabled=True))
            session.execute(update(Credential).where(Credential.name == "snmp-v2c")
                            .values(community="kota-2025"))
            session.commit()
        assert wait_for(lambda: _accepted_v2c(receiver.port, newcomer, "kota-2025", got), 5)
        assert got[-1].device == "core"
        old_community.send_v2c(receiver.port, "netops-ro")
        new_community.send_v2c(receiver.port, "kota-2025")
        assert wait_for(lambda: receiver.stats.totals().get("bad_community") == 1)
        assert wait_for(lambda: got[-1].device == "dist-utara")


def _accepted_v2c(port: int, sender: TrapSender, community: str, got: list) -> bool:
    """Send one trap; True once one arrived (the change may need a moment to be picked up)."""
    before = len(got)
    sender.send_v2c(port, community)
    return wait_for(lambda: len(got) > before, 0.3)


def test_name_resolution_is_bounded_in_time(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(host: str, *args: object, **kwargs: object) -> object:
        if host == "slow.example":
            time.sleep(3)  # a resolver that does not answer
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(trap_inventory.socket, "getaddrinfo", getaddrinfo)
    started = time.monotonic()
    found = resolve_names(["slow.example", "localhost"], 0.3)
    assert time.monotonic() - started < 1.0
    assert found["slow.example"] is None
    assert "127.0.0.1" in (found["localhost"] or ())


def test_literal_addresses_are_matched_in_their_canonical_form() -> None:
    senders = HostResolver(1.0).senders({"a": " 10.0.0.1 ", "b": "2001:DB8::0:1", "c": ""})
    assert senders == {"10.0.0.1": "a", "2001:db8::1": "b"}
