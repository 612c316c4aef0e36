"""``netops demo --real``: the same demo on real network software instead of simulated agents.

Uses ``shared/testbed`` (next to this repository, or ``NETOPS_TESTBED``): every switch is a
network namespace running net-snmp ``snmpd`` + ``lldpd``; fiber cuts and switch failures are
the testbed's ``fail-link`` / ``fail-node`` (carrier really lost, agents really killed). Needs
root. The fault commands of the control hook are translated to testbed commands, and the
bookkeeping ``SimState`` keeps track of what is broken so ``restore-all`` and the automatic
faults work as in the simulated demo.
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from simulator import control
from simulator.faults import FaultCommand, FaultError, active_faults, apply_command, pick_fault
from simulator.network import DemoNetwork
from simulator.state import PortChange, SimState

log = logging.getLogger(__name__)

DEFAULT_TESTBED = Path(__file__).resolve().parents[1].parent / "shared" / "testbed" / "testbed"


def testbed_path() -> Path:
    return Path(os.environ.get("NETOPS_TESTBED", str(DEFAULT_TESTBED)))


def topology_path(topology: str | None) -> Path:
    return Path(topology) if topology else testbed_path().parent / "magelang.json"


def unavailable_reason() -> str | None:
    """Why ``--real`` cannot run here, or None."""
    if not testbed_path().exists():
        return f"the testbed was not found at {testbed_path()} (set NETOPS_TESTBED)"
    if os.geteuid() != 0:
        return "--real needs root (network namespaces); run the simulated demo without --real"
    for binary in ("/usr/sbin/snmpd", "/usr/sbin/lldpd"):
        if not os.path.exists(binary):
            return f"{binary} is missing (apt-get install snmpd snmp lldpd)"
    if not shutil.which("ip"):
        return "iproute2 is missing"
    return None


class RealBed:
    """One testbed (by prefix) driven through its command line."""

    def __init__(self, prefix: str, topology: Path) -> None:
        self.prefix, self.topology = prefix, topology
        self.inventory: dict[str, Any] = {}

    def _run(self, *args: str, timeout: float = 240) -> str:
        # netops runs with umask 077; the testbed's daemons (lldpd drops to its own user) must
        # read the configs it writes, so it gets the usual umask back.
        proc = subprocess.run([str(testbed_path()), *args, "--prefix", self.prefix],
                              capture_output=True, text=True, timeout=timeout, check=False,
                              umask=0o022)
        if proc.returncode != 0:
            message = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-1:] or ["failed"]
            raise RuntimeError(f"testbed {args[0]}: {message[0]}")
        return proc.stdout

    def up(self, trap_port: int | None) -> dict[str, Any]:
        extra = ["--trap-sink", str(trap_port)] if trap_port else []
        self._run("up", str(self.topology), *extra)
        self.inventory = json.loads(self._run("inventory"))
        return self.inventory

    def down(self) -> None:
        self._run("down", timeout=120)

    def address(self, node: str) -> str:
        return str(self.inventory["nodes"][node]["mgmt_address"])

    def execute(self, state: SimState, command: FaultCommand) -> list[PortChange]:
        """Apply ``command`` to the bed and to the bookkeeping state."""
        before_cut, before_failed = set(state.cut), set(state.failed)
        changes = apply_command(state, command)  # raises FaultError for unknown names
        net = state.network
        for index in sorted(state.cut - before_cut):
            link = net.links[index]
            self._run("fail-link", f"{link.a}:{link.a_port}", f"{link.b}:{link.b_port}")
        for index in sorted(before_cut - state.cut):
            link = net.links[index]
            self._run("restore-link", f"{link.a}:{link.a_port}", f"{link.b}:{link.b_port}")
        for node in sorted(state.failed - before_failed):
            self._run("fail-node", node)
        for node in sorted(before_failed - state.failed):
            self._run("restore-node", node)
        return changes


def real_network(network: DemoNetwork, bed: RealBed) -> DemoNetwork:
    """The topology's network with the bed's management addresses."""
    return replace(network, devices=tuple(replace(d, address=bed.address(d.name)) for d in network.devices))


class RealController:
    """The control hook and the automatic faults for a bed, in two threads of the runner."""

    def __init__(self, bed: RealBed, network: DemoNetwork, directory: Path, seed: int) -> None:
        self.bed, self.directory, self.seed = bed, directory, seed
        self.state = SimState(network, seed=seed)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def status(self) -> dict[str, Any]:
        return {"pid": os.getpid(), "snmp_port": 161, "community": self.bed.inventory["snmp"]["community"],
                "devices": {d.name: d.address for d in self.state.network.devices}, "updated": time.time(),
                "testbed": self.bed.prefix, **active_faults(self.state)}

    def handle(self, command: FaultCommand) -> dict[str, Any]:
        with self.lock:
            try:
                changes = self.bed.execute(self.state, command)
            except (FaultError, RuntimeError) as exc:
                return {"ok": False, "message": str(exc)}
            control.write_status(self.directory, self.status())
        log.info("demo fault (testbed %s): %s", self.bed.prefix, command.describe())
        return {"ok": True, "message": f"{command.describe()}: {len(changes)} ports changed",
                **active_faults(self.state)}

    def _serve(self) -> None:
        while not self.stopping.wait(0.2):
            control.process_requests(self.directory, self.handle)

    def _chaos(self, every_s: float) -> None:
        rng = random.Random(self.seed)
        while not self.stopping.wait(every_s * rng.uniform(0.7, 1.3)):
            with self.lock:
                picked = pick_fault(self.state, rng)
            if picked is None:
                continue
            self.handle(picked[0])
            if self.stopping.wait(rng.uniform(60.0, 150.0)):
                return
            self.handle(picked[1])

    def start(self, quiet: bool, every_s: float) -> None:
        control.write_status(self.directory, self.status())
        targets: list[Callable[[], None]] = [self._serve]
        if not quiet:
            targets.append(lambda: self._chaos(every_s))
        for target in targets:
            thread = threading.Thread(target=target, name="demo-real", daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(5)
        (self.directory / control.STATUS_FILE).unlink(missing_ok=True)
