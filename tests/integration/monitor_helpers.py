"""Helpers for the monitor's integration tests: seed from the testbed, run the service, wait."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import networkx as nx
from sqlalchemy import Engine

from inventory.db import session_factory
from netops.polling.service import MonitorService
from netops.settings import Settings
from tests.monitor.seed import from_testbed, seed
from tests.monitor.webhook import WebhookReceiver

T = TypeVar("T")
STATUS_INTERVAL_S = 3


def seed_testbed(engine: Engine, inventory: dict[str, Any]) -> None:
    devices, links = from_testbed(inventory)
    with session_factory(engine)() as session:
        seed(session, devices, links)


def fast_settings(settings: Settings, hook_url: str | None = None) -> Settings:
    """SNMP timeout 1 s x 2 tries, status every 3 s, ICMP on, traps off, webhook if given."""
    return dataclasses.replace(
        settings,
        snmp=dataclasses.replace(settings.snmp, timeout_s=1.0, retries=1),
        polling=dataclasses.replace(settings.polling, status_interval_s=STATUS_INTERVAL_S),
        notifications=dataclasses.replace(settings.notifications, urls=(hook_url,) if hook_url else (),
                                          retries=1),
        traps=dataclasses.replace(settings.traps, enabled=False),
    )


@contextmanager
def running_service(settings: Settings, engine: Engine) -> Iterator[tuple[MonitorService, WebhookReceiver]]:
    with WebhookReceiver() as hook:
        service = MonitorService(fast_settings(settings, hook.url), engine, only=("status",))
        service.start()
        try:
            yield service, hook
        finally:
            service.stop()


def wait_for(probe: Callable[[], T | None], timeout_s: float, step_s: float = 0.1) -> T | None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(step_s)
    return None


def sites_behind(inventory: dict[str, Any], failed_nodes: Iterable[str] = (),
                 failed_links: Iterable[tuple[str, str]] = ()) -> list[str]:
    """Sites with no path to the core once the given nodes/links fail (computed independently)."""
    graph = nx.MultiGraph()
    nodes = inventory["nodes"]
    graph.add_nodes_from(nodes)
    cut = {frozenset(pair) for pair in failed_links}
    for link in inventory["links"]:
        a, b = link["a"].split(":")[0], link["b"].split(":")[0]
        if frozenset((a, b)) not in cut:
            graph.add_edge(a, b)
    graph.remove_nodes_from(list(failed_nodes))
    cores = [n for n, node in nodes.items() if node["role"] == "core"]
    alive = set().union(*(nx.node_connected_component(graph, c) for c in cores))
    dead_sites = {nodes[n]["site"] for n in nodes if n not in alive}
    alive_sites = {nodes[n]["site"] for n in alive}
    return sorted(dead_sites - alive_sites)
