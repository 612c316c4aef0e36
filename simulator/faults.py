"""Faults in the simulated network: cut or repair a fiber, fail or restore a switch.

``apply_command`` is the one entry point, used both by the control hook (tests and
``netops demo fault ...``) and by ``chaos_loop``, which every few minutes (seeded, so a run
is reproducible) cuts a fiber or fails a switch and restores it after a while, so outages,
root causes and notifications can be watched. ``--quiet`` simply does not start the loop.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass

from simulator.network import CORE, DemoNetwork
from simulator.state import PortChange, SimState

log = logging.getLogger(__name__)

ACTIONS = ("cut-link", "restore-link", "fail-device", "restore-device", "restore-all")


class FaultError(ValueError):
    """A fault command names an unknown device or fiber, or an unknown action."""


@dataclass(frozen=True, slots=True)
class FaultCommand:
    action: str
    a: str = ""
    b: str = ""

    def describe(self) -> str:
        return " ".join(x for x in (self.action, self.a, self.b) if x)


def _link_index(network: DemoNetwork, a: str, b: str) -> int:
    try:
        link = network.find_link(a, b)
    except KeyError as exc:
        raise FaultError(str(exc.args[0])) from exc
    return network.links.index(link)


def _device(network: DemoNetwork, name: str) -> str:
    try:
        return network.device(name).name
    except KeyError as exc:
        raise FaultError(str(exc.args[0])) from exc


def apply_command(state: SimState, command: FaultCommand) -> list[PortChange]:
    """Apply one fault command; the port changes it caused (for traps and logs)."""
    net = state.network
    if command.action == "cut-link":
        return state.cut_link(_link_index(net, command.a, command.b))
    if command.action == "restore-link":
        return state.restore_link(_link_index(net, command.a, command.b))
    if command.action == "fail-device":
        return state.fail_device(_device(net, command.a))
    if command.action == "restore-device":
        return state.restore_device(_device(net, command.a))
    if command.action == "restore-all":
        changes: list[PortChange] = []
        for name in sorted(state.failed):
            changes += state.restore_device(name)
        for index in sorted(state.cut):
            changes += state.restore_link(index)
        return changes
    raise FaultError(f"unknown fault action {command.action!r} (one of {', '.join(ACTIONS)})")


def active_faults(state: SimState) -> dict[str, list[str]]:
    """What is broken now, in the words of the fault commands."""
    links = [state.network.links[i] for i in sorted(state.cut)]
    return {"cut_links": [f"{lk.a}:{lk.a_port} {lk.b}:{lk.b_port}" for lk in links],
            "failed_devices": sorted(state.failed)}


def pick_fault(state: SimState, rng: random.Random) -> tuple[FaultCommand, FaultCommand] | None:
    """A fault to inject and the command that undoes it, avoiding what is already broken."""
    net = state.network
    if rng.random() < 0.3:
        candidates = [d.name for d in net.devices if d.name != CORE and d.name not in state.failed]
        if candidates:
            name = rng.choice(candidates)
            return FaultCommand("fail-device", name), FaultCommand("restore-device", name)
    links = [i for i in range(len(net.links)) if i not in state.cut]
    if not links:
        return None
    link = net.links[rng.choice(links)]
    a, b = f"{link.a}:{link.a_port}", f"{link.b}:{link.b_port}"
    return FaultCommand("cut-link", a, b), FaultCommand("restore-link", a, b)


async def chaos_loop(state: SimState, on_changes: Callable[[FaultCommand, list[PortChange]], None],
                     seed: int = 1, every_s: float = 180.0,
                     hold_s: tuple[float, float] = (60.0, 150.0)) -> None:
    """Forever: wait, break something, wait, repair it (cancel the task to stop)."""
    rng = random.Random(seed)
    while True:
        await asyncio.sleep(every_s * rng.uniform(0.7, 1.3))
        picked = pick_fault(state, rng)
        if picked is None:
            continue
        fault, repair = picked
        on_changes(fault, apply_command(state, fault))
        await asyncio.sleep(rng.uniform(*hold_s))
        try:
            on_changes(repair, apply_command(state, repair))
        except FaultError as exc:  # already repaired by hand
            log.info("demo: %s", exc)
