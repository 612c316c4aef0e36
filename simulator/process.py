"""The demo's agent process: SNMP agents + fault loop + control hook in one asyncio loop.

Run by ``netops demo`` as a child process (``python -m simulator.process ...``) so the
simulated switches never compete with the poller for the same interpreter. It exits on
SIGTERM/SIGINT, and also by itself when its parent disappears, so no agent outlives a demo.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from simulator import control
from simulator.agent import AgentError, AgentServer
from simulator.faults import FaultCommand, FaultError, active_faults, apply_command, chaos_loop
from simulator.network import DEFAULT_BASE, DemoNetwork, generate
from simulator.state import PortChange, SimState
from simulator.topofile import TopologyError, load_topology

log = logging.getLogger("simulator")


def build_network(topology: str | None, seed: int, base: str = DEFAULT_BASE) -> DemoNetwork:
    return load_topology(topology, base) if topology else generate(seed, base)


class DemoService:
    def __init__(self, network: DemoNetwork, directory: Path, port: int, seed: int = 1,
                 trap_target: tuple[str, int] | None = None) -> None:
        self.state = SimState(network, seed=seed)
        self.agents = AgentServer(self.state, port=port, trap_target=trap_target)
        self.directory, self.seed = directory, seed

    def status(self) -> dict[str, Any]:
        return {"pid": os.getpid(), "snmp_port": self.agents.port, "community": self.agents.community,
                "devices": {d.name: d.address for d in self.state.network.devices},
                "updated": time.time(), **active_faults(self.state),
                "requests": self.agents.stats.requests, "varbinds": self.agents.stats.varbinds}

    def changed(self, command: FaultCommand, changes: list[PortChange]) -> None:
        log.info("demo fault: %s (%d ports changed)", command.describe(), len(changes))
        self.agents.send_traps(changes)
        control.write_status(self.directory, self.status())

    def handle(self, command: FaultCommand) -> dict[str, Any]:
        try:
            changes = apply_command(self.state, command)
        except FaultError as exc:
            return {"ok": False, "message": str(exc)}
        self.changed(command, changes)
        return {"ok": True, "message": f"{command.describe()}: {len(changes)} ports changed",
                **active_faults(self.state)}

    async def run(self, quiet: bool, every_s: float) -> None:
        await self.agents.start()
        control.write_status(self.directory, self.status())
        tasks = []
        if not quiet:
            tasks.append(asyncio.create_task(chaos_loop(self.state, self.changed, self.seed, every_s)))
        parent = os.getppid()
        try:
            while os.getppid() == parent:
                control.process_requests(self.directory, self.handle)
                await asyncio.sleep(0.2)
        finally:
            for task in tasks:
                task.cancel()
            self.agents.close()
            (self.directory / control.STATUS_FILE).unlink(missing_ok=True)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="netops-demo-agents", description=__doc__)
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--snmp-port", type=int, default=16161)
    parser.add_argument("--topology")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--base", default=DEFAULT_BASE)
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--every", type=float, default=180.0, help="mean seconds between faults")
    parser.add_argument("--trap-port", type=int, default=0, help="send linkDown/linkUp to 127.0.0.1:PORT")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        network = build_network(args.topology, args.seed, args.base)
    except TopologyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    service = DemoService(network, Path(args.state_dir), args.snmp_port, args.seed,
                          ("127.0.0.1", args.trap_port) if args.trap_port else None)

    async def run() -> None:
        task = asyncio.create_task(service.run(args.quiet, args.every))
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task

    try:
        asyncio.run(run())
    except AgentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
