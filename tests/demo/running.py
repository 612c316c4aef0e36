"""A ``netops demo`` subprocess as a user starts it, for the end-to-end and browser tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

NETOPS = [sys.executable, "-c", "from cli import main; main()"]


def free_port(kind: int, address: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind((address, 0))
        return int(sock.getsockname()[1])


class Demo:
    def __init__(self, data_dir: Path) -> None:
        self.web_port = free_port(socket.SOCK_STREAM)
        self.snmp_port = free_port(socket.SOCK_DGRAM, "127.0.100.1")
        self.env = {**os.environ, "NETOPS_DATA_DIR": str(data_dir),
                    "NETOPS_POLLING__STATUS_INTERVAL_S": "20",
                    "NETOPS_TRAPS__PORT": str(free_port(socket.SOCK_DGRAM))}
        self.data_dir = data_dir
        self.lines: list[str] = []
        self.process: subprocess.Popen[str] | None = None
        self.token = ""

    def start(self, *command: str) -> None:
        self.launch(*command)
        self.wait_ready()

    def launch(self, *command: str) -> None:
        """Start the demo process and return at once (``wait_ready`` waits for it)."""
        command = command or ("demo", "--quiet")
        self.process = subprocess.Popen(
            [*NETOPS, *command, "--port", str(self.web_port), "--snmp-port", str(self.snmp_port)],
            env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def wait_ready(self) -> None:
        if self.token:
            return
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
