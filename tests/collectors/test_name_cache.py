"""Status polls reuse interface names from the previous read only while provably valid."""

from __future__ import annotations

import asyncio

from collectors.observations import PollKind, PollResult
from collectors.snmp import SnmpPoller
from collectors.snmp.namecache import NameCache
from tests.collectors.conftest import sim_target

IDX = frozenset({(1,), (2,)})
STATUS = frozenset({PollKind.INTERFACES})


def test_cache_valid_only_without_restart_and_with_same_indexes() -> None:
    cache = NameCache()
    cache.store("sw", {(1,): "a", (2,): "b"}, {}, IDX, uptime_s=100.0)
    assert cache.lookup("sw", IDX, 160.0) == ({(1,): "a", (2,): "b"}, {})
    assert cache.lookup("sw", IDX, 50.0) is None  # the agent restarted
    assert cache.lookup("sw", frozenset({(1,)}), 160.0) is None  # an interface went away
    assert cache.lookup("sw", IDX, None) is None
    assert cache.lookup("other", IDX, 160.0) is None


def test_cache_expires() -> None:
    cache = NameCache(max_age_s=0.0)
    cache.store("sw", {(1,): "a"}, {}, frozenset({(1,)}), uptime_s=1.0)
    assert not cache.has("sw") and cache.lookup("sw", frozenset({(1,)}), 2.0) is None


def test_second_status_poll_skips_ifname_and_reads_the_same(snmpsim: int) -> None:
    async def run() -> tuple[PollResult, PollResult, PollResult]:
        poller = SnmpPoller()
        try:
            target = sim_target("vrp_5720", snmpsim)
            first = await poller.poll(target, STATUS)
            assert poller.names.has("vrp_5720")
            second = await poller.poll(target, STATUS)
            poller.names.forget("vrp_5720")
            third = await poller.poll(target, STATUS)
            return first, second, third
        finally:
            poller.close()

    first, second, third = asyncio.run(run())
    assert first.completed == second.completed == third.completed == STATUS
    names = [(i.if_index, i.name, i.oper_status) for i in first.interfaces]
    assert [(i.if_index, i.name, i.oper_status) for i in second.interfaces] == names
    assert [(i.if_index, i.name, i.oper_status) for i in third.interfaces] == names
