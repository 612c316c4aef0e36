"""The test bed's real snmpd agents give the same records with either SNMP codec: netops' own
v1/v2c codec (the poll path) and pysnmp (the reference). A real agent's clock moves between the
two polls, so uptimes and last-change ages are left out of the comparison."""

from __future__ import annotations

from dataclasses import replace

import pytest

from collectors.observations import PollKind
from collectors.targets import SnmpV2c
from tests.collectors.codec_parity import poll_with, record
from tests.integration.snmp_helpers import node_target, v2c
from tests.integration.testbed import Testbed

pytestmark = pytest.mark.testbed
KINDS = frozenset({PollKind.FACTS, PollKind.INTERFACES, PollKind.COUNTERS, PollKind.NEIGHBORS,
                   PollKind.OPTICS})


@pytest.mark.parametrize("version", ["2c", "1"])
def test_every_node_gives_the_same_records_with_either_codec(testbed: Testbed, version: str) -> None:
    cred = replace(v2c(testbed), version=version) if version == "1" else v2c(testbed)
    assert isinstance(cred, SnmpV2c)
    targets = [node_target(testbed, node, cred) for node in sorted(testbed.inventory["nodes"])]
    fast = poll_with("fast", targets, KINDS)
    reference = poll_with("pysnmp", targets, KINDS)
    assert fast.keys() == reference.keys()
    for node, result in reference.items():
        assert result.completed, f"{node}: the reference poll read nothing: {result.errors}"
        mine = fast[node]
        # counters move between the two polls on a live agent (lldpd talks): compare the rest
        assert record(replace(mine, counters=())) == record(replace(result, counters=())), node
        assert [(c.if_index, c.counter_bits) for c in mine.counters] == \
            [(c.if_index, c.counter_bits) for c in result.counters], node
