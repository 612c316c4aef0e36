"""A small BER reader for SNMP v1/v2c responses pysnmp refused, to save the good varbinds.

pysnmp decodes a whole message with pyasn1 in one go: one value out of its type's range (a
negative Counter32, a 3-byte IpAddress, an unknown tag) raises, and pysnmp drops the whole
datagram without a word (it only counts ``snmpInASNParseErrs``), so the device looks silent.
``repair`` splits such a message into its varbinds with this reader, checks each varbind on
its own with pyasn1 against the same ``VarBind`` type pysnmp uses, replaces each bad value by
NULL (so the walker sees an unknown value in its row, not a hole) and returns the message
re-encoded, for pysnmp to process as usual (community and request-id checks included), plus
what was replaced. Anything else (truncated BER, a broken header, a bad OID, SNMPv3) is not
repairable: ``repair`` raises ``BerError``. Only the failure path runs this code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyasn1.codec.ber import decoder
from pyasn1.error import PyAsn1Error
from pysnmp.proto.api import v1, v2c

SEQUENCE, INTEGER, OCTET_STRING, NULL_VALUE = 0x30, 0x02, 0x04, b"\x05\x00"
PDU_TAGS = frozenset(range(0xA0, 0xA9))
TYPE_NAMES = {0x02: "INTEGER", 0x04: "OCTET STRING", 0x05: "NULL", 0x06: "OBJECT IDENTIFIER",
              0x40: "IpAddress", 0x41: "Counter32", 0x42: "Gauge32", 0x43: "TimeTicks", 0x44: "Opaque",
              0x46: "Counter64", 0x80: "noSuchObject", 0x81: "noSuchInstance", 0x82: "endOfMibView"}
INTEGER_RANGES = {0x02: (-(2**31), 2**31 - 1), 0x41: (0, 2**32 - 1), 0x42: (0, 2**32 - 1),
                  0x43: (0, 2**32 - 1), 0x46: (0, 2**64 - 1)}
_VARBIND_SPECS: dict[int, Any] = {0: v1.VarBind(), 1: v2c.VarBind()}


class BerError(ValueError):
    """Not a well-formed SNMP v1/v2c message (the whole datagram is lost)."""


def read_tlv(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """(tag, start of contents, end of contents) of the TLV at ``pos``, within ``end``."""
    if pos + 2 > end:
        raise BerError(f"truncated BER at byte {pos} of {end}")
    tag, first = data[pos], data[pos + 1]
    if tag & 0x1F == 0x1F:
        raise BerError(f"multi-byte tag at byte {pos}")
    pos += 2
    if first & 0x80:
        count = first & 0x7F
        if count == 0 or count > 4:
            raise BerError(f"unsupported length form at byte {pos - 1}")
        if pos + count > end:
            raise BerError(f"truncated BER length at byte {pos}")
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    else:
        length = first
    if pos + length > end:
        raise BerError(f"truncated BER: {length} bytes announced at byte {pos}, {end - pos} there")
    return tag, pos, pos + length


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(body),)) + body


def tlv(tag: int, body: bytes) -> bytes:
    return bytes((tag,)) + _length(len(body)) + body


def oid_text(data: bytes) -> str:
    """Dotted text of the contents of a BER OBJECT IDENTIFIER."""
    arcs: list[int] = []
    value = 0
    for byte in data:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    if not arcs or data[-1] & 0x80:
        raise BerError("malformed OBJECT IDENTIFIER")
    first = arcs[0]
    head = divmod(first, 40) if first < 80 else (2, first - 80)
    return ".".join(str(arc) for arc in (*head, *arcs[1:]))


@dataclass(frozen=True, slots=True)
class BadValue:
    """One varbind whose value was replaced: its OID and why it was refused."""

    oid: str
    reason: str


def _reason(value: bytes, version: int) -> str:
    tag, start, end = read_tlv(value, 0, len(value))
    name = TYPE_NAMES.get(tag, f"unknown type (tag 0x{tag:02x})")
    if tag in INTEGER_RANGES and end > start:
        number = int.from_bytes(value[start:end], "big", signed=True)
        low, high = INTEGER_RANGES[tag]
        if not low <= number <= high:
            return f"{name} {number} out of range"
    if version == 0 and tag in (0x46, 0x80, 0x81, 0x82):
        return f"{name} is not SNMPv1"
    return f"undecodable {name} of {end - start} bytes"


def _varbinds(data: bytes, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """(start, end, name start, value start) of each varbind in the varbind list's contents."""
    found, pos = [], start
    while pos < end:
        tag, name_start, vb_end = read_tlv(data, pos, end)
        if tag != SEQUENCE:
            raise BerError("a varbind that is not a SEQUENCE")
        name_tag, oid_start, value_start = read_tlv(data, name_start, vb_end)
        if name_tag != 0x06:
            raise BerError("a varbind name that is not an OBJECT IDENTIFIER")
        oid_text(data[oid_start:value_start])
        if read_tlv(data, value_start, vb_end)[2] != vb_end:
            raise BerError("trailing bytes in a varbind")
        found.append((pos, vb_end, name_start, value_start))
        pos = vb_end
    return found


@dataclass(frozen=True, slots=True)
class Frame:
    """Where the parts of a v1/v2c message are: version, message head (version + community),
    PDU tag, PDU header (request-id, error-status, error-index) and the varbind list."""

    version: int
    head: tuple[int, int]
    pdu_tag: int
    pdu_header: tuple[int, int]
    varbinds: tuple[int, int]


def frame(data: bytes) -> Frame:
    """The frame of a v1/v2c message whose framing is sound; raises BerError otherwise."""
    tag, head_start, msg_end = read_tlv(data, 0, len(data))
    if tag != SEQUENCE or msg_end != len(data):
        raise BerError("not one SNMP message (outer SEQUENCE)")
    tag, start, pos = read_tlv(data, head_start, msg_end)
    version = int.from_bytes(data[start:pos], "big", signed=True) if tag == INTEGER and pos > start else -1
    if version not in _VARBIND_SPECS:
        raise BerError("not an SNMP v1/v2c message")
    tag, _start, head_end = read_tlv(data, pos, msg_end)
    if tag != OCTET_STRING:
        raise BerError("community is not an OCTET STRING")
    pdu_tag, pdu_start, pdu_end = read_tlv(data, head_end, msg_end)
    if pdu_tag not in PDU_TAGS or pdu_end != msg_end:
        raise BerError(f"unknown PDU type 0x{pdu_tag:02x}")
    pos = pdu_start
    for _ in range(3):  # request-id, error-status, error-index
        tag, _start, pos = read_tlv(data, pos, pdu_end)
        if tag != INTEGER:
            raise BerError("PDU header field is not an INTEGER")
    tag, list_start, list_end = read_tlv(data, pos, pdu_end)
    if tag != SEQUENCE or list_end != pdu_end:
        raise BerError("varbind list is not a SEQUENCE")
    return Frame(version, (head_start, head_end), pdu_tag, (pdu_start, pos), (list_start, list_end))


def repair(data: bytes) -> tuple[bytes, list[BadValue]]:
    """The message with each varbind pyasn1 refuses given a NULL value, and those varbinds.
    Raises BerError when the message itself is broken (nothing to save)."""
    parts = frame(data)
    spec, bad, binds = _VARBIND_SPECS[parts.version], [], []
    for vb_start, vb_end, name_start, value_start in _varbinds(data, *parts.varbinds):
        varbind = data[vb_start:vb_end]
        try:
            decoder.decode(varbind, asn1Spec=spec)
        except (PyAsn1Error, ValueError, TypeError, AttributeError):
            _tag, oid_start, _oid_end = read_tlv(data, name_start, value_start)
            why = _reason(data[value_start:vb_end], parts.version)
            bad.append(BadValue(oid_text(data[oid_start:value_start]), why))
            varbind = tlv(SEQUENCE, data[name_start:value_start] + NULL_VALUE)
        binds.append(varbind)
    pdu_header = data[slice(*parts.pdu_header)]
    pdu = tlv(parts.pdu_tag, pdu_header + tlv(SEQUENCE, b"".join(binds)))
    return tlv(SEQUENCE, data[slice(*parts.head)] + pdu), bad
