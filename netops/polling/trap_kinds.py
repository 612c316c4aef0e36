"""The notifications the trap receiver acts on, and what a trap tells: device, kind, interface.

linkDown / linkUp / coldStart / warmStart (SNMPv2-MIB, IF-MIB) and LLDP-MIB
lldpRemTablesChange, which lldpd sends the moment a fiber loses its neighbor. Anything else
from a known device is counted as ``ignored``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

TRAP_OID = "1.3.6.1.6.3.1.1.4.1.0"  # SNMPv2-MIB::snmpTrapOID.0
TRAPS = {
    "1.3.6.1.6.3.1.1.5.1": "coldStart", "1.3.6.1.6.3.1.1.5.2": "warmStart",
    "1.3.6.1.6.3.1.1.5.3": "linkDown", "1.3.6.1.6.3.1.1.5.4": "linkUp",
    "1.0.8802.1.1.2.0.0.1": "lldpRemTablesChange",  # LLDP-MIB: a neighbor appeared or aged out
}
IF_INDEX = "1.3.6.1.2.1.2.2.1.1."  # IF-MIB::ifIndex
IF_OPER = "1.3.6.1.2.1.2.2.1.8."  # IF-MIB::ifOperStatus


@dataclass(frozen=True, slots=True)
class Trap:
    """A trap we act on: which device, what happened, on which interface."""

    device: str
    sender: str
    kind: str
    if_index: int | None = None
    oper_status: str | None = None


TrapHandler = Callable[[Trap], None]


def parse_varbinds(varbinds: list[tuple[str, str]]) -> tuple[str | None, int | None, str | None]:
    """(trap name, ifIndex, ifOperStatus) from (oid, value) text pairs; unknown parts are None."""
    values = dict(varbinds)
    kind = TRAPS.get(values.get(TRAP_OID, "").lstrip("."))
    if_index, oper = None, None
    for oid, value in varbinds:
        if oid.startswith(IF_INDEX) and value.isdigit():
            if_index = int(value)
        elif oid.startswith(IF_OPER):
            oper = {"1": "up", "2": "down"}.get(value, value)
            if if_index is None and oid[len(IF_OPER):].isdigit():
                if_index = int(oid[len(IF_OPER):])
    return kind, if_index, oper
