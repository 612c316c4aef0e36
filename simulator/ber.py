"""Just enough BER for SNMP v1/v2c messages, written out by hand for speed.

pyasn1 costs ~170 µs per varbind to build and encode a response here (profiled), which made
a burst of discovery walks time out; this codec does the same in a few µs. Values travel as
ready-made TLV bytes (a static value is encoded once, when the MIB view is built). pysnmp is
still used for SNMPv3 (``usm``), where ``to_pysnmp`` converts a TLV into its value object.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

INTEGER, OCTET_STRING, NULL, OID_TAG, SEQUENCE = 0x02, 0x04, 0x05, 0x06, 0x30
IP_ADDRESS, COUNTER32, GAUGE32, TIMETICKS, COUNTER64 = 0x40, 0x41, 0x42, 0x43, 0x46
NO_SUCH_OBJECT, NO_SUCH_INSTANCE, END_OF_MIB_VIEW = b"\x80\x00", b"\x81\x00", b"\x82\x00"
GET, GETNEXT, RESPONSE, SET, GETBULK, TRAP_V2 = 0xA0, 0xA1, 0xA2, 0xA3, 0xA5, 0xA7


class AgentBerError(ValueError):
    """A message that is not well-formed BER/SNMP."""


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(body),)) + body


def tlv(tag: int, body: bytes) -> bytes:
    return bytes((tag,)) + _length(len(body)) + body


def integer(value: int, tag: int = INTEGER) -> bytes:
    size = max(1, (value + (value < 0)).bit_length() // 8 + 1)
    return tlv(tag, value.to_bytes(size, "big", signed=True))


def unsigned(value: int, tag: int) -> bytes:
    """Counter32/Gauge32/TimeTicks/Counter64: non-negative, a leading zero if the top bit is set."""
    return tlv(tag, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def octets(value: bytes) -> bytes:
    return tlv(OCTET_STRING, value)


def oid(value: tuple[int, ...]) -> bytes:
    if len(value) < 2:
        value = (*value, 0, 0)[:2]
    body = bytearray()
    for arc in (value[0] * 40 + value[1], *value[2:]):
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body.extend(reversed(chunk))
    return tlv(OID_TAG, bytes(body))


def _read(data: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, start of contents, end of contents) of the TLV at ``pos``."""
    if pos + 2 > len(data):
        raise AgentBerError("truncated")
    tag, first = data[pos], data[pos + 1]
    pos += 2
    if first & 0x80:
        count = first & 0x7F
        if count == 0 or count > 4 or pos + count > len(data):
            raise AgentBerError("bad length")
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    else:
        length = first
    if pos + length > len(data):
        raise AgentBerError("truncated")
    return tag, pos, pos + length


def _int(data: bytes, start: int, end: int) -> int:
    return int.from_bytes(data[start:end], "big", signed=True)


def _oid(data: bytes, start: int, end: int) -> tuple[int, ...]:
    if start >= end:
        raise AgentBerError("empty OID")
    arcs: list[int] = []
    value = 0
    for byte in data[start:end]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    first = arcs[0] if arcs else 0
    head = divmod(first, 40) if first < 80 else (2, first - 80)
    return (*head, *arcs[1:])


@dataclass(frozen=True, slots=True)
class Request:
    version: int
    community: bytes
    pdu: int
    request_id: int
    field1: int  # error-status, or non-repeaters for GETBULK
    field2: int  # error-index, or max-repetitions for GETBULK
    oids: tuple[tuple[int, ...], ...]


def message_version(data: bytes) -> int:
    """The version field of an SNMP message (0 = v1, 1 = v2c, 3 = v3)."""
    _tag, pos, _end = _read(data, 0)
    _tag, start, stop = _read(data, pos)
    return _int(data, start, stop)


def decode_request(data: bytes) -> Request:
    tag, pos, _end = _read(data, 0)
    if tag != SEQUENCE:
        raise AgentBerError("not a SEQUENCE")
    tag, start, stop = _read(data, pos)
    version = _int(data, start, stop)
    tag, start, stop = _read(data, stop)
    community = data[start:stop]
    pdu, pos, _pdu_end = _read(data, stop)
    fields = []
    for _ in range(3):
        tag, start, pos = _read(data, pos)
        fields.append(_int(data, start, pos))
    tag, pos, list_end = _read(data, pos)
    oids = []
    while pos < list_end:
        _tag, vb_start, vb_end = _read(data, pos)
        _tag, start, stop = _read(data, vb_start)
        oids.append(_oid(data, start, stop))
        pos = vb_end
    return Request(version, bytes(community), pdu, fields[0], fields[1], fields[2], tuple(oids))


def message(version: int, community: bytes, pdu: int, request_id: int, error_status: int, error_index: int,
            varbinds: list[tuple[bytes, bytes]]) -> bytes:
    """A whole v1/v2c message; varbinds are (encoded OID, encoded value) pairs."""
    binds = b"".join(tlv(SEQUENCE, name + value) for name, value in varbinds)
    body = integer(request_id) + integer(error_status) + integer(error_index) + tlv(SEQUENCE, binds)
    return tlv(SEQUENCE, integer(version) + octets(community) + tlv(pdu, body))


def decode_value(value: bytes) -> Any:
    """The Python value of one encoded value (int, bytes, OID tuple; None for the exceptions)."""
    tag, start, end = _read(value, 0)
    if tag in (INTEGER,):
        return _int(value, start, end)
    if tag in (COUNTER32, GAUGE32, TIMETICKS, COUNTER64):
        return int.from_bytes(value[start:end], "big")
    if tag == OID_TAG:
        return _oid(value, start, end)
    if tag in (OCTET_STRING, IP_ADDRESS):
        return bytes(value[start:end])
    return None


def to_pysnmp(value: bytes) -> Any:
    """The pysnmp object of one encoded value (for the SNMPv3 path)."""
    from pysnmp.proto import rfc1902, rfc1905

    kinds: dict[int, Any] = {INTEGER: rfc1902.Integer32, OCTET_STRING: rfc1902.OctetString,
                             OID_TAG: rfc1902.ObjectIdentifier, IP_ADDRESS: rfc1902.IpAddress,
                             COUNTER32: rfc1902.Counter32, GAUGE32: rfc1902.Gauge32,
                             TIMETICKS: rfc1902.TimeTicks, COUNTER64: rfc1902.Counter64}
    exceptions = {NO_SUCH_OBJECT: rfc1905.noSuchObject, NO_SUCH_INSTANCE: rfc1905.noSuchInstance,
                  END_OF_MIB_VIEW: rfc1905.endOfMibView}
    if value in exceptions:
        return exceptions[value]
    return kinds[value[0]](decode_value(value))
