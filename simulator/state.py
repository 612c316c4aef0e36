"""The mutable state of the simulated network: fibers cut, switches failed, counters moving.

Traffic follows a daily curve (busy office hours in WIB, quiet nights) plus a slow ripple,
integrated in closed form so counters are monotonic and cheap to read at any instant. A port
that goes down freezes its counters; a switch that comes back from a failure has rebooted
(sysUpTime and its counters restart from zero), as real ones do. Every change bumps the
``version`` of the devices it touches, so agents rebuild only those MIB views.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from simulator.network import DemoNetwork, DemoPort

DAY = 86400.0
PEAK_UTC_S = 3 * 3600.0  # 10:00 WIB
PKT_BYTES = 760


@dataclass(frozen=True, slots=True)
class PortChange:
    device: str
    port: DemoPort
    up: bool


@dataclass(slots=True)
class Flow:
    """Octets of one direction of one port: a smooth rate integrated from ``since``."""

    mean_bps: float
    phase: float
    since: float
    accum: float = 0.0
    running: bool = True

    def _integral(self, t: float) -> float:
        swing = 0.7 * DAY / (2 * math.pi) * math.cos(2 * math.pi * (t - PEAK_UTC_S + DAY / 4) / DAY)
        ripple = 0.1 * 420 / (2 * math.pi) * math.cos(2 * math.pi * t / 420 + self.phase)
        return self.mean_bps / 8 * (t - swing - ripple)

    def octets(self, t: float) -> int:
        if not self.running:
            return int(self.accum)
        return int(self.accum + self._integral(t) - self._integral(self.since))

    def stop(self, t: float) -> None:
        if self.running:
            self.accum = float(self.octets(t))
            self.running = False

    def start(self, t: float, reset: bool = False) -> None:
        self.accum = 0.0 if reset else float(self.octets(t)) if self.running else self.accum
        self.since, self.running = t, True


@dataclass(slots=True)
class PortCounters:
    rx: Flow
    tx: Flow
    error_ratio: float

    def errors(self, t: float) -> int:
        return int(self.rx.octets(t) / PKT_BYTES * self.error_ratio)


@dataclass
class SimState:
    network: DemoNetwork
    clock: Callable[[], float] = time.time
    seed: int = 1
    cut: set[int] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    boot: dict[str, float] = field(default_factory=dict)
    changed: dict[tuple[str, int], float] = field(default_factory=dict)
    counters: dict[tuple[str, int], PortCounters] = field(default_factory=dict)
    version: dict[str, int] = field(default_factory=dict)
    peers: dict[tuple[str, str], int] = field(default_factory=dict)
    reachable: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        now = self.clock()
        for i, link in enumerate(self.network.links):
            self.peers[(link.a, link.a_port)] = i
            self.peers[(link.b, link.b_port)] = i
        for dev in self.network.devices:
            self.boot[dev.name] = now - rng.uniform(3, 90) * DAY
            self.version[dev.name] = 0
            for port in dev.ports:
                self.changed[(dev.name, port.if_index)] = self.boot[dev.name] + rng.uniform(60, 600)
                self.counters[(dev.name, port.if_index)] = self._new_counters(rng, dev.role, port, now)
        self._update_reachable()

    def _new_counters(self, rng: random.Random, role: str, port: DemoPort, now: float) -> PortCounters:
        scale = {"core": 0.12, "distribution": 0.08}.get(role, 0.03) if port.fiber else 0.004
        mean = port.speed_mbps * 1e6 * scale * rng.uniform(0.4, 1.6)
        since = now - rng.uniform(1, 60) * DAY
        ratio = rng.choice((0.0,) * 12 + (2e-6, 1e-5))
        counters = PortCounters(Flow(mean, rng.uniform(0, 6.28), since), Flow(mean * rng.uniform(0.2, 0.6),
                                rng.uniform(0, 6.28), since), ratio)
        if not (port.fiber or port.local_up) or port.virtual:
            counters.rx.stop(since)
            counters.tx.stop(since)
        return counters

    # ------------------------------------------------------------ reading

    def now(self) -> float:
        return self.clock()

    def answers(self, device: str) -> bool:
        """Managed in-band: a switch answers only while a path of working fibers leads to the core."""
        return device in self.reachable

    def _update_reachable(self) -> None:
        devices = self.network.devices
        root = next((d.name for d in devices if d.role == "core"), devices[0].name if devices else "")
        seen = set() if root in self.failed else {root}
        todo = list(seen)
        while todo:
            here = todo.pop()
            for index, link in enumerate(self.network.links):
                if here in (link.a, link.b) and self.link_up(index):
                    there = link.b if link.a == here else link.a
                    if there not in seen:
                        seen.add(there)
                        todo.append(there)
        self.reachable = seen

    def link_up(self, index: int) -> bool:
        link = self.network.links[index]
        return index not in self.cut and link.a not in self.failed and link.b not in self.failed

    def oper_up(self, device: str, port: DemoPort) -> bool:
        if not port.admin_up:
            return False
        index = self.peers.get((device, port.name))
        return self.link_up(index) if index is not None else port.local_up

    def uptime_s(self, device: str) -> float:
        return max(0.0, self.clock() - self.boot[device])

    # ------------------------------------------------------------ changing

    def _port_states(self, devices: set[str]) -> dict[tuple[str, int], bool]:
        out = {}
        for name in devices:
            dev = self.network.device(name)
            for port in dev.ports:
                out[(name, port.if_index)] = self.oper_up(name, port)
        return out

    def _apply(self, touched: set[str], change: Callable[[], None]) -> list[PortChange]:
        before = self._port_states(touched)
        change()
        self._update_reachable()
        after = self._port_states(touched)
        now = self.clock()
        changes = []
        for (name, if_index), up in after.items():
            if up != before[(name, if_index)]:
                port = self.network.device(name).ports_by_index()[if_index]
                self.changed[(name, if_index)] = now
                counters = self.counters[(name, if_index)]
                for flow in (counters.rx, counters.tx):
                    flow.start(now) if up else flow.stop(now)
                changes.append(PortChange(name, port, up))
        for name in touched:
            self.version[name] += 1
        return changes

    def cut_link(self, index: int) -> list[PortChange]:
        link = self.network.links[index]
        return self._apply({link.a, link.b}, lambda: self.cut.add(index))

    def restore_link(self, index: int) -> list[PortChange]:
        link = self.network.links[index]
        return self._apply({link.a, link.b}, lambda: self.cut.discard(index))

    def _neighbours(self, device: str) -> set[str]:
        return {device} | {lk.b if lk.a == device else lk.a for lk in self.network.links_of(device)}

    def fail_device(self, device: str) -> list[PortChange]:
        return self._apply(self._neighbours(device), lambda: self.failed.add(device))

    def restore_device(self, device: str) -> list[PortChange]:
        """Power comes back: the switch reboots (uptime and its counters restart)."""
        def reboot() -> None:
            self.failed.discard(device)
            now = self.clock()
            self.boot[device] = now
            for port in self.network.device(device).ports:
                self.changed[(device, port.if_index)] = now
                counters = self.counters[(device, port.if_index)]
                for flow in (counters.rx, counters.tx):
                    flow.start(now, reset=True)
                    if not self.oper_up(device, port) or (port.virtual and not port.local_up):
                        flow.stop(now)
        return self._apply(self._neighbours(device), reboot)
