"""One netmiko session to one device, with every wait bounded by the poll's deadline.

Settings from ``shared/reading/ssh-testing.md``: ``fast_cli`` on, small connect / banner /
auth timeouts, and ``read_timeout_override`` re-capped to the time left before *each* command,
so no read of netmiko (session preparation and cleanup included) outlives the deadline.
Logout is a bare exit command written to the channel instead of netmiko's cleanup, which waits
for 2 s of silence on Huawei and up to 10 s on a hung device. Host keys follow the target's
policy (``hostkeys.py``). A session log is written only when the target asks for one, with
the login secrets and the platform's mask rules applied.
"""

from __future__ import annotations

import contextlib
import re
import select
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netmiko import BaseConnection, ConnectHandler

from collectors.ssh.hostkeys import netmiko_host_key_options
from collectors.ssh.mask import MaskingSessionLog
from collectors.ssh.platform import Platform
from collectors.targets import Target

MIN_WAIT_S = 0.2
IDLE_WAIT_S = 0.05


class UnsupportedCommand(RuntimeError):
    """The device answered a command with one of the platform's error patterns."""


class EnableFailed(RuntimeError):
    """The device refused privileged (enable) mode."""


@dataclass(frozen=True, slots=True)
class Budget:
    """A monotonic deadline and the waits it still allows."""

    deadline: float

    @classmethod
    def starting_now(cls, seconds: float) -> Budget:
        return cls(time.monotonic() + seconds)

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def cap(self, wanted: float) -> float:
        return max(MIN_WAIT_S, min(wanted, self.remaining()))


def secrets_of(target: Target) -> list[str]:
    creds = target.ssh
    if creds is None:
        return []
    return [s.reveal() for s in (creds.password, creds.key_passphrase, creds.enable_secret) if s]


def _log_path(directory: str, device_key: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", device_key)[:100] or "device"
    Path(directory).mkdir(parents=True, exist_ok=True)
    return str(Path(directory) / f"{safe}.log")


# netmiko drivers whose ANSI stripping only removes ESC sequences (netmiko 4.8 source)
_ESC_ONLY_STRIPPERS = frozenset({"netmiko.base_connection", "netmiko.huawei.huawei"})


def _skip_needless_ansi_stripping(conn: BaseConnection) -> None:
    """Skip netmiko's ~35 regex passes on reads that hold no ESC character.

    netmiko strips ANSI codes on every channel read, empty polls included (about a hundred
    per session); profiling showed this as the largest client CPU cost. The result is the
    same: those drivers only remove sequences that start with ESC.
    """
    strip = conn.strip_ansi_escape_codes
    esc_only = getattr(type(conn).strip_ansi_escape_codes, "__module__", "") in _ESC_ONLY_STRIPPERS

    def fast_strip(text: str) -> str:
        if not text or (esc_only and "\x1b" not in text):
            return text
        return str(strip(text))

    setattr(conn, "strip_ansi_escape_codes", fast_strip)  # noqa: B010 - per-instance override


class _ReadGate:
    """Per-session switch: empty reads wait for data only while a command's output streams."""

    __slots__ = ("waiting",)

    def __init__(self) -> None:
        self.waiting = False


def _wait_for_data_and_detect_eof(conn: BaseConnection, gate: _ReadGate) -> None:
    """A read on a closed channel raises ``EOFError``; during a command an empty read waits.

    netmiko keeps reading a closed channel until its read timeout, so a device dropping the
    session mid-command would look like a slow one; this reports it at once (DISCONNECTED).
    While a command runs, netmiko polls the channel every 25 ms, whatever the device does; an
    empty read then waits on the channel (``select``, woken by the first byte) for up to
    ``IDLE_WAIT_S``, so a slow command costs a few wakeups instead of forty per second. Session
    set-up keeps netmiko's timing, whose silence windows count empty reads.
    """
    read = conn.read_channel

    def read_or_wait() -> str:
        data = str(read())
        channel = getattr(conn, "remote_conn", None)
        if data or channel is None:
            return data
        if getattr(channel, "closed", False):
            raise EOFError("the device closed the SSH session")
        if gate.waiting and hasattr(channel, "fileno"):
            ready, _, _ = select.select([channel], [], [], IDLE_WAIT_S)
            return str(read()) if ready else data
        return data

    setattr(conn, "read_channel", read_or_wait)  # noqa: B010 - per-instance override


class Session:
    """A connected device CLI; ``open`` then ``run`` commands, ``close`` always."""

    def __init__(
        self, target: Target, platform: Platform, budget: Budget, session_log_dir: str | None = None
    ):
        self.target = target
        self.platform = platform
        self.budget = budget
        self.session_log_dir = session_log_dir
        self.conn: BaseConnection | None = None
        self._prompt = ""
        self._gate = _ReadGate()
        self._error_patterns = tuple(re.compile(p, re.MULTILINE) for p in platform.error_patterns)

    def _kwargs(self) -> dict[str, Any]:
        creds = self.target.ssh
        if creds is None:
            raise ValueError("the target has no SSH credentials")
        connect_s = self.budget.cap(self.target.timeouts.ssh_connect_s)
        kwargs: dict[str, Any] = {
            "device_type": self.platform.device_type,
            "host": self.target.host,
            "port": self.target.ssh_port,
            "username": creds.username,
            "password": creds.password.reveal() if creds.password else "",
            "secret": creds.enable_secret.reveal() if creds.enable_secret else "",
            "conn_timeout": connect_s,
            "banner_timeout": connect_s,
            "auth_timeout": connect_s,
            "read_timeout_override": self.budget.cap(self.target.timeouts.ssh_command_s),
            "fast_cli": True,
            "allow_agent": False,
            "auto_connect": False,
            **self.platform.connect,
        }
        if creds.key_file:
            kwargs.update(
                use_keys=True,
                key_file=creds.key_file,
                passphrase=creds.key_passphrase.reveal() if creds.key_passphrase else None,
            )
        if self.target.session_log and self.session_log_dir:
            rules = self.platform.config.mask if self.platform.config else ()
            kwargs["session_log"] = MaskingSessionLog(
                _log_path(self.session_log_dir, self.target.device_key), rules, secrets_of(self.target)
            )
        return kwargs

    def open(self) -> None:
        options, policy = netmiko_host_key_options(self.target.host_key_policy, self.target.known_hosts_path)
        conn = ConnectHandler(**self._kwargs(), **options)
        conn.key_policy = policy
        _skip_needless_ansi_stripping(conn)
        _wait_for_data_and_detect_eof(conn, self._gate)
        self.conn = conn
        conn._open()
        if self.platform.enable:
            self._enable(conn)
        conn.read_timeout_override = self.budget.cap(self.target.timeouts.ssh_command_s)
        with contextlib.suppress(ValueError):  # no prompt found: netmiko looks per command instead
            self._prompt = re.escape(conn.find_prompt().strip())

    def _enable(self, conn: BaseConnection) -> None:
        conn.read_timeout_override = self.budget.cap(self.target.timeouts.ssh_command_s)
        try:
            conn.enable()
        except (ValueError, OSError) as exc:
            raise EnableFailed("the device refused enable mode") from exc

    def run(self, command: str, read_timeout_s: float | None = None) -> str:
        """One command's output; UnsupportedCommand if the device rejected it."""
        conn = self.conn
        if conn is None:
            raise RuntimeError("session is not open")
        timeout = self.budget.cap(read_timeout_s or self.target.timeouts.ssh_command_s)
        conn.read_timeout_override = timeout
        self._gate.waiting = True
        try:
            # the prompt found once after login: netmiko would otherwise look for it before every command
            output = str(
                conn.send_command(
                    command,
                    expect_string=self._prompt or None,
                    read_timeout=timeout,
                    strip_prompt=True,
                    strip_command=True,
                )
            )
        finally:
            self._gate.waiting = False
        head = "\n".join(output.lstrip().splitlines()[:4])
        if any(p.search(head) for p in self._error_patterns):
            raise UnsupportedCommand(f"the device does not know {command!r}")
        return output

    def base_prompt(self) -> str:
        return str(self.conn.base_prompt) if self.conn is not None else ""

    def close(self) -> None:
        """Log out with a bare exit command and drop the connection; never raises."""
        conn, self.conn = self.conn, None
        if conn is None:
            return
        exit_command = self.platform.exit_command

        def fast_cleanup(command: str = "") -> None:
            conn.write_channel(exit_command + conn.RETURN)

        conn.cleanup = fast_cleanup  # type: ignore[method-assign]
        conn.read_timeout_override = MIN_WAIT_S
        with contextlib.suppress(Exception):  # a failing logout must not hide the poll's result
            conn.disconnect()

    def abort(self) -> None:
        """Called from another thread at the deadline: close the transport under netmiko."""
        conn = self.conn
        client = getattr(conn, "remote_conn_pre", None) if conn is not None else None
        if client is not None:
            with contextlib.suppress(Exception):  # best effort from a watchdog
                client.close()
