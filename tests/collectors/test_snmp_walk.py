"""The GETBULK column walker against scripted agent answers: row-major assignment across
several columns, truncated answers, columns ending at different rows, broken agents."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest
from pyasn1.type.univ import Integer
from pysnmp.proto.rfc1905 import EndOfMibView

from collectors.errors import SnmpError
from collectors.observations import ErrorKind
from collectors.snmp.session import Endpoint
from collectors.snmp.walk import oid_tuple, row_cap, walk_columns

EP = Endpoint(addr_name="a1", version="2c", context=b"")


class Agent:
    """A sorted OID table answering GETBULK like an agent, optionally truncating answers."""

    def __init__(self, table: dict[str, int], cap: int = 1000, broken: str | None = None) -> None:
        self.table = sorted((oid_tuple(o), v) for o, v in table.items())
        self.cap, self.broken, self.requests, self.reps = cap, broken, 0, []

    def _next(self, oid: tuple[int, ...]) -> tuple[tuple[int, ...], Any]:
        for name, value in self.table:
            if name > oid:
                return name, Integer(value)
        return oid, EndOfMibView()

    async def bulk(self, ep: Endpoint, scalars: Sequence[str], columns: Sequence[str],
                   reps: int) -> tuple[int, int, list[Any]]:
        self.requests += 1
        self.reps.append(reps)
        if self.broken == "tooBig" and reps > 5:
            return 1, 0, []
        out = [self._next(oid_tuple(s)) for s in scalars]
        cursors = [oid_tuple(c) for c in columns]
        for _ in range(reps):
            for i, cursor in enumerate(cursors):
                name, value = self._next(cursor)
                if self.broken == "loop":
                    name = (*oid_tuple(columns[i]), 1)  # the agent answers row 1 again and again
                if self.broken == "endless":  # ever-increasing rows, for ever
                    name = (*oid_tuple(columns[i]), cursor[len(oid_tuple(columns[i]))] + 1
                            if len(cursor) > len(oid_tuple(columns[i])) else 1)
                    value = Integer(1)
                if self.broken == "itself":  # the column's own OID, as if it were its first row
                    name = oid_tuple(columns[i])
                out.append((name, value))
                cursors[i] = name
        return 0, 0, out[: self.cap]


TABLE = {**{f"1.3.6.1.2.1.2.2.1.8.{i}": 1 for i in range(1, 8)},
         **{f"1.3.6.1.2.1.2.2.1.7.{i}": 2 for i in range(1, 5)},  # a shorter column
         "1.3.6.1.2.1.1.3.0": 4242, "1.3.6.1.2.1.2.2.1.9.1": 7}


def run(agent: Agent, columns: list[str], reps: int = 3, scalars: tuple[str, ...] = (),
        hint: str | None = None) -> Any:
    return asyncio.run(walk_columns(agent, EP, columns, reps, scalars, hint))  # type: ignore[arg-type]


@pytest.mark.parametrize("cap", [1000, 4, 5, 7])
def test_columns_walked_to_their_own_ends(cap: int) -> None:
    result = run(Agent(TABLE, cap=cap), ["1.3.6.1.2.1.2.2.1.8", "1.3.6.1.2.1.2.2.1.7"],
                 scalars=("1.3.6.1.2.1.1.3.0",))
    assert sorted(result.columns["1.3.6.1.2.1.2.2.1.8"]) == [(i,) for i in range(1, 8)]
    assert sorted(result.columns["1.3.6.1.2.1.2.2.1.7"]) == [(i,) for i in range(1, 5)]
    assert result.scalars[0][0] == oid_tuple("1.3.6.1.2.1.1.3.0") and int(result.scalars[0][1]) == 4242


def test_missing_column_is_empty_not_an_error() -> None:
    assert run(Agent(TABLE), ["1.3.6.1.2.1.31.1.1.1.1"]).columns == {"1.3.6.1.2.1.31.1.1.1.1": {}}


def test_too_big_halves_max_repetitions() -> None:
    agent = Agent(TABLE, broken="tooBig")
    result = run(agent, ["1.3.6.1.2.1.2.2.1.8"], reps=40)
    assert len(result.columns["1.3.6.1.2.1.2.2.1.8"]) == 7


def test_agent_repeating_oids_is_malformed_not_a_hang() -> None:
    with pytest.raises(SnmpError) as caught:
        run(Agent(TABLE, broken="loop"), ["1.3.6.1.2.1.2.2.1.8"])
    assert caught.value.kind is ErrorKind.MALFORMED


@pytest.mark.parametrize(("rows", "last_reps"), [(7, 2), (2, 3)])
def test_row_hint_trims_the_last_request_but_is_not_trusted(rows: int, last_reps: int) -> None:
    agent = Agent({**TABLE, "1.3.6.1.2.1.2.1.0": rows})  # ifNumber.0 says `rows` (2 is a lie)
    result = run(agent, ["1.3.6.1.2.1.2.2.1.8"], reps=3, hint="1.3.6.1.2.1.2.1.0")
    assert sorted(result.columns["1.3.6.1.2.1.2.2.1.8"]) == [(i,) for i in range(1, 8)]
    assert result.scalars == []
    assert agent.reps[-1] == last_reps


def test_agent_answering_the_column_itself_is_malformed_not_empty() -> None:
    with pytest.raises(SnmpError) as caught:
        run(Agent(TABLE, broken="itself"), ["1.3.6.1.2.1.2.2.1.8"])
    assert caught.value.kind is ErrorKind.MALFORMED
    assert "walk does not advance" in caught.value.message


def test_endless_column_stops_at_twice_the_announced_rows() -> None:
    agent = Agent({**TABLE, "1.3.6.1.2.1.2.1.0": 7}, broken="endless")
    with pytest.raises(SnmpError) as caught:
        run(agent, ["1.3.6.1.2.1.2.2.1.8"], reps=50, hint="1.3.6.1.2.1.2.1.0")
    assert caught.value.kind is ErrorKind.MALFORMED
    assert caught.value.message.startswith("walk exceeded 114 rows (ifNumber.0 = 7)")
    assert agent.requests <= 4


def test_endless_column_without_a_row_count_stops_at_the_ceiling() -> None:
    agent = Agent(TABLE, broken="endless")
    ep = Endpoint(addr_name="a1", version="2c", context=b"", max_rows=500)
    with pytest.raises(SnmpError) as caught:
        asyncio.run(walk_columns(agent, ep, ["1.3.6.1.2.1.2.2.1.8"], 50))  # type: ignore[arg-type]
    assert caught.value.message.startswith("walk exceeded 500 rows (the configured ceiling)")
    assert agent.requests == 11


def test_row_cap_follows_the_announced_count() -> None:
    assert row_cap(10_000, None) == 10_000
    assert row_cap(10_000, 48) == 196
    assert row_cap(10_000, 2**31 - 1) == 10_000  # an absurd ifNumber does not lift the ceiling
