"""Trap receiver throughput and the cost of forged traps, over real UDP on loopback.

A fresh SQLite database with one known device (127.0.0.2: a v2c community and an authPriv
SHA/AES v3 user). Traps are datagrams built by pysnmp's notification originator and replayed
from a socket bound to the device's address, at most ``WINDOW`` unanswered at a time so the
kernel's socket buffer never overflows: the figure is what the receiver handles, counts
written to the database included. Then forged v3 messages (a real trap with a random engine
ID) from a stranger (127.0.0.1) and spoofing the device: CPU per message on the receiver
thread's clock and memory per message still held afterwards (tracemalloc, measured in a
second pass so it does not slow the first).

    .venv/bin/python benchmarks/bench_traps.py [--traps 3000] [--forged 5000]
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine

from inventory.db import make_engine, session_scope, upgrade_schema
from netops.polling.traps import TrapReceiver
from netops.settings import Settings, load_settings
from tests.monitor.seed import seed
from tests.monitor.trap_support import (
    TrapSender,
    free_udp_port,
    stored_counts,
    udp_socket,
    wait_for,
    with_engine_id,
)

KNOWN, STRANGER = "127.0.0.2", "127.0.0.1"
WINDOW = 100
V3 = {"username": "netops", "auth_protocol": "sha", "auth_key": "netops-auth-pass", "priv_protocol": "aes",
      "priv_key": "netops-priv-pass"}


def database(tmp: Path) -> tuple[Engine, Settings]:
    settings = load_settings(environ={"NETOPS_DATA_DIR": str(tmp / "var")})
    settings.data_dir.mkdir(parents=True)
    db = make_engine(settings.effective_database_url)
    upgrade_schema(db)
    with session_scope(db) as session:
        seed(session, [{"name": "dist-utara", "address": KNOWN, "site": "Utara"}], [], v3=V3)
    return db, settings


def receiver_clock(receiver: TrapReceiver) -> int:
    thread = getattr(receiver, "thread", None) or receiver._thread  # the pre-hardening receiver too
    assert thread is not None and thread.ident is not None
    return time.pthread_getcpuclockid(thread.ident)


def throughput(receiver: TrapReceiver, got: list[object], datagram: bytes, count: int) -> float:
    """Traps per second accepted (handler called) with at most WINDOW in flight."""
    sock = udp_socket(KNOWN)
    start, base, sent = time.perf_counter(), len(got), 0
    while sent < count:
        if sent - (len(got) - base) < WINDOW:
            sock.sendto(datagram, ("127.0.0.1", receiver.port))
            sent += 1
        else:
            time.sleep(0.0002)
    if not wait_for(lambda: len(got) - base >= count, 60):
        raise SystemExit(f"only {len(got) - base} of {count} traps accepted")
    sock.close()
    return count / (time.perf_counter() - start)


def counted(receiver: TrapReceiver, db: Engine) -> int:
    """Datagrams the receiver has counted, whatever the reason (the pre-hardening one: in the database)."""
    stats = getattr(receiver, "stats", None)
    return sum((stats.totals() if stats is not None else stored_counts(db)).values())


def forged(receiver: TrapReceiver, db: Engine, template: bytes, engine_id: bytes, source: str, count: int,
           *, trace: bool, seed: int) -> tuple[float, float]:
    """(CPU µs, bytes held) per forged message (engine IDs never seen before), in chunks."""
    sock = udp_socket(source)
    rnd = random.Random(seed)
    clock = receiver_clock(receiver)
    base = counted(receiver, db)
    gc.collect()
    if trace:
        tracemalloc.start()
    held, cpu = tracemalloc.get_traced_memory()[0], time.clock_gettime(clock)
    for start in range(0, count, 100):
        chunk_end = min(start + 100, count)
        for _ in range(start, chunk_end):
            sock.sendto(with_engine_id(template, engine_id, rnd.randbytes(len(engine_id))),
                        ("127.0.0.1", receiver.port))
        wait_for(lambda n=chunk_end: counted(receiver, db) - base >= n, 600)
    cpu = time.clock_gettime(clock) - cpu
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - held
    tracemalloc.stop()
    sock.close()
    return cpu / count * 1e6, held / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--traps", type=int, default=3000)
    parser.add_argument("--forged", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db, settings = database(Path(tmp))
        got: list[object] = []
        receiver = TrapReceiver(db, settings, got.append, port=free_udp_port())
        receiver.start()
        with TrapSender(KNOWN) as device, TrapSender(KNOWN) as v2c_device, TrapSender(STRANGER) as forger:
            v3, v2c = device.capture(), v2c_device.capture_v2c()
            throughput(receiver, got, v2c, 200)  # warm up
            rate_v2c = throughput(receiver, got, v2c, args.traps)
            rate_v3 = throughput(receiver, got, v3, args.traps)
            print(f"accepted traps/s from a known device: v2c {rate_v2c:,.0f}, v3 authPriv {rate_v3:,.0f}")
            template = forger.capture()
            for seed, source in enumerate((STRANGER, KNOWN)):
                cpu_us, _ = forged(receiver, db, template, forger.engine_id, source, args.forged, trace=False,
                                   seed=2 * seed)
                _, held = forged(receiver, db, template, forger.engine_id, source, args.forged, trace=True,
                                 seed=2 * seed + 1)
                kept = getattr(receiver, "engine_ids", "?")
                print(f"forged v3 from {source} ({args.forged:,} x 2): {cpu_us:,.0f} µs CPU and "
                      f"{held:,.0f} B held per message; engine IDs kept: {kept}")
            receiver.stop()
            print(f"traps accepted in all: {len(got):,}; stored counts: {stored_counts(db)}")
        db.dispose()


if __name__ == "__main__":
    main()
