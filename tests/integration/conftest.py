"""Fixtures for the integration suite: a real testbed of snmpd + lldpd + sshd in namespaces.

One bed per test session (it takes ~3 s to build); tests that break something restore it.
Without root or the agents, every test here skips with the reason.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.integration.testbed import Testbed, bring_up, tear_down, unavailable_reason


@pytest.fixture(scope="session")
def testbed() -> Iterator[Testbed]:
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    prefix = os.environ.get("NETOPS_TEST_TESTBED_PREFIX", f"n{os.getpid() % 10**6}")
    try:
        bed = bring_up(prefix)
    except Exception as exc:
        tear_down(prefix)
        pytest.fail(f"testbed did not come up: {exc}")
    try:
        yield bed
    finally:
        tear_down(prefix)
