"""One table from SSH/netmiko exceptions to ``ErrorKind`` and a sentence an operator can act on.

netmiko's exception classes are coarse (a refused port, a silent banner and a changed host key
are all ``NetmikoTimeoutException``), so the cause chain is inspected for the paramiko or
socket exception underneath, as measured in ``shared/reading/ssh-testing.md`` section 3.
"""

from __future__ import annotations

import errno
import socket

import paramiko
from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException, ReadTimeout

from collectors.observations import ErrorKind
from collectors.ssh.hostkeys import HostKeyPolicyError


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _refused(exc: BaseException) -> bool:
    if isinstance(exc, paramiko.ssh_exception.NoValidConnectionsError):
        return all(e is None or getattr(e, "errno", None) == errno.ECONNREFUSED for e in exc.errors.values())
    return isinstance(exc, ConnectionRefusedError)


def classify(exc: BaseException) -> tuple[ErrorKind, str]:
    """The error kind and a short operator sentence for an exception from a session."""
    chain = _chain(exc)
    for cause in chain:
        if isinstance(cause, paramiko.BadHostKeyException):
            return (
                ErrorKind.HOST_KEY,
                "the device's SSH host key changed since it was recorded; check the device",
            )
        if isinstance(cause, HostKeyPolicyError):
            return ErrorKind.HOST_KEY, str(cause)
        if isinstance(cause, paramiko.SSHException) and "not found in known_hosts" in str(cause):
            return ErrorKind.HOST_KEY, "the device's SSH host key is not in known_hosts (strict policy)"
        if _refused(cause):
            return ErrorKind.REFUSED, "the device refused the SSH connection (port closed or SSH disabled)"
        if isinstance(cause, OSError) and cause.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
            return ErrorKind.UNREACHABLE, "no route to the device"
    if isinstance(exc, NetmikoAuthenticationException):
        if str(exc).rstrip().endswith("Authentication timeout."):
            return ErrorKind.TIMEOUT, "the device did not finish SSH authentication in time"
        return ErrorKind.AUTH, "the device rejected the SSH username, password or key"
    if isinstance(exc, ReadTimeout | TimeoutError | socket.timeout):
        return ErrorKind.TIMEOUT, "the device stopped answering in the middle of the session"
    if isinstance(exc, NetmikoTimeoutException):
        if any(isinstance(c, EOFError | ConnectionResetError) for c in chain) or "reset" in str(exc).lower():
            return ErrorKind.DISCONNECTED, "the device closed the SSH connection"
        return ErrorKind.TIMEOUT, "the device did not complete the SSH connection in time"
    if isinstance(exc, EOFError | ConnectionResetError | BrokenPipeError | OSError):
        return ErrorKind.DISCONNECTED, "the SSH connection was closed during the session"
    return ErrorKind.INTERNAL, f"unexpected {type(exc).__name__} during the SSH session"
