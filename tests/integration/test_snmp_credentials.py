"""SNMPv2c and SNMPv3 authPriv (SHA/AES-128 and SHA-256/AES-256) on real net-snmp agents;
wrong v3 keys or users are reported as authentication errors, not timeouts."""

from __future__ import annotations

import pytest

from collectors.observations import ErrorKind, PollKind
from collectors.targets import Secret, SnmpV3
from tests.integration.snmp_helpers import node_target, poll, v2c, v3
from tests.integration.testbed import Testbed

pytestmark = pytest.mark.testbed
KINDS = frozenset({PollKind.FACTS, PollKind.INTERFACES, PollKind.NEIGHBORS})
NODE = "dist-tengah"


@pytest.mark.parametrize("label", ["v2c", "netops", "netops256"])
def test_credentials_read_everything(testbed: Testbed, label: str) -> None:
    cred = v2c(testbed) if label == "v2c" else v3(testbed, label)
    result = poll(node_target(testbed, NODE, cred), KINDS)
    assert result.errors == (), result.errors
    assert result.completed == KINDS
    assert result.facts is not None and result.facts.sys_name == NODE
    ports = testbed.inventory["nodes"][NODE]["ports"]
    names = {i.name for i in result.interfaces}
    assert set(ports) <= names
    assert {n.local_port for n in result.neighbors} == set(ports)


@pytest.mark.parametrize("case", ["wrong auth key", "wrong priv key", "unknown user"])
def test_wrong_v3_credentials_are_auth_errors(testbed: Testbed, case: str) -> None:
    good = v3(testbed, "netops")
    if case == "wrong auth key":
        cred = v3(testbed, "netops", auth_key="not-the-auth-key")
    elif case == "wrong priv key":
        cred = SnmpV3(user="netops", auth_protocol=good.auth_protocol, auth_key=good.auth_key,
                      priv_protocol=good.priv_protocol, priv_key=Secret("not-the-priv-key"))
    else:
        cred = SnmpV3(user="nobody-here", auth_protocol=good.auth_protocol, auth_key=good.auth_key,
                      priv_protocol=good.priv_protocol, priv_key=good.priv_key)
    result = poll(node_target(testbed, NODE, cred), KINDS)
    assert not result.completed
    kinds = {e.kind for e in result.errors}
    if case == "wrong priv key":
        # the agent cannot decrypt, so it stays silent (net-snmp sends no report): a timeout
        assert kinds <= {ErrorKind.AUTH, ErrorKind.TIMEOUT}, result.errors
    else:
        assert kinds == {ErrorKind.AUTH}, result.errors
    assert {e.poll_kind for e in result.errors} == KINDS
