"""A small SSH server (paramiko) that misbehaves on purpose, for the collector's failure tests.

Modes, one per server on a kernel-chosen loopback port:

- ``silent``: accepts TCP and never sends the SSH banner;
- ``slowauth``: completes key exchange, never answers the password;
- ``noprompt``: logs in, opens a shell, never prints a prompt;
- ``device``: an instant Cisco-like CLI (prompt ``hostile#``) that answers every command with
  nothing, except the commands in ``hang_on`` in the middle of which it stops answering, and
  those in ``drop_on`` on which it closes the connection;
- ``backlog``: listens with a backlog of 0 and never accepts; ``start`` fills the queue, so a
  further SYN is dropped as by an overloaded device.

``rotate_host_key()`` makes the next sessions present a different host key (a replaced or
spoofed device). ``stop()`` ends every thread and socket it started.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterable

import paramiko

PASSWORD = "hostile-pw"
USERNAME = "netops"
PROMPT = "hostile#"
SHOW_INTERFACES = (
    "GigabitEthernet1/0/1 is up, line protocol is up (connected)\n"
    "  Hardware is Gigabit Ethernet, address is 0011.2233.4401 (bia 0011.2233.4401)\n"
    "  MTU 1500 bytes, BW 1000000 Kbit/sec, DLY 10 usec,\n"
)
SHOW_VERSION = (
    "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(7)E4, RELEASE SOFTWARE (fc2)\n"
    "ROM: Bootstrap program is C2960X boot loader\n"
    "hostile uptime is 1 week, 2 days, 3 hours, 4 minutes\n"
    'System image file is "flash:c2960x-universalk9-mz.152-7.E4.bin"\n\n'
    "cisco WS-C2960X-24TS-L (APM86XXX) processor (revision B0) with 524288K bytes of memory.\n"
    "Processor board ID FOC1234X0AB\n\nConfiguration register is 0xF\n"
)


class _Server(paramiko.ServerInterface):
    def __init__(self, owner: HostileServer) -> None:
        self.owner = owner

    def get_allowed_auths(self, username: str) -> str:
        return "password"

    def check_auth_password(self, username: str, password: str) -> int:
        if self.owner.mode == "slowauth":
            self.owner.stopping.wait(120)
            return paramiko.AUTH_FAILED
        ok = username == USERNAME and password == PASSWORD
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_channel_request(self, kind: str, chanid: int) -> int:
        return (
            paramiko.OPEN_SUCCEEDED if kind == "session" else paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED
        )

    def check_channel_pty_request(self, *args: object) -> bool:
        return True

    def check_channel_shell_request(self, channel: paramiko.Channel) -> bool:
        threading.Thread(target=self.owner._shell, args=(channel,), daemon=True).start()
        return True


class HostileServer:
    """One misbehaving SSH server; ``with HostileServer("hang") as s: s.port``."""

    def __init__(
        self,
        mode: str,
        hang_on: Iterable[str] = ("show interfaces",),
        outputs: dict[str, str] | None = None,
        drop_on: Iterable[str] = (),
    ) -> None:
        if mode not in ("silent", "slowauth", "noprompt", "device", "backlog"):
            raise ValueError(f"unknown mode {mode!r}")
        self.mode = mode
        self.hang_on = tuple(hang_on)
        self.outputs = {"show version": SHOW_VERSION, "show interfaces": SHOW_INTERFACES, **(outputs or {})}
        self.drop_on = tuple(drop_on)
        self.host_key = paramiko.ECDSAKey.generate()
        self.stopping = threading.Event()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        self._open: list[socket.socket | paramiko.Transport] = []
        self._lock = threading.Lock()

    def __enter__(self) -> HostileServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        if self.mode == "backlog":
            self.sock.listen(0)
            self._fill_backlog()
            return
        self.sock.listen(64)
        threading.Thread(target=self._accept_loop, daemon=True).start()

    def rotate_host_key(self) -> None:
        self.host_key = paramiko.ECDSAKey.generate()

    def stop(self) -> None:
        self.stopping.set()
        with contextlib.suppress(OSError):
            self.sock.close()
        with self._lock:
            items, self._open = self._open, []
        for item in items:
            with contextlib.suppress(Exception):
                item.close()

    def _keep(self, item: socket.socket | paramiko.Transport) -> None:
        with self._lock:
            self._open.append(item)

    def _fill_backlog(self) -> None:
        """Connect until the accept queue is full (a connect no longer completes at once)."""
        for _ in range(16):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.settimeout(0.3)
            try:
                filler.connect(("127.0.0.1", self.port))
            except OSError:
                filler.close()
                return
            self._keep(filler)

    def _accept_loop(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self._keep(conn)
            if self.mode != "silent":
                threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        transport = paramiko.Transport(conn)
        self._keep(transport)
        transport.add_server_key(self.host_key)
        with contextlib.suppress(Exception):
            transport.start_server(server=_Server(self))

    def _shell(self, channel: paramiko.Channel) -> None:
        if self.mode == "noprompt":
            self.stopping.wait(120)
            return
        with contextlib.suppress(Exception):
            channel.send(f"\r\n{PROMPT}".encode())
            buffer = ""
            while not self.stopping.is_set():
                data = channel.recv(1024)
                if not data:
                    return
                buffer += data.decode(errors="replace")
                while "\n" in buffer.replace("\r", "\n"):
                    line, buffer = _split_line(buffer)
                    if not self._answer(channel, line.strip()):
                        return

    def _answer(self, channel: paramiko.Channel, command: str) -> bool:
        channel.send(f"{command}\r\n".encode())
        if any(command.startswith(d) for d in self.drop_on):
            channel.get_transport().close()  # the device reboots or kills the session mid-command
            return False
        if any(command.startswith(h) for h in self.hang_on):
            channel.send(b"Output begins, then nothing more\r\n")
            self.stopping.wait(120)
            return False
        if command in ("exit", "quit", "logout"):
            channel.close()
            return False
        output = self.outputs.get(command, "")
        channel.send(f"{output.replace(chr(10), chr(13) + chr(10))}{PROMPT}".encode())
        return True


def _split_line(buffer: str) -> tuple[str, str]:
    for index, ch in enumerate(buffer):
        if ch in "\r\n":
            rest = buffer[index + 1 :]
            if ch == "\r" and rest.startswith("\n"):
                rest = rest[1:]
            return buffer[:index], rest
    return buffer, ""
