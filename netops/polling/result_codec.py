"""``PollResult`` to JSON and back, for results that cross a process boundary (Celery workers
write them to the shared database). Only the record contract's own types appear: enums by
value, times in ISO-8601, tuples and frozensets as lists; ``decode(encode(r)) == r``. A worker's
ICMP burst to one address crosses the same way (``encode_icmp``/``decode_icmp``; JSON ``null``
is "unknown": no ICMP on that worker, or a name it does not know)."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from enum import Enum
from typing import Any

from collectors.observations import (
    AdminStatus,
    ConfigSnapshot,
    CounterSample,
    DeviceFacts,
    ErrorKind,
    IdKind,
    InterfaceState,
    Neighbor,
    NeighborProtocol,
    OperStatus,
    OpticalReading,
    PollError,
    PollKind,
    PollResult,
)
from netops.polling.icmp import IcmpStats


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, frozenset):
        return sorted(_plain(v) for v in value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def encode(result: PollResult) -> str:
    return json.dumps(_plain(result), separators=(",", ":"))


def _opt(cls: Any, data: dict[str, Any] | None) -> Any:
    return None if data is None else cls(**data)


def decode(text: str) -> PollResult:
    d = json.loads(text)
    return PollResult(
        device_key=d["device_key"], profile=d["profile"], transport=d["transport"],
        started_at=datetime.fromisoformat(d["started_at"]),
        finished_at=datetime.fromisoformat(d["finished_at"]),
        completed=frozenset(PollKind(k) for k in d["completed"]),
        facts=_opt(DeviceFacts, d["facts"]),
        interfaces=tuple(InterfaceState(**{**i, "admin_status": AdminStatus(i["admin_status"]),
                                             "oper_status": OperStatus(i["oper_status"])})
                         for i in d["interfaces"]),
        counters=tuple(CounterSample(**c) for c in d["counters"]),
        neighbors=tuple(Neighbor(**{**n, "protocol": NeighborProtocol(n["protocol"]),
                                    "chassis_id_kind": IdKind(n["chassis_id_kind"]),
                                    "port_id_kind": IdKind(n["port_id_kind"])})
                        for n in d["neighbors"]),
        optics=tuple(OpticalReading(**o) for o in d["optics"]),
        config=_opt(ConfigSnapshot, d["config"]),
        errors=tuple(PollError(ErrorKind(e["kind"]), e["message"],
                               PollKind(e["poll_kind"]) if e["poll_kind"] else None) for e in d["errors"]),
    )


def encode_icmp(stats: IcmpStats | None) -> str:
    return json.dumps(None if stats is None else _plain(stats), separators=(",", ":"))


def decode_icmp(text: str) -> IcmpStats | None:
    d = json.loads(text)
    if d is None:
        return None
    return IcmpStats(sent=int(d["sent"]), received=int(d["received"]), rtt_min_ms=d["rtt_min_ms"],
                     rtt_avg_ms=d["rtt_avg_ms"], rtt_max_ms=d["rtt_max_ms"],
                     at=datetime.fromisoformat(d["at"]))
