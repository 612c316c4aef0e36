"""A hostile SNMP v1/v2c agent on a real UDP socket (loopback, IPv4 or IPv6), for the faults
snmpsim cannot serve: BER a well-behaved encoder never writes.

Modes (``HostileAgent(mode=...)``), each a device seen in the field:
- ``good``: a 3-port switch that answers correctly (the control);
- ``endless``: every ifTable/ifXTable walk gets ever-increasing OIDs, for ever
  (``endless-blind``: the same without ifNumber.0, so only the row ceiling stops it);
- ``nosuchobject`` / ``endofmib`` / ``same-oid``: ifNumber.0 = 24, but the interface tables
  answer noSuchObject, an immediate endOfMibView, or the requested OID itself again;
- ``bad-value``: ifInErrors.2 is a negative Counter32 and ifHCInOctets.3 has an unknown tag;
- ``truncated``: every answer is cut in the middle of its BER; ``garbage``: random bytes.

Runs in a thread (``start()``/``stop()``) or as a process:
``python -m tests.collectors.hostile_udp_agent MODE PORT [HOST]`` prints "ready" when bound.
"""

from __future__ import annotations

import bisect
import contextlib
import os
import socket
import sys
import threading
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from collectors.snmp.ber import oid_text, read_tlv, tlv

Oid = tuple[int, ...]
IF_TABLE, IF_X_TABLE = (1, 3, 6, 1, 2, 1, 2, 2, 1), (1, 3, 6, 1, 2, 1, 31, 1, 1, 1)
IF_NUMBER = (1, 3, 6, 1, 2, 1, 2, 1, 0)
IF_IN_ERRORS, IF_HC_IN_OCTETS = (*IF_TABLE, 14), (*IF_X_TABLE, 6)
NO_SUCH_OBJECT, END_OF_MIB_VIEW = b"\x80\x00", b"\x82\x00"
MODES = ("good", "endless", "endless-blind", "nosuchobject", "endofmib", "same-oid", "bad-value", "truncated",
         "garbage")


def enc_oid(value: Oid) -> bytes:
    body = bytearray()
    for arc in (value[0] * 40 + value[1], *value[2:]):
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body.extend(reversed(chunk))
    return tlv(0x06, bytes(body))


def enc_int(value: int, tag: int = 0x02) -> bytes:
    """Signed two's-complement contents under any tag (so a negative Counter32 is possible)."""
    size = max(1, (value + (value < 0)).bit_length() // 8 + 1)
    return tlv(tag, value.to_bytes(size, "big", signed=True))


def enc_str(value: str) -> bytes:
    return tlv(0x04, value.encode())


def device_table(ports: int = 3) -> dict[Oid, bytes]:
    """A small switch: system group, ifNumber, ifTable/ifXTable columns the profiles read."""
    sys_ = (1, 3, 6, 1, 2, 1, 1)
    table: dict[Oid, bytes] = {
        (*sys_, 1, 0): enc_str("Hostile switch OS 1.0"),
        (*sys_, 2, 0): enc_oid((1, 3, 6, 1, 4, 1, 99999, 7)),
        (*sys_, 3, 0): enc_int(4242, 0x43), (*sys_, 4, 0): enc_str("noc"),
        (*sys_, 5, 0): enc_str("sw-hostile"), (*sys_, 6, 0): enc_str("lab"), IF_NUMBER: enc_int(ports),
    }
    for i in range(1, ports + 1):
        table.update({
            (*IF_TABLE, 1, i): enc_int(i), (*IF_TABLE, 2, i): enc_str(f"port{i}"),
            (*IF_TABLE, 3, i): enc_int(6),
            (*IF_TABLE, 5, i): enc_int(1_000_000_000, 0x42), (*IF_TABLE, 7, i): enc_int(1),
            (*IF_TABLE, 8, i): enc_int(1 if i % 2 else 2), (*IF_TABLE, 9, i): enc_int(100, 0x43),
            (*IF_TABLE, 10, i): enc_int(1000 * i, 0x41), (*IF_TABLE, 14, i): enc_int(i, 0x41),
            (*IF_TABLE, 16, i): enc_int(2000 * i, 0x41), (*IF_TABLE, 20, i): enc_int(0, 0x41),
            (*IF_X_TABLE, 1, i): enc_str(f"ge-0/0/{i}"), (*IF_X_TABLE, 6, i): enc_int(10**12 + i, 0x46),
            (*IF_X_TABLE, 10, i): enc_int(10**12 + 2 * i, 0x46), (*IF_X_TABLE, 15, i): enc_int(1000, 0x42),
        })
    return table


class HostileAgent:
    """Answers GET / GETNEXT / GETBULK from a table, twisted by ``mode``."""

    def __init__(self, mode: str, host: str = "127.0.0.1", port: int = 0, ports: int = 3) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        self.mode = "endless" if mode == "endless-blind" else mode
        self.table = device_table(ports)
        if mode == "endless-blind":
            del self.table[IF_NUMBER]
        if mode in ("nosuchobject", "endofmib", "same-oid"):
            self.table = {o: v for o, v in self.table.items() if o[:9] != IF_TABLE and o[:10] != IF_X_TABLE}
            self.table[IF_NUMBER] = enc_int(24)
        if mode == "bad-value":
            self.table[(*IF_IN_ERRORS, 2)] = b"\x41\x01\xfb"  # Counter32 -5
            self.table[(*IF_HC_IN_OCTETS, 3)] = b"\x49\x01\x07"  # an unknown application tag
        self.keys = sorted(self.table)
        self.v1_keys = [k for k in self.keys if self.table[k][0] != 0x46]  # SNMPv1 has no Counter64
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.bind((host, port))
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.requests = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def become(self, mode: str, if_number: bool = True) -> None:
        """Turn into another mode while running (the same device, now broken)."""
        self.mode = mode
        if not if_number:
            self.table.pop(IF_NUMBER, None)
            self.keys = [k for k in self.keys if k != IF_NUMBER]
            self.v1_keys = [k for k in self.v1_keys if k != IF_NUMBER]

    # -- answering -------------------------------------------------------------------------
    def _next(self, oid: Oid, v1: bool = False) -> tuple[Oid, bytes]:
        table_hit = oid[:9] == IF_TABLE or oid[:10] == IF_X_TABLE
        if self.mode == "endless" and table_hit and len(oid) >= (10 if oid[:9] == IF_TABLE else 11):
            column_len = 10 if oid[:9] == IF_TABLE else 11
            index = oid[column_len] + 1 if len(oid) > column_len else 1
            return (*oid[:column_len], index), enc_int(index)
        if table_hit and self.mode in ("nosuchobject", "endofmib", "same-oid"):
            broken = {"nosuchobject": NO_SUCH_OBJECT, "endofmib": END_OF_MIB_VIEW}
            return oid, broken.get(self.mode, enc_int(1))  # same-oid: the requested OID again
        keys = self.v1_keys if v1 else self.keys
        at = bisect.bisect_right(keys, oid)
        if at >= len(keys):
            return oid, END_OF_MIB_VIEW
        name = keys[at]
        return name, self.table[name]

    def answer(self, data: bytes) -> bytes | None:
        try:
            _tag, pos, end = read_tlv(data, 0, len(data))
            _tag, start, pos = read_tlv(data, pos, end)
            version = int.from_bytes(data[start:pos], "big")
            _tag, start, pos = read_tlv(data, pos, end)
            community = data[start:pos]
            pdu, pos, pdu_end = read_tlv(data, pos, end)
            fields = []
            for _ in range(3):
                _tag, start, pos = read_tlv(data, pos, pdu_end)
                fields.append(int.from_bytes(data[start:pos], "big", signed=True))
            _tag, pos, list_end = read_tlv(data, pos, pdu_end)
            oids: list[Oid] = []
            while pos < list_end:
                _tag, vb, vb_end = read_tlv(data, pos, list_end)
                _tag, start, stop = read_tlv(data, vb, vb_end)
                oids.append(tuple(int(a) for a in oid_text(data[start:stop]).split(".")))
                pos = vb_end
        except ValueError:
            return None
        binds = self._binds(pdu, fields, oids, version == 0)
        status, index = 0, 0
        ends = [i for i, (_o, v) in enumerate(binds) if v == END_OF_MIB_VIEW]
        if version == 0 and ends:  # SNMPv1 has no endOfMibView: noSuchName names the varbind
            status, index, binds = 2, ends[0] + 1, [(o, b"\x05\x00") for o in oids]
        body = enc_int(fields[0]) + enc_int(status) + enc_int(index)
        body += tlv(0x30, b"".join(tlv(0x30, enc_oid(o) + v) for o, v in binds))
        message = tlv(0x30, enc_int(version) + tlv(0x04, community) + tlv(0xA2, body))
        if self.mode == "truncated":
            return message[: max(8, len(message) // 2)]
        if self.mode == "garbage":
            return os.urandom(len(message))
        return message

    def _binds(self, pdu: int, fields: list[int], oids: list[Oid], v1: bool) -> list[tuple[Oid, bytes]]:
        if pdu == 0xA0:  # GET
            return [(o, self.table.get(o, b"\x81\x00")) for o in oids]
        if pdu == 0xA1:  # GETNEXT
            return [self._next(o, v1) for o in oids]
        non_rep, reps = max(0, fields[1]), max(0, fields[2])
        out = [self._next(o) for o in oids[:non_rep]]
        cursors = list(oids[non_rep:])
        for _ in range(reps):
            for i, cursor in enumerate(cursors):
                name, value = self._next(cursor)
                out.append((name, value))
                cursors[i] = name
        return out

    # -- running ---------------------------------------------------------------------------
    def serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            self.requests += 1
            reply = self.answer(data)
            if reply is not None:
                self.sock.sendto(reply, peer)

    def start(self) -> HostileAgent:
        self._thread = threading.Thread(target=self.serve, name=f"hostile-{self.mode}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.sock.close()


def main(argv: list[str]) -> int:
    mode, port = argv[0], int(argv[1])
    agent = HostileAgent(mode, argv[2] if len(argv) > 2 else "127.0.0.1", port)
    print("ready", agent.port, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        agent.serve()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
