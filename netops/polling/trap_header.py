"""The outer fields of an SNMP message, read without pyasn1, so the trap receiver can judge it first.

pyasn1 needs ~125 µs to read an SNMP version and ~330 µs for a v3 header, and pysnmp then
spends about a millisecond on the whole message: too much to spend on every forged datagram.
This reader walks only the definite-length BER the RFCs prescribe for the outer layers
(RFC 3416 §3 for v1/v2c ``SEQUENCE {version, community, PDU}``; RFC 3412 §6 and RFC 3414
§2.4 for the v3 header and USM parameters) in a few microseconds and returns None for anything
else. It decides nothing about validity beyond shape: pysnmp still parses and checks the whole
message when the receiver lets it through.
"""

from __future__ import annotations

from dataclasses import dataclass

SEQUENCE, INTEGER, OCTET_STRING = 0x30, 0x02, 0x04
NO_AUTH_NO_PRIV, AUTH_NO_PRIV, AUTH_PRIV = 1, 2, 3
USM = 3


@dataclass(frozen=True, slots=True)
class SnmpHeader:
    """Version, and the community (v1/v2c) or USM fields (v3) of one message."""

    version: int
    community: bytes = b""
    engine_id: bytes = b""
    user: bytes = b""
    level: int = 0  # v3: 1 noAuthNoPriv, 2 authNoPriv, 3 authPriv; 0 for priv without auth
    auth_params: bytes = b""
    security_model: int = 0


class _Malformed(Exception):
    pass


def parse_header(message: bytes) -> SnmpHeader | None:
    """The header of ``message``, None when it is not shaped like SNMP v1, v2c or v3."""
    try:
        return _parse(message)
    except _Malformed:
        return None


def _parse(message: bytes) -> SnmpHeader:
    _, start, end = _expect(message, 0, SEQUENCE)
    if end != len(message):
        raise _Malformed
    version, pos = _integer(message, start)
    if version in (0, 1):
        community, pos = _octets(message, pos)
        return SnmpHeader(version, community=community)
    if version != 3:
        raise _Malformed
    _, header_start, pos = _expect(message, pos, SEQUENCE)
    _msg_id, inner = _integer(message, header_start)
    _max_size, inner = _integer(message, inner)
    flags, inner = _octets(message, inner)
    model, inner = _integer(message, inner)
    if len(flags) != 1:
        raise _Malformed
    params, _ = _octets(message, pos)
    level = {0: NO_AUTH_NO_PRIV, 1: AUTH_NO_PRIV, 3: AUTH_PRIV}.get(flags[0] & 0x03, 0)
    if model != USM:
        return SnmpHeader(3, level=level, security_model=model)
    _, p_start, p_end = _expect(params, 0, SEQUENCE)
    engine_id, p = _octets(params, p_start)
    _boots, p = _integer(params, p)
    _time, p = _integer(params, p)
    user, p = _octets(params, p)
    auth_params, p = _octets(params, p)
    if p > p_end:
        raise _Malformed
    return SnmpHeader(3, engine_id=engine_id, user=user, level=level, auth_params=auth_params,
                      security_model=model)


def _expect(data: bytes, pos: int, tag: int) -> tuple[int, int, int]:
    """(tag, value start, value end) of the TLV at ``pos``, which must carry ``tag``."""
    if pos + 2 > len(data) or data[pos] != tag:
        raise _Malformed
    length, pos = data[pos + 1], pos + 2
    if length & 0x80:
        count = length & 0x7F
        if not 1 <= count <= 4 or pos + count > len(data):
            raise _Malformed  # indefinite or absurd lengths have no place in SNMP
        length, pos = int.from_bytes(data[pos:pos + count], "big"), pos + count
    if pos + length > len(data):
        raise _Malformed
    return tag, pos, pos + length


def _integer(data: bytes, pos: int) -> tuple[int, int]:
    _, start, end = _expect(data, pos, INTEGER)
    if not 1 <= end - start <= 5:
        raise _Malformed
    return int.from_bytes(data[start:end], "big", signed=True), end


def _octets(data: bytes, pos: int) -> tuple[bytes, int]:
    _, start, end = _expect(data, pos, OCTET_STRING)
    return data[start:end], end
