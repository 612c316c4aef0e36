"""Turn pysnmp/pyasn1 values (and ``fastcodec``'s plain ones) into safe Python values; never raises.

Devices send anything: non-UTF-8 sysNames, NUL-padded strings, newlines in ifAlias, megabyte
strings, an OCTET STRING where an INTEGER belongs, negative gauges. Every function here
returns a clean value or ``None`` (unknown) and never raises, so one bad column cannot take
down a poll. Text is decoded as UTF-8 (Latin-1 when that fails), stripped of NULs and control
characters and cut to a length limit.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from pyasn1.type.univ import Integer, ObjectIdentifier, OctetString
from pysnmp.proto.rfc1905 import EndOfMibView, NoSuchInstance, NoSuchObject

from collectors.snmp.fastcodec import NULL, Missing

TEXT_LIMIT = 255
LONG_TEXT_LIMIT = 2048
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]+")
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029]+")
MISSING_TYPES = (NoSuchObject, NoSuchInstance, EndOfMibView, Missing)


def is_missing(value: Any) -> bool:
    """True for noSuchObject / noSuchInstance / endOfMibView (or no value at all)."""
    return value is None or isinstance(value, MISSING_TYPES)


def raw_bytes(value: Any) -> bytes | None:
    """The bytes of an OCTET STRING (or of a str), else None."""
    if isinstance(value, bytes):
        return value
    if value is NULL:  # as a pyasn1 Null (an OctetString subclass)
        return b""
    if isinstance(value, str):
        return value.encode("utf-8", "replace")
    if isinstance(value, OctetString) and not is_missing(value):
        try:
            return bytes(value.asOctets())
        except Exception:
            return None
    return None


def clean_text(text: str, limit: int = TEXT_LIMIT, single_line: bool = True) -> str:
    """Drop NULs, turn control characters (line breaks too when ``single_line``) into spaces,
    trim, cut to ``limit``; inner spacing is kept (names like 'CPU Interface:  5/1')."""
    text = text.replace("\x00", "")
    text = _LINE_BREAKS.sub(" ", text) if single_line else text
    text = _CONTROL.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text(value: Any, limit: int = TEXT_LIMIT, single_line: bool = True) -> str:
    """Any value as safe display text ('' when missing)."""
    if is_missing(value):
        return ""
    data = raw_bytes(value)
    if data is None:
        if isinstance(value, int | tuple):  # a plain value from the fast codec: as pysnmp prints it
            return clean_text(plain_text(value), limit, single_line)
        try:
            return clean_text(value.prettyPrint(), limit, single_line)
        except Exception:
            return ""
    data = data[: limit * 4]
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError:
        decoded = data.decode("latin-1")
    return clean_text(decoded, limit, single_line)


def plain_text(value: int | tuple[int, ...]) -> str:
    return ".".join(map(str, value)) if isinstance(value, tuple) else str(value)


def integer(value: Any) -> int | None:
    """An INTEGER / Counter / Gauge / TimeTicks as int; None for anything else."""
    if type(value) is int:  # the fast codec's plain value
        return value
    if is_missing(value) or not isinstance(value, Integer):
        return None
    try:
        return int(value)
    except Exception:
        return None


def non_negative(value: Any) -> int | None:
    """An integer that must not be negative (gauges, counters, speeds); None otherwise."""
    number = integer(value)
    return number if number is not None and number >= 0 else None


def oid_text(value: Any) -> str:
    """An OBJECT IDENTIFIER as dotted numbers ('' when missing or not an OID)."""
    if isinstance(value, tuple):  # the fast codec's plain value
        return ".".join(map(str, value))
    if isinstance(value, ObjectIdentifier) and not is_missing(value):
        return ".".join(str(arc) for arc in value.asTuple())
    return ""


def mac(value: Any) -> str | None:
    """A 6- or 8-byte physical address as lower-case colon hex; None when empty or odd-sized."""
    data = raw_bytes(value)
    if not data or len(data) not in (6, 8) or not any(data):
        return None
    return data.hex(":")


def printable_or_hex(data: bytes, limit: int = TEXT_LIMIT) -> str:
    """Text when the bytes are printable UTF-8, else lower-case hex (for chassis/port ids)."""
    stripped = data.rstrip(b"\x00")
    try:
        decoded = stripped.decode("utf-8")
    except UnicodeDecodeError:
        return stripped.hex()[:limit]
    if decoded and all(ch.isprintable() for ch in decoded):
        return clean_text(decoded, limit)
    return stripped.hex()[:limit]


def address_from_bytes(data: bytes) -> str | None:
    """4 or 16 raw bytes as an IP address string."""
    if len(data) in (4, 16):
        return str(ipaddress.ip_address(data))
    return None


def network_address(data: bytes) -> str | None:
    """LLDP networkAddress id: one IANA address-family byte (1 = IPv4, 2 = IPv6) + the address."""
    if len(data) in (5, 17) and data[0] in (1, 2):
        return address_from_bytes(data[1:])
    return address_from_bytes(data)


def timeticks_s(value: Any) -> float | None:
    """TimeTicks (1/100 s) as seconds."""
    number = non_negative(value)
    return number / 100.0 if number is not None else None
