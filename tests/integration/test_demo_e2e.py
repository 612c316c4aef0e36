"""End to end: ``netops demo --quiet`` as a user starts it, on free ports with a temporary data
directory: every simulated switch is polled up, every fiber is discovered, a fiber cut through
the control hook opens an outage that closes after the repair, a second demo on the same port
fails cleanly, and Ctrl-C leaves no process behind."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from netops.demo.network import generate

NETOPS = [sys.executable, "-c", "from netops.cli import main; main()"]
pytestmark = pytest.mark.timeout(420)


def free_port(kind: int, address: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind((address, 0))
        return int(sock.getsockname()[1])


class Demo:
    def __init__(self, data_dir: Path) -> None:
        self.web_port = free_port(socket.SOCK_STREAM)
        self.snmp_port = free_port(socket.SOCK_DGRAM, "127.0.100.1")
        self.env = {**os.environ, "NETOPS_DATA_DIR": str(data_dir),
                    "NETOPS_POLLING__STATUS_INTERVAL_S": "10", "NETOPS_POLLING__DISCOVERY_INTERVAL_S": "60",
                    "NETOPS_POLLING__SPREAD": "0.2",
                    "NETOPS_TRAPS__PORT": str(free_port(socket.SOCK_DGRAM))}
        self.data_dir = data_dir
        self.lines: list[str] = []
        self.process: subprocess.Popen[str] | None = None
        self.token = ""

    def start(self) -> None:
        self.process = subprocess.Popen(
            [*NETOPS, "demo", "--quiet", "--port", str(self.web_port), "--snmp-port", str(self.snmp_port)],
            env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()
        wait_for(lambda: any("netops demo is running" in line for line in self.lines), 120,
                 lambda: "demo did not start:\n" + "".join(self.lines[-30:]), self.process)
        self.token = self.cli("token", "create", "admin").stdout.strip().splitlines()[-1]

    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*NETOPS, *args], env=self.env, capture_output=True, text=True, timeout=60,
                              check=check)

    def api(self, path: str) -> Any:
        request = urllib.request.Request(f"http://127.0.0.1:{self.web_port}/api/v1/{path}",
                                         headers={"Authorization": f"Bearer {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def agents_pid(self) -> int:
        return int(json.loads((self.data_dir / "demo" / "demo.json").read_text())["pid"])

    def stop(self) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                return self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
                raise
        return self.process.returncode


def wait_for(check: Callable[[], Any], timeout_s: float, message: Callable[[], str],
             process: subprocess.Popen[str] | None = None) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            break
        try:
            result = check()
        except (OSError, ValueError, KeyError):
            result = None
        if result:
            return result
        time.sleep(1)
    pytest.fail(message())


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    running = Demo(tmp_path_factory.mktemp("demo-e2e") / "var")
    try:
        running.start()
        yield running
    finally:
        if running.process is not None:
            agents = None
            with contextlib.suppress(OSError, ValueError, KeyError):
                agents = running.agents_pid()
            running.stop()
            if agents is not None:
                with pytest.raises(ProcessLookupError):
                    os.kill(agents, 0)


def test_every_simulated_device_is_polled_up(demo):
    expected = {d.name for d in generate(1).devices}

    def all_up() -> bool:
        states = {d["name"]: d["state"] for d in demo.api("devices")}
        return set(states) == expected and all(s == "up" for s in states.values())

    wait_for(all_up, 150, lambda: f"not every device is up: {demo.api('devices')}\n{demo.lines[-20:]}")


def test_every_fiber_is_discovered(demo):
    network = generate(1)
    expected = {frozenset(((lk.a, lk.a_port), (lk.b, lk.b_port))) for lk in network.links}

    def discovered() -> set[frozenset[tuple[str, str]]]:
        return {frozenset(((lk["a_device"], lk["a_port"]), (lk["b_device"], lk["b_port"])))
                for lk in demo.api("links") if lk["source"] in ("lldp", "cdp")}

    wait_for(lambda: expected <= discovered(), 180,
             lambda: f"links missing: {sorted(map(sorted, expected - discovered()))[:5]}")


def test_cut_fiber_opens_an_outage_that_closes_after_repair(demo):
    wait_for(lambda: all(d["state"] == "up" for d in demo.api("devices")), 150, lambda: "devices not up")
    cut = demo.cli("demo", "fault", "cut-link", "dist-utara", "acc-kel-wates")
    assert "cut: dist-utara:" in cut.stdout

    def open_outage() -> dict[str, Any] | None:
        for outage in demo.api("outages?active=true"):
            if "acc-kel-wates" in outage["affected_devices"]:
                return outage
        return None

    try:
        outage = wait_for(open_outage, 120, lambda: f"no outage opened: {demo.api('outages')}")
        assert "acc-smpn2" in outage["affected_devices"], "the school chained behind the office is out too"
        devices = {d["name"]: d["state"] for d in demo.api("devices")}
        assert devices["dist-utara"] == "up"
    finally:
        demo.cli("demo", "fault", "restore-all")

    def closed() -> bool:
        return any(o["id"] == outage["id"] and o["ended_at"] for o in demo.api("outages?active=false"))

    wait_for(closed, 120, lambda: f"outage did not close: {demo.api('outages')}")


def test_second_demo_on_the_same_port_says_busy(demo):
    result = subprocess.run([*NETOPS, "demo", "--quiet", "--port", str(demo.web_port)], env=demo.env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "busy" in result.stderr and "Traceback" not in result.stderr + result.stdout


def test_ctrl_c_stops_everything(tmp_path):
    other = Demo(tmp_path / "var")
    other.start()
    agents = other.agents_pid()
    assert other.stop() == 0
    assert any("demo stopped" in line for line in other.lines)
    with pytest.raises(ProcessLookupError):
        os.kill(agents, 0)
    leftover = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True)
    assert leftover.stdout.strip() == ""
