"""Pure pieces of the trap receiver: the engine-ID store, the BER header reader, settings, debounce.

The header reader is checked against pyasn1's decoding of real messages from pysnmp's own
notification originator, and fed every prefix of them and thousands of random inputs.
"""

from __future__ import annotations

import dataclasses
import random
from typing import Any

import pytest
from pyasn1.codec.ber import decoder
from pysnmp.proto.mpmod.rfc3412 import SNMPv3Message
from pysnmp.proto.secmod.rfc3414.service import UsmSecurityParameters
from sqlalchemy import Engine

from netops.polling.service import MonitorService
from netops.polling.trap_engine_ids import EngineIdCache
from netops.polling.trap_header import AUTH_NO_PRIV, AUTH_PRIV, NO_AUTH_NO_PRIV, parse_header
from netops.polling.traps import Trap
from netops.settings import ConfigError, Settings, load_settings
from tests.monitor.trap_support import TrapSender, V3User


def test_engine_id_store_is_bounded_per_device() -> None:
    cache: EngineIdCache[str] = EngineIdCache(per_device=2, total=10, ttl_s=100)
    for n in range(3):
        cache.put((b"engine-%d" % n, b"u"), "sw1", f"keys{n}", now=n)
    assert cache.count("sw1") == 2 and cache.get((b"engine-0", b"u"), 3) is None
    assert cache.get((b"engine-2", b"u"), 3) == "keys2"


def test_engine_id_store_is_bounded_in_total_least_recently_used_first() -> None:
    cache: EngineIdCache[str] = EngineIdCache(per_device=5, total=3, ttl_s=100)
    for n in range(3):
        cache.put((b"engine-%d" % n, b"u"), f"sw{n}", "k", now=n)
    assert cache.get((b"engine-0", b"u"), 3) == "k"  # used: engine-1 is now the oldest
    evicted = cache.put((b"engine-3", b"u"), "sw3", "k", now=4)
    assert evicted == [(b"engine-1", b"u")] and len(cache) == 3 and cache.count("sw1") == 0


def test_engine_id_store_forgets_idle_engines() -> None:
    cache: EngineIdCache[str] = EngineIdCache(per_device=5, total=5, ttl_s=10)
    cache.put((b"old-engine", b"u"), "sw1", "k", now=0)
    cache.put((b"new-engine", b"u"), "sw1", "k", now=8)
    assert cache.expire(now=15) == [(b"old-engine", b"u")]
    assert cache.get((b"new-engine", b"u"), 25) is None and len(cache) == 0


@pytest.fixture(scope="module")
def real_messages() -> dict[str, bytes]:
    with TrapSender("127.0.0.1") as priv, TrapSender("127.0.0.1") as auth, TrapSender("127.0.0.1") as plain, \
            TrapSender("127.0.0.1") as v2c:
        return {"authPriv": priv.capture(), "authNoPriv": auth.capture(V3User(priv_key=None)),
                "noAuthNoPriv": plain.capture(V3User(auth_key=None, priv_key=None)),
                "v2c": v2c.capture_v2c("kota-2025")}


def test_header_reader_agrees_with_pyasn1_on_real_v3_traps(real_messages: dict[str, bytes]) -> None:
    levels = {"authPriv": AUTH_PRIV, "authNoPriv": AUTH_NO_PRIV, "noAuthNoPriv": NO_AUTH_NO_PRIV}
    for name, message in real_messages.items():
        if name not in levels:
            continue
        msg, _ = decoder.decode(message, asn1Spec=SNMPv3Message())
        params, _ = decoder.decode(bytes(msg["msgSecurityParameters"]), asn1Spec=UsmSecurityParameters())
        header = parse_header(message)
        assert header is not None, name
        assert (header.version, header.security_model, header.level) == (3, 3, levels[name])
        assert header.engine_id == bytes(params["msgAuthoritativeEngineId"])
        assert header.user == bytes(params["msgUserName"]) == b"netops"
        assert header.auth_params == bytes(params["msgAuthenticationParameters"])


def test_header_reader_reads_v1_and_v2c_communities(real_messages: dict[str, bytes]) -> None:
    header = parse_header(real_messages["v2c"])
    assert header is not None and (header.version, header.community) == (1, b"kota-2025")
    v1 = b"\x30\x11\x02\x01\x00\x04\x04kota\xa4\x06\x06\x01\x2b\x40\x01\x7f"  # the PDU is pysnmp's job
    header = parse_header(v1)
    assert header is not None and (header.version, header.community) == (0, b"kota")
    assert parse_header(v1 + b"\x00") is None  # bytes after the message


def test_header_reader_never_raises_on_hostile_input(real_messages: dict[str, bytes]) -> None:
    rnd = random.Random(3)
    inputs = [rnd.randbytes(rnd.randrange(0, 200)) for _ in range(5000)]
    for message in real_messages.values():
        inputs += [message[:cut] for cut in range(len(message))]
        inputs += [b"\x30\x84\x7f\xff\xff\xff" + message[2:], b"\x30\x80" + message[2:]]
    for data in inputs:
        header = parse_header(data)
        assert header is None or header.version in (0, 1, 3)
    assert all(parse_header(m[:-1]) is None for m in real_messages.values())


@pytest.mark.parametrize("key", ["stats_flush_s", "max_engine_ids", "engine_ids_per_device"])
def test_trap_settings_must_be_positive(key: str) -> None:
    with pytest.raises(ConfigError, match=f"traps.{key}: must be greater than 0"):
        load_settings(environ={f"NETOPS_TRAPS__{key.upper()}": "0"})


class _Recorder:
    """Stands in for the scheduler: only records what the service asked for (pure logic test)."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], str, list[Any]]] = []

    def poll_now(self, names: list[str], *, trigger: str, confirm: list[Any]) -> None:
        self.calls.append((list(names), trigger, list(confirm)))


def test_a_burst_of_traps_queues_one_confirming_poll_per_device(settings: Settings, engine: Engine) -> None:
    service = MonitorService(dataclasses.replace(settings), engine, traps=False)
    recorder = _Recorder()
    service.scheduler = recorder  # type: ignore[assignment]
    for _ in range(10):
        service.on_trap(Trap("dist-utara", "127.0.0.2", "linkDown", if_index=12, oper_status="down"))
    service.on_trap(Trap("acc-smpn1", "127.0.0.3", "coldStart"))
    assert recorder.calls == [(["dist-utara"], "trap", [("dist-utara", 12, "down")]),
                              (["acc-smpn1"], "trap", [])]
