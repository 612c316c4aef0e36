"""Named value converters that platform files may chain on a parsed column.

Parsing device output is TextFSM's job (ntc-templates or our templates); these functions only
normalise one already-extracted value (``"1000000 Kbit"`` -> bits per second, ``4c1f.cc00.0200``
-> ``4c:1f:cc:00:02:00``, a Cisco uptime sentence -> seconds), so a platform file can say
``convert: [kbit_to_bps]`` instead of a vendor branch in Python. Every converter takes and
returns plain values, never raises on odd input (a hostile string becomes ``None`` or is kept
as text), and is listed in ``CONVERTERS``, which the strict loader checks names against.
"""

from __future__ import annotations

import ipaddress
import itertools
import math
import string
from collections.abc import Callable
from typing import Any

Converter = Callable[[Any], Any]

_HEX = frozenset(string.hexdigits)
_DIGITS = frozenset(string.digits)
_UNITS_S = {
    "year": 31_536_000,
    "week": 604_800,
    "day": 86_400,
    "hour": 3_600,
    "minute": 60,
    "second": 1,
    "y": 31_536_000,
    "w": 604_800,
    "d": 86_400,
    "h": 3_600,
    "m": 60,
    "s": 1,
}
_SPEED_UNITS = {"k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}


def first(value: Any) -> Any:
    """The first element of a list column (TextFSM ``List`` values), else the value."""
    if isinstance(value, list):
        return value[0] if value else ""
    return value


def join(value: Any) -> Any:
    return " ".join(str(v).strip() for v in value) if isinstance(value, list) else value


def text(value: Any) -> str:
    """Any value as one stripped line of text (lists joined)."""
    return "" if value is None else str(join(value)).strip()


def lower(value: Any) -> str:
    return text(value).lower()


def first_word(value: Any) -> str:
    parts = text(value).split()
    return parts[0] if parts else ""


def first_csv(value: Any) -> str:
    """The first item of a comma-separated value (RouterOS ``ether2,bridge_local``)."""
    return text(value).split(",")[0].strip()


def blank_dash(value: Any) -> Any:
    """``-``, ``--``, ``N/A`` and ``none`` mean "no value" on most CLIs."""
    return None if text(value).lower() in ("-", "--", "n/a", "none", "") else value


def to_int(value: Any) -> int | None:
    """The leading integer of a value (``"1500"``, ``"1000000 Kbit"``), else None."""
    digits = ""
    for ch in text(value):
        if ch in _DIGITS:
            digits += ch
        elif digits or ch not in " +":
            break
    return int(digits) if digits else None


def to_float(value: Any) -> float | None:
    raw = text(value).lower()
    for suffix in ("dbm", "mw", "ma", "c", "v"):
        raw = raw.removesuffix(suffix)
    try:
        number = float(raw.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def mw_to_dbm(value: Any) -> float | None:
    """Optical power in milliwatts (``"0.54mW"``) to dBm; zero light is None."""
    mw = to_float(value)
    return round(10 * math.log10(mw), 2) if mw and mw > 0 else None


def kbit_to_bps(value: Any) -> int | None:
    kbit = to_int(value)
    return kbit * 1000 if kbit is not None else None


def mbit_to_bps(value: Any) -> int | None:
    mbit = to_int(value)
    return mbit * 10**6 if mbit is not None else None


def speed(value: Any) -> int | None:
    """``10Gbps``, ``1000Mb/s``, ``100M``, ``1G`` to bits per second; ``auto`` is None."""
    raw = text(value).lower().replace(" ", "")
    number = ""
    for ch in raw:
        if ch in _DIGITS or ch == ".":
            number += ch
        else:
            break
    if not number:
        return None
    unit = raw[len(number) : len(number) + 1]
    try:
        return int(float(number) * _SPEED_UNITS.get(unit, 1))
    except ValueError:
        return None


def _mac_hex(raw: str) -> str | None:
    hexchars = "".join(ch for ch in raw if ch not in ".:- ")
    if len(hexchars) == 12 and set(hexchars) <= _HEX and len(raw) <= 17:
        return hexchars.lower()
    return None


def mac(value: Any) -> Any:
    """A MAC in any common notation to ``aa:bb:cc:dd:ee:ff``; anything else unchanged."""
    raw = text(value)
    low = _mac_hex(raw)
    return ":".join(low[i : i + 2] for i in range(0, 12, 2)) if low else raw


def _is_mac(raw: str) -> bool:
    return _mac_hex(raw) is not None


def _is_ip(raw: str) -> bool:
    try:
        ipaddress.ip_address(raw)
    except ValueError:
        return False
    return True


def chassis_kind(value: Any) -> str:
    """The LLDP chassis-id subtype a CLI left out, inferred from the value's shape."""
    raw = text(value)
    if _is_mac(raw):
        return "mac"
    return "network_address" if _is_ip(raw) else "local"


def port_kind(value: Any) -> str:
    """The LLDP port-id subtype inferred from its shape: a bare number is a local ifIndex."""
    raw = text(value)
    if _is_mac(raw):
        return "mac"
    if _is_ip(raw):
        return "network_address"
    return "local" if raw.isdigit() else "interface_name"


def ip_or_none(value: Any) -> str | None:
    raw = text(value)
    return raw if _is_ip(raw) else None


def _char_class(ch: str) -> str:
    if ch in _DIGITS:
        return "digit"
    return "alpha" if ch.isascii() and ch.isalpha() else ""


def _tokens(raw: str) -> list[str]:
    """Split ``1w5d2h`` or ``2 years, 3 weeks`` into alternating number and word tokens."""
    tokens: list[str] = []
    previous = ""
    for ch in raw:
        kind = _char_class(ch)
        if kind and kind == previous:
            tokens[-1] += ch
        elif kind:
            tokens.append(ch)
        previous = kind
    return tokens


def uptime(value: Any) -> float | None:
    """``2 years, 31 weeks, 6 days, 9 hours`` or ``1w5d2h31m30s`` to seconds."""
    tokens = _tokens(text(value).lower())
    total, seen = 0, False
    for number, unit in itertools.pairwise(tokens):
        key = unit.rstrip("s") if len(unit) > 1 else unit
        if set(number) <= _DIGITS and key in _UNITS_S:
            total, seen = total + int(number) * _UNITS_S[key], True
    return float(total) if seen else None


def flags_up(value: Any) -> str:
    """``ip -j link`` flags list: "up" when ``UP`` is among them."""
    return "up" if isinstance(value, list) and "UP" in value else "down"


CONVERTERS: dict[str, Converter] = {
    "first": first,
    "join": join,
    "text": text,
    "lower": lower,
    "first_word": first_word,
    "first_csv": first_csv,
    "blank_dash": blank_dash,
    "int": to_int,
    "float": to_float,
    "mw_to_dbm": mw_to_dbm,
    "kbit_to_bps": kbit_to_bps,
    "mbit_to_bps": mbit_to_bps,
    "speed": speed,
    "mac": mac,
    "chassis_kind": chassis_kind,
    "port_kind": port_kind,
    "ip_or_none": ip_or_none,
    "uptime": uptime,
    "flags_up": flags_up,
}
