"""SNMP v1/v2c request encoder and response decoder written out by hand, for the poll path.

pyasn1 builds and parses an object per value and costs ~50 µs per varbind; this codec reads a
response straight into the plain Python values the readers use, ~1-2 µs per varbind
(../shared/reading/snmp-performance.md). Values: ``int`` (INTEGER, Counter32/64, Gauge32,
TimeTicks), ``bytes`` (OCTET STRING, IpAddress, Opaque), ``tuple`` of ints (OBJECT
IDENTIFIER), ``NULL`` and the three ``Missing`` singletons (noSuchObject,
noSuchInstance, endOfMibView). It accepts exactly what pyasn1 accepts for these types (proven
by differential tests against pysnmp): a value pyasn1 would refuse (a negative Counter32, a
5-byte IpAddress, an unknown tag, Counter64 in SNMPv1, an INTEGER past 32 bits or an OCTET
STRING past 65,535 bytes in SNMPv2c) is read as NULL and reported as a
``BadValue`` with the same reason text as the pysnmp path (``ber``), the rest of the message
is kept. A message whose framing is broken (truncated BER, a bad OID in a varbind name,
garbage) raises ``SnmpDecodeError``, the only exception this module raises on input.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from collectors.snmp.ber import BadValue, BerError
from collectors.snmp.ber import _reason as ber_reason
from collectors.snmp.ber import read_tlv as _header
from collectors.snmp.ber import tlv as _tlv

GET, GETNEXT, RESPONSE, GETBULK = 0xA0, 0xA1, 0xA2, 0xA5
_HIGH = re.compile(rb"[\x80-\xff]")
_OID_CACHE: dict[bytes, tuple[int, ...]] = {}
_OID_CACHE_MAX = 200_000
_MAX_ARC_OCTETS = 20  # pyasn1's limit on the continuation octets of one OID arc


# Not a well-formed SNMP v1/v2c message (the whole datagram is lost): the BER reader's own error,
# shared with the pysnmp path's repair, under the name the fast path's callers catch.
SnmpDecodeError = BerError


class Missing:
    """noSuchObject / noSuchInstance / endOfMibView: no value for this OID."""

    __slots__ = ("name", "tag")

    def __init__(self, name: str, tag: int) -> None:
        self.name, self.tag = name, tag

    def __repr__(self) -> str:
        return self.name


class Null:
    """A NULL value (also what a refused value reads as): a value, not a missing one; its
    bytes are empty, as a pyasn1 Null's are."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NULL"


NULL = Null()
NO_SUCH_OBJECT = Missing("noSuchObject", 0x80)
NO_SUCH_INSTANCE = Missing("noSuchInstance", 0x81)
END_OF_MIB_VIEW = Missing("endOfMibView", 0x82)
_MISSING = {0x80: NO_SUCH_OBJECT, 0x81: NO_SUCH_INSTANCE, 0x82: END_OF_MIB_VIEW}
_INT_MIN, _INT_MAX, _U32_MAX, _U64_MAX = -(2**31), 2**31 - 1, 2**32 - 1, 2**64 - 1
_UNSIGNED_MAX = {0x41: 2**32 - 1, 0x42: 2**32 - 1, 0x43: 2**32 - 1, 0x46: 2**64 - 1}


@dataclass(frozen=True, slots=True)
class Response:
    """A decoded response PDU; ``bad`` lists the varbinds whose value was read as NULL."""

    version: int
    community: bytes
    pdu: int
    request_id: int
    error_status: int
    error_index: int
    varbinds: list[tuple[tuple[int, ...], Any]]
    bad: list[BadValue]


# --- encoding -------------------------------------------------------------------------------

def _integer(value: int) -> bytes:
    size = max(1, (value + (value < 0)).bit_length() // 8 + 1)
    return _tlv(0x02, value.to_bytes(size, "big", signed=True))


_ENCODED_OIDS: dict[str, bytes] = {}


def encode_oid(oid: str | Sequence[int]) -> bytes:
    """The BER OBJECT IDENTIFIER TLV of a dotted string or a tuple (strings are cached: the
    requests of a poll repeat the same column OIDs)."""
    key: str | None = None
    if isinstance(oid, str):
        key = oid
        found = _ENCODED_OIDS.get(key)
        if found is not None:
            return found
        arcs = tuple(int(a) for a in key.strip(".").split("."))
    else:
        arcs = tuple(oid)
    if len(arcs) < 2 or not 0 <= arcs[0] <= 2 or arcs[1] < 0 or (arcs[0] < 2 and arcs[1] > 39) \
            or min(arcs) < 0:
        raise ValueError(f"not an OBJECT IDENTIFIER: {oid!r}")
    body = bytearray()
    for arc in (arcs[0] * 40 + arcs[1], *arcs[2:]):
        if arc < 0x80:
            body.append(arc)
            continue
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body.extend(reversed(chunk))
    encoded = _tlv(0x06, bytes(body))
    if key is not None and len(_ENCODED_OIDS) < 10_000:
        _ENCODED_OIDS[key] = encoded
    return encoded


def encode_request(version: int, community: bytes, pdu: int, request_id: int,
                   oids: Sequence[str | Sequence[int]], non_repeaters: int = 0,
                   max_repetitions: int = 0) -> bytes:
    """A GET / GETNEXT / GETBULK message (error-status and error-index 0, or non-repeaters and
    max-repetitions for GETBULK) with NULL values."""
    binds = b"".join(_tlv(0x30, encode_oid(o) + b"\x05\x00") for o in oids)
    fields = (non_repeaters, max_repetitions) if pdu == GETBULK else (0, 0)
    body = _integer(request_id) + _integer(fields[0]) + _integer(fields[1]) + _tlv(0x30, binds)
    return _tlv(0x30, _integer(version) + _tlv(0x04, community) + _tlv(pdu, body))


# --- decoding -------------------------------------------------------------------------------

def _int_field(data: bytes, pos: int, end: int, what: str) -> tuple[int, int]:
    tag, start, stop = _header(data, pos, end)
    if tag != 0x02:
        raise SnmpDecodeError(f"{what} is not an INTEGER")
    return int.from_bytes(data[start:stop], "big", signed=True), stop


def decode_oid(body: bytes) -> tuple[int, ...]:
    """The arcs of the contents of an OBJECT IDENTIFIER, with pyasn1's rules (no empty OID,
    no 0x80 leading an arc, no arc cut short, at most 20 continuation octets per arc)."""
    found = _OID_CACHE.get(body)
    if found is not None:
        return found
    if not body:
        raise SnmpDecodeError("empty OBJECT IDENTIFIER")
    high = _HIGH.search(body)
    if high is None:
        arcs = list(body)
    else:
        cut = high.start()
        arcs = list(body[:cut])
        value, octets, leading = 0, 0, True
        for byte in body[cut:]:
            if leading and byte == 0x80:
                raise SnmpDecodeError("invalid octet 0x80 in OBJECT IDENTIFIER")
            if byte & 0x80:
                octets += 1
                if octets > _MAX_ARC_OCTETS:
                    raise SnmpDecodeError("OBJECT IDENTIFIER arc too long")
                value = (value << 7) | (byte & 0x7F)
                leading = False
            else:
                arcs.append((value << 7) | byte)
                value, octets, leading = 0, 0, True
        if not leading:
            raise SnmpDecodeError("OBJECT IDENTIFIER cut inside an arc")
    first = arcs[0]
    if first < 40:
        oid = (0, *arcs)
    elif first < 80:
        oid = (1, first - 40, *arcs[1:])
    else:
        oid = (2, first - 80, *arcs[1:])
    if len(_OID_CACHE) >= _OID_CACHE_MAX:
        _OID_CACHE.clear()
    _OID_CACHE[body] = oid
    return oid


def _value(tag: int, contents: bytes, version: int) -> Any:
    """A value's plain Python form; raises ValueError for what pyasn1 refuses."""
    if tag == 0x44 or (tag == 0x04 and (len(contents) <= 65535 or not version)):  # Opaque, OCTET STRING
        return contents
    if tag == 0x02:
        number = int.from_bytes(contents, "big", signed=True)
        if version and not _INT_MIN <= number <= _INT_MAX:
            raise ValueError
        return number
    if tag in _UNSIGNED_MAX:
        number = int.from_bytes(contents, "big", signed=True)
        if number < 0 or number > _UNSIGNED_MAX[tag] or (tag == 0x46 and version == 0):
            raise ValueError
        return number
    if tag == 0x06:
        try:
            return decode_oid(contents)
        except SnmpDecodeError:
            raise ValueError from None
    if tag == 0x05 and not contents:
        return NULL
    if tag == 0x40 and len(contents) == 4:
        return contents
    if tag in _MISSING and not contents and version != 0:
        return _MISSING[tag]
    raise ValueError


def decode_response(data: bytes) -> Response:
    """A v1/v2c message's header and varbinds; raises SnmpDecodeError when its framing is
    broken. The caller checks the PDU type, request-id, version and community."""
    try:
        return _decode(data)
    except SnmpDecodeError:
        raise
    except Exception as exc:  # a bug or an input this code did not foresee: still only our error
        raise SnmpDecodeError(f"undecodable message ({type(exc).__name__})") from exc


def _decode(data: bytes) -> Response:
    size = len(data)
    tag, pos, end = _header(data, 0, size)
    if tag != 0x30 or end != size:
        raise SnmpDecodeError("not one SNMP message (outer SEQUENCE)")
    tag, start, pos = _header(data, pos, end)
    version = int.from_bytes(data[start:pos], "big", signed=True) if tag == 0x02 and pos > start else -1
    if version not in (0, 1):
        raise SnmpDecodeError("not an SNMP v1/v2c message")
    tag, start, pos = _header(data, pos, end)
    if tag != 0x04:
        raise SnmpDecodeError("community is not an OCTET STRING")
    community = data[start:pos]
    pdu, pos, pdu_end = _header(data, pos, end)
    if not 0xA0 <= pdu <= 0xA8 or pdu_end != end:
        raise SnmpDecodeError(f"unknown PDU type 0x{pdu:02x}")
    request_id, pos = _int_field(data, pos, end, "request-id")
    error_status, pos = _int_field(data, pos, end, "error-status")
    error_index, pos = _int_field(data, pos, end, "error-index")
    tag, pos, list_end = _header(data, pos, end)
    if tag != 0x30 or list_end != end:
        raise SnmpDecodeError("varbind list is not a SEQUENCE")
    varbinds: list[tuple[tuple[int, ...], Any]] = []
    bad: list[BadValue] = []
    append = varbinds.append
    cache = _OID_CACHE
    while pos < list_end:
        # varbind SEQUENCE, name, value: short lengths read inline, long ones by _header
        if data[pos] != 0x30:
            raise SnmpDecodeError("a varbind that is not a SEQUENCE")
        if pos + 2 <= list_end and data[pos + 1] < 0x80:
            vb_start, vb_end = pos + 2, pos + 2 + data[pos + 1]
            if vb_end > list_end:
                raise SnmpDecodeError(f"truncated BER: varbind at byte {pos} runs past its list")
        else:
            _tag, vb_start, vb_end = _header(data, pos, list_end)
        if vb_start + 2 <= vb_end and data[vb_start] == 0x06 and data[vb_start + 1] < 0x80:
            name_start, name_end = vb_start + 2, vb_start + 2 + data[vb_start + 1]
            if name_end > vb_end:
                raise SnmpDecodeError(f"truncated BER: varbind name at byte {vb_start}")
        else:
            tag, name_start, name_end = _header(data, vb_start, vb_end)
            if tag != 0x06:
                raise SnmpDecodeError("a varbind name that is not an OBJECT IDENTIFIER")
        name_bytes = data[name_start:name_end]
        oid = cache.get(name_bytes)
        if oid is None:
            oid = decode_oid(name_bytes)
        if name_end + 2 <= vb_end and data[name_end + 1] < 0x80 and data[name_end] & 0x1F != 0x1F:
            tag, start = data[name_end], name_end + 2
            stop = start + data[name_end + 1]
            if stop > vb_end:
                raise SnmpDecodeError(f"truncated BER: value at byte {name_end} runs past its varbind")
        else:
            tag, start, stop = _header(data, name_end, vb_end)
        if stop != vb_end:
            raise SnmpDecodeError("trailing bytes in a varbind")
        if tag == 0x02 or tag == 0x41 or tag == 0x42 or tag == 0x43 or tag == 0x46:
            value: Any = int.from_bytes(data[start:stop], "big", signed=True)
            if tag == 0x02:
                if version and not _INT_MIN <= value <= _INT_MAX:  # SNMPv1's INTEGER has no range
                    value = _bad(data, name_end, vb_end, version, oid, bad)
            elif value < 0 or value > (_U64_MAX if tag == 0x46 else _U32_MAX) or (tag == 0x46 and
                                                                                   not version):
                value = _bad(data, name_end, vb_end, version, oid, bad)
        elif tag == 0x04 and (stop - start <= 65535 or not version):  # v2c: SIZE (0..65535)
            value = data[start:stop]
        else:
            try:
                value = _value(tag, data[start:stop], version)
            except ValueError:
                value = _bad(data, name_end, vb_end, version, oid, bad)
        append((oid, value))
        pos = vb_end
    return Response(version, community, pdu, request_id, error_status, error_index, varbinds, bad)


def _bad(data: bytes, start: int, end: int, version: int, oid: tuple[int, ...], bad: list[BadValue]) -> Null:
    """Note a value pyasn1 would refuse (why, in the pysnmp path's words); it reads as NULL."""
    try:
        reason = ber_reason(data[start:end], version)
    except Exception:
        reason = "undecodable value"
    bad.append(BadValue(".".join(map(str, oid)), reason))
    return NULL
