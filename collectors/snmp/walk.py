"""Walk several table columns at once with GETBULK, staying inside each column.

One GETBULK asks for every unfinished column (and, in the first request, any non-repeater
scalars such as sysUpTime.0), so a 48-port status poll is one round trip. Each column stops
at the first OID outside its subtree or at endOfMibView (what ``lexicographicMode=False``
does in pysnmp's hlapi). A column whose OIDs do not increase (an OID repeated, the column
itself answered again) is a broken agent: the walk fails as MALFORMED instead of looping or
passing for an empty column. So does a column that grows past its cap: the endpoint's
``max_rows`` ceiling, and twice the announced row count (ifNumber.0) + ``ROW_SLACK`` where
the device gave one, so a device inventing rows for ever costs a bounded walk (time and
memory). ``tooBig`` halves max-repetitions; SNMPv1's ``noSuchName`` ends the column it names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from collectors.errors import SnmpError
from collectors.observations import ErrorKind
from collectors.snmp.decode import MISSING_TYPES, non_negative
from collectors.snmp.session import (
    NO_SUCH_NAME,
    TOO_BIG,
    Endpoint,
    Oid,
    SnmpHost,
    VarBind,
    status_error,
)

MAX_REQUESTS = 10_000
ROW_SLACK = 100  # rows allowed beyond 2 x ifNumber.0 (agents' ifNumber is not always exact)


class RunawayWalk(SnmpError):
    """A walk that would not end (past its row cap): the agent invents rows. The poller
    trusts that device no further in this poll."""

    def __init__(self, message: str) -> None:
        super().__init__(ErrorKind.MALFORMED, message)


def oid_tuple(oid: str) -> Oid:
    return tuple(int(arc) for arc in oid.lstrip(".").split("."))


@dataclass
class WalkResult:
    """Per column OID (string as requested): {index suffix: value}; plus the scalars."""

    columns: dict[str, dict[Oid, object]] = field(default_factory=dict)
    scalars: list[VarBind] = field(default_factory=list)
    row_hint: int | None = None  # the announced row count (e.g. ifNumber.0) when asked for


def row_cap(max_rows: int, hint: int | None) -> int:
    """The most rows a column may have: ``max_rows``, tighter when the device announced a count."""
    return max_rows if hint is None else min(max_rows, 2 * hint + ROW_SLACK)


async def walk_columns(host: SnmpHost, ep: Endpoint, columns: Sequence[str], max_repetitions: int,
                       non_repeaters: Sequence[str] = (), row_hint: str | None = None) -> WalkResult:
    """Walk ``columns`` (numeric OIDs) to their ends; ``non_repeaters`` are exact scalar OIDs
    ("X.0") read in the first request. ``row_hint`` is a scalar holding the expected row count
    (IF-MIB ifNumber.0): later requests ask for no more rows than remain + 1, so the last one
    does not decode max-repetitions rows of the next column per column (12 % of a 400-port
    ifTable walk). Raises SnmpError on failure."""
    prefixes = {c: oid_tuple(c) for c in columns}
    cursor = dict(prefixes)
    result = WalkResult(columns={c: {} for c in columns})
    active = list(dict.fromkeys(columns))
    wanted_scalars = [*non_repeaters, *([row_hint] if row_hint else [])]
    # GETBULK non-repeaters are GETNEXTs: ask for the parent of "X.0" to get X.0 itself.
    scalars = [s.rsplit(".", 1)[0] for s in wanted_scalars]
    reps, hint = max(1, max_repetitions), None
    cap = ep.max_rows
    for _ in range(MAX_REQUESTS):
        if not active and not scalars:
            return result
        request = [".".join(map(str, cursor[c])) for c in active]
        asked = reps
        if hint is not None and active:
            seen = min(len(result.columns[c]) for c in active)
            hint = hint if seen <= hint else None  # more rows than announced: stop trusting it
            asked = reps if hint is None else min(reps, hint - seen + 1)
        status, index, var_binds = await host.bulk(ep, scalars, request, asked if active else 0)
        if status:
            if status == TOO_BIG and reps > 1:
                reps = max(1, reps // 2)
                continue
            dropped = index - 1 - len(scalars)
            if status == NO_SUCH_NAME and ep.version == "1" and 0 <= dropped < len(active):
                del active[dropped]
                continue
            raise status_error(status, index)
        if scalars:
            wanted = [oid_tuple(s) for s in wanted_scalars]
            result.scalars = [(oid, value if oid == want else None)
                              for want, (oid, value) in zip(wanted, var_binds[: len(scalars)], strict=False)]
            var_binds = var_binds[len(scalars):]
            scalars = []
            if row_hint and len(result.scalars) == len(wanted_scalars):
                hint = result.row_hint = non_negative(result.scalars.pop()[1])
                cap = row_cap(ep.max_rows, hint)
        if active and not var_binds:
            raise SnmpError(ErrorKind.MALFORMED, "agent returned an empty GETBULK answer")
        walked = active
        active = _take(active, var_binds, prefixes, cursor, result)
        longest = max((len(result.columns[c]) for c in walked), default=0)
        if longest > cap:
            why = f"ifNumber.0 = {result.row_hint}" if cap < ep.max_rows else "the configured ceiling"
            raise RunawayWalk(f"walk exceeded {cap} rows ({why}); the agent keeps returning rows")
    raise RunawayWalk("walk did not end (agent keeps returning rows)")


def _take(active: list[str], var_binds: list[VarBind], prefixes: dict[str, Oid], cursor: dict[str, Oid],
          result: WalkResult) -> list[str]:
    """Assign row-major varbinds to their columns; return the columns still unfinished."""
    width = len(active)
    finished: set[str] = set()
    for position, (oid, value) in enumerate(var_binds):
        column = active[position % width]
        if column in finished:
            continue
        if isinstance(value, MISSING_TYPES):
            finished.add(column)
            continue
        if oid <= cursor[column]:
            last = ".".join(map(str, oid))
            raise SnmpError(ErrorKind.MALFORMED, f"walk does not advance: agent returned {last} after "
                                                 f"{'.'.join(map(str, cursor[column]))} in column {column}")
        prefix = prefixes[column]
        if oid[: len(prefix)] != prefix:
            finished.add(column)
            continue
        result.columns[column][oid[len(prefix):]] = value
        cursor[column] = oid
    return [c for c in active if c not in finished]
