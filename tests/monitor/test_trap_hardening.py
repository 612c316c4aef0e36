"""The trap port under attack: real UDP datagrams on loopback against a running receiver.

The inventory's device dist-utara is 127.0.0.2 (an authPriv v3 user and the v2c community);
strangers send from 127.0.0.1. Forged v3 messages are copies of a real authPriv trap built by
pysnmp's notification originator with the engine ID replaced by random bytes, sent from a
socket bound to the stranger's (or the device's) address. The flood is sent in chunks and
each chunk waits until the receiver has counted it, so the kernel's socket buffer never
overflows and every loss would be the receiver's. Memory is measured with tracemalloc and CPU
with the receiver thread's own clock.
"""

from __future__ import annotations

import gc
import logging
import random
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, event

from inventory.db import session_scope
from inventory.models import Credential
from netops.polling.traps import TrapReceiver
from netops.settings import Settings
from tests.monitor.seed import seed
from tests.monitor.trap_support import (
    TrapSender,
    V3User,
    fast,
    running,
    stored_counts,
    udp_socket,
    wait_for,
    with_engine_id,
)

KNOWN, STRANGER = "127.0.0.2", "127.0.0.1"
V3 = {"username": "netops", "auth_protocol": "sha", "auth_key": "netops-auth-pass", "priv_protocol": "aes",
      "priv_key": "netops-priv-pass"}
MAX_BYTES_RETAINED = 1_000_000  # for thousands of forged messages; the old receiver kept ~5.7 KB each
MAX_CPU_PER_MESSAGE_S = 0.001  # under tracemalloc (measured 0.12-0.28 ms); the old receiver spent 14-28 ms


@pytest.fixture
def inventory(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        seed(session, [{"name": "dist-utara", "address": KNOWN, "site": "Utara"}], [], v3=V3)
    return engine


@dataclass
class Usage:
    bytes_retained: int = 0
    cpu_s: float = 0.0


@contextmanager
def measured(receiver: TrapReceiver) -> Iterator[Usage]:
    """Memory still held afterwards (all threads) and the receiver thread's CPU time."""
    assert receiver.thread is not None and receiver.thread.ident is not None
    clock = time.pthread_getcpuclockid(receiver.thread.ident)
    usage = Usage()
    gc.collect()
    tracemalloc.start()
    before, cpu = tracemalloc.get_traced_memory()[0], time.clock_gettime(clock)
    try:
        yield usage
    finally:
        usage.cpu_s = time.clock_gettime(clock) - cpu
        gc.collect()
        usage.bytes_retained = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()


def _flood(receiver: TrapReceiver, device: TrapSender, template: bytes, old_id: bytes, source: str,
           reason: str, chunks: int, per_chunk: int = 100) -> None:
    """``chunks`` x ``per_chunk`` forged copies of ``template``, a real trap after each chunk."""
    sock = udp_socket(source)
    rnd = random.Random(42)
    try:
        for chunk in range(chunks):
            for _ in range(per_chunk):
                sock.sendto(with_engine_id(template, old_id, rnd.randbytes(len(old_id))),
                            ("127.0.0.1", receiver.port))
            device.send_v3(receiver.port, if_index=chunk + 1)
            counted = (chunk + 1) * per_chunk
            assert wait_for(lambda n=counted: receiver.stats.totals().get(reason, 0) >= n), (
                f"the receiver fell behind: {receiver.stats.totals()} after {counted} forged messages")
    finally:
        sock.close()


def test_forged_v3_flood_from_strangers_keeps_nothing_and_drops_no_known_trap(
        inventory: Engine, settings: Settings) -> None:
    with running(inventory, fast(settings)) as (receiver, got), TrapSender(KNOWN) as device, \
            TrapSender(STRANGER) as forger:
        template = forger.capture()
        device.send_v3(receiver.port)
        assert wait_for(lambda: len(got) == 1)
        with measured(receiver) as used:
            _flood(receiver, device, template, forger.engine_id, STRANGER, "unknown_sender", chunks=50)
            assert wait_for(lambda: len(got) == 51)
        assert {trap.device for trap in got} == {"dist-utara"}
        assert sorted(trap.if_index for trap in got[1:]) == list(range(1, 51))  # not one lost
        assert receiver.stats.totals() == {"accepted": 51, "unknown_sender": 5000}
        assert receiver.engine_ids == 1
        print(f"5,000 forged v3 from a stranger: {used.bytes_retained / 5000:.0f} B retained and "
              f"{used.cpu_s / 5050 * 1e6:.0f} us CPU per message (tracemalloc on)")
        assert used.bytes_retained < MAX_BYTES_RETAINED
        assert used.cpu_s / 5050 < MAX_CPU_PER_MESSAGE_S
        assert wait_for(lambda: stored_counts(inventory) == {"accepted": 51, "unknown_sender": 5000})


def test_forged_v3_from_a_known_address_is_refused_before_pysnmp_and_forgotten(
        inventory: Engine, settings: Settings) -> None:
    """A spoofed source address gets no further: the HMAC for a new engine ID fails at the door."""
    with running(inventory, fast(settings)) as (receiver, got), TrapSender(KNOWN) as device:
        template = device.capture()
        device.send_v3(receiver.port)
        assert wait_for(lambda: len(got) == 1)
        with measured(receiver) as used:
            _flood(receiver, device, template, device.engine_id, KNOWN, "bad_v3_auth", chunks=20)
            assert wait_for(lambda: len(got) == 21)
        assert receiver.stats.totals() == {"accepted": 21, "bad_v3_auth": 2000}
        assert receiver.engine_ids == 1  # only the device's own engine
        print(f"2,000 forged v3 spoofing the device: {used.bytes_retained / 2000:.0f} B retained and "
              f"{used.cpu_s / 2020 * 1e6:.0f} us CPU per message (tracemalloc on)")
        assert used.bytes_retained < MAX_BYTES_RETAINED
        assert used.cpu_s / 2020 < MAX_CPU_PER_MESSAGE_S


def test_engine_ids_are_kept_within_bounds_per_device_and_in_total(engine: Engine,
                                                                    settings: Settings) -> None:
    with session_scope(engine) as session:
        seed(session, [{"name": "dist-utara", "address": KNOWN, "site": "Utara"},
                       {"name": "dist-selatan", "address": "127.0.0.3", "site": "Selatan"}], [], v3=V3)
    senders = [TrapSender(KNOWN) for _ in range(3)] + [TrapSender("127.0.0.3") for _ in range(2)]
    try:
        with running(engine, fast(settings, engine_ids_per_device=2, max_engine_ids=3)) as (receiver, got):
            for sender in senders:
                sender.send_v3(receiver.port)
            assert wait_for(lambda: len(got) == 5)
            assert receiver.engine_ids == 3
            senders[0].send_v3(receiver.port)  # pushed out long ago: keys are localised again
            assert wait_for(lambda: len(got) == 6)
            assert [trap.device for trap in got] == ["dist-utara"] * 3 + ["dist-selatan"] * 2 + ["dist-utara"]
    finally:
        for sender in senders:
            sender.close()


@pytest.mark.parametrize("user", [V3User(priv_key=None), V3User(auth_key=None, priv_key=None)],
                         ids=["authNoPriv", "noAuthNoPriv"])
def test_v3_trap_below_the_users_security_level_is_dropped(inventory: Engine, settings: Settings,
                                                           user: V3User) -> None:
    with running(inventory, fast(settings)) as (receiver, got), TrapSender(KNOWN) as weak, \
            TrapSender(KNOWN) as device:
        weak.send_v3(receiver.port, user)
        assert wait_for(lambda: receiver.stats.totals().get("bad_v3_level") == 1)
        device.send_v3(receiver.port)  # authPriv, as configured
        assert wait_for(lambda: len(got) == 1)
        assert receiver.stats.totals() == {"bad_v3_level": 1, "accepted": 1}
        assert wait_for(lambda: stored_counts(inventory) == {"bad_v3_level": 1, "accepted": 1})


def test_an_auth_no_priv_user_accepts_its_level_and_refuses_less(engine: Engine, settings: Settings) -> None:
    with session_scope(engine) as session:
        seed(session, [{"name": "dist-utara", "address": KNOWN, "site": "Utara"}], [])
        session.add(Credential(name="v3-auth", type="snmp", snmp_version="3", username="monitor",
                               auth_protocol="sha", auth_key="monitor-auth-pass"))
        session.commit()
    with running(engine, fast(settings)) as (receiver, got), TrapSender(KNOWN) as weak, \
            TrapSender(KNOWN) as device:
        weak.send_v3(receiver.port, V3User("monitor", None, None))
        device.send_v3(receiver.port, V3User("monitor", "monitor-auth-pass", None))
        assert wait_for(lambda: len(got) == 1)
        assert wait_for(lambda: receiver.stats.totals() == {"bad_v3_level": 1, "accepted": 1})


def _garbage(real: list[bytes]) -> list[bytes]:
    """Random bytes, every prefix of real traps, bit flips, BER that lies about its lengths."""
    rnd = random.Random(7)
    samples = [b"", b"\x00", b"\x30", b"\x30\x80\x02\x01\x03\x00\x00", b"\x30\x84\xff\xff\xff\xff",
               b"\x30\x03\x02\x01\x03", b"\x30\x06\x02\x01\x01\x04\x01x", b"{0\xa8\x8c\x01\x02"]
    samples += [rnd.randbytes(rnd.randrange(1, 300)) for _ in range(300)]
    for message in real:
        samples += [message[:cut] for cut in range(1, len(message), 7)]
        for _ in range(30):
            flipped = bytearray(message)
            flipped[rnd.randrange(len(flipped))] ^= 1 << rnd.randrange(8)
            samples.append(bytes(flipped))
    return samples


def test_garbage_is_counted_once_per_datagram_never_a_traceback(inventory: Engine, settings: Settings,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    with running(inventory, fast(settings)) as (receiver, got), TrapSender(KNOWN) as device:
        samples = _garbage([device.capture()])
        for source in (KNOWN, STRANGER):
            sock = udp_socket(source)
            for start in range(0, len(samples), 50):
                for sample in samples[start:start + 50]:
                    sock.sendto(sample, ("127.0.0.1", receiver.port))
                time.sleep(0.02)
            sock.close()
        expected = 2 * len(samples)
        assert wait_for(lambda: sum(receiver.stats.totals().values()) == expected), receiver.stats.totals()
        totals = receiver.stats.totals()
        assert totals["unknown_sender"] == len(samples)
        assert totals["malformed"] > 300
        assert "accepted" not in totals and "internal_error" not in totals, totals
        device.send_v3(receiver.port)
        assert wait_for(lambda: len(got) == 1)  # still serving
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info], caplog.text
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) <= 1, caplog.text
    print(f"{len(samples)} garbage datagrams from the device: {totals}; log: {len(warnings)} warning")


def test_trap_counts_reach_the_database_in_batches(inventory: Engine, settings: Settings) -> None:
    commits: list[int] = []

    def committed(_conn: object) -> None:
        commits.append(1)

    with running(inventory, fast(settings, stats_flush_s=0.5)) as (receiver, got), \
            TrapSender(KNOWN) as device:
        template = device.capture()
        event.listen(inventory, "commit", committed)
        sock = udp_socket(KNOWN)
        for sent in range(50, 301, 50):
            for _ in range(50):
                sock.sendto(template, ("127.0.0.1", receiver.port))  # a replayed trap is still a trap
            assert wait_for(lambda n=sent: len(got) >= n)
        sock.close()
    event.remove(inventory, "commit", committed)  # the receiver stopped: its last counts are written
    assert stored_counts(inventory) == {"accepted": 300}
    print(f"300 traps: {len(commits)} commits")
    assert len(commits) <= 8  # one per flush (0.5 s) and the last at stop, not one per trap
