"""A running demo agent process (``python -m simulator.process``) on a free UDP port."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from simulator.network import DemoNetwork, generate

BASE = "127.0.100.0"


def free_udp_port(address: str = "127.0.100.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((address, 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningAgents:
    network: DemoNetwork
    port: int
    state_dir: Path
    process: subprocess.Popen[bytes]
    trap_port: int

    def address(self, device: str) -> str:
        return self.network.device(device).address

    def endpoint(self, device: str) -> str:
        return f"{self.address(device)}:{self.port}"


def start_agents(state_dir: Path, *extra: str) -> tuple[subprocess.Popen[bytes], int, int]:
    port, trap_port = free_udp_port(), free_udp_port("127.0.0.1")
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator.process", "--state-dir", str(state_dir), "--snmp-port", str(port),
         "--base", BASE, "--trap-port", str(trap_port), *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if (state_dir / "demo.json").exists() and json.loads((state_dir / "demo.json").read_text())["pid"]:
            return process, port, trap_port
        if process.poll() is not None:
            err = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"demo agents exited: {err}")
        time.sleep(0.05)
    stop(process)
    raise RuntimeError("demo agents did not start within 20 s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(5)


@pytest.fixture(scope="module")
def agents(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAgents]:
    state_dir = tmp_path_factory.mktemp("demo") / "demo"
    process, port, trap_port = start_agents(state_dir, "--quiet")
    try:
        yield RunningAgents(generate(1), port, state_dir, process, trap_port)
    finally:
        stop(process)
