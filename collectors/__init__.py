"""Collectors: talk to devices and return observation records; never touch the database.

``observations`` is the record contract (``PollResult`` and the per-kind records), ``targets``
says how to reach a device (credentials as ``Secret``), ``errors`` maps failures to an
``ErrorKind``, ``profiles`` holds the platform profiles as YAML data, ``snmp`` is the asyncio
SNMP poller (``collectors.SnmpPoller``, imported lazily so pysnmp loads only when used) and
``ssh`` the netmiko collector. Nothing here imports the rest of netops.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from collectors.errors import CollectorError, ProfileError, SnmpError
from collectors.observations import ErrorKind, PollKind, PollResult
from collectors.targets import Secret, Target

if TYPE_CHECKING:
    from collectors.snmp.poller import SnmpPoller

__all__ = ["CollectorError", "ErrorKind", "PollKind", "PollResult", "ProfileError", "Secret", "SnmpError",
           "SnmpPoller", "Target"]


def __getattr__(name: str) -> Any:
    if name == "SnmpPoller":
        from collectors.snmp.poller import SnmpPoller

        return SnmpPoller
    raise AttributeError(f"module 'collectors' has no attribute {name!r}")
