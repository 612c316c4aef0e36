"""A thin driver for ``../shared/testbed/testbed``: bring a bed up, break and repair it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
TESTBED_DIR = SHARED / "testbed"
TESTBED = TESTBED_DIR / "testbed"
MAGELANG = TESTBED_DIR / "magelang.json"


def unavailable_reason() -> str | None:
    """Why the testbed cannot run here, or None when it can."""
    if not TESTBED.exists():
        return f"testbed not found at {TESTBED}"
    if os.geteuid() != 0:
        return "the testbed needs root (network namespaces)"
    for binary in ("/usr/sbin/snmpd", "/usr/sbin/lldpd", "/usr/sbin/sshd"):
        if not os.path.exists(binary):
            return f"{binary} missing (apt-get install snmpd snmp lldpd openssh-server)"
    if not shutil.which("ip"):
        return "iproute2 missing"
    return None


@dataclass
class Testbed:
    prefix: str
    inventory: dict[str, Any]
    # a fault was made or repaired since the last verify: LLDP may not have re-learned yet
    unsettled: bool = False

    def run(self, *args: str, check: bool = True) -> str:
        if args and args[0] in {"fail-link", "restore-link", "fail-node", "restore-node", "degrade-node"}:
            self.unsettled = True
        proc = subprocess.run(
            [str(TESTBED), *args, "--prefix", self.prefix],
            capture_output=True, text=True, check=False, timeout=180,
        )
        if check and proc.returncode != 0:
            detail = proc.stderr.strip() or proc.stdout.strip()
            raise RuntimeError(f"testbed {' '.join(args)} failed: {detail}")
        return proc.stdout

    def address(self, node: str) -> str:
        return str(self.inventory["nodes"][node]["mgmt_address"])

    def fail_link(self, a: str, b: str, *extra: str) -> None:
        self.run("fail-link", a, b, *extra)

    def restore_link(self, a: str, b: str) -> None:
        self.run("restore-link", a, b)

    def fail_node(self, node: str, mode: str = "power") -> None:
        self.run("fail-node", node, "--mode", mode)

    def restore_node(self, node: str) -> None:
        self.run("restore-node", node)

    def degrade_node(self, node: str, loss_pct: int) -> None:
        """Drop ``loss_pct`` % of the packets reaching ``node`` (nftables in its namespace); 0 clears."""
        self.run("degrade-node", node, "--loss", str(loss_pct))

    def verify(self, timeout_s: int = 30) -> None:
        self.run("verify", "--timeout", str(timeout_s))
        self.unsettled = False

    def settle(self, timeout_s: int = 60) -> None:
        """Wait until every node answers and LLDP lists exactly its fibers again, if an earlier
        test broke and repaired something; a test that reads whole LLDP tables starts with it, so
        it does not depend on how fast a busy machine re-learned a repaired fiber."""
        if self.unsettled:
            self.verify(timeout_s)

    def status(self) -> dict[str, Any]:
        return dict(json.loads(self.run("status", "--json")))


def bring_up(prefix: str, topology: Path = MAGELANG, *extra: str) -> Testbed:
    subprocess.run([str(TESTBED), "up", str(topology), "--prefix", prefix, *extra],
                   check=True, capture_output=True, text=True, timeout=240)
    out = subprocess.check_output([str(TESTBED), "inventory", "--prefix", prefix], text=True)
    return Testbed(prefix=prefix, inventory=json.loads(out))


def tear_down(prefix: str) -> None:
    subprocess.run([str(TESTBED), "down", "--prefix", prefix], check=False, capture_output=True, timeout=120)
