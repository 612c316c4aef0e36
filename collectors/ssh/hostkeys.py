"""Trust on first use for SSH host keys, in an OpenSSH-format known_hosts file.

``host_key_policy`` per target: ``strict`` (the key must already be in the file),
``accept-new`` (record an unknown key on first contact, refuse a changed one; the default) or
``ignore`` (accept anything, record nothing; for labs). A changed key is always refused by
paramiko once the file holds the host (``BadHostKeyException`` -> ``ErrorKind.HOST_KEY``).
Appends are serialised by a per-file thread lock plus ``flock``, and the file is re-read
under the lock, so concurrent first contacts from a thread pool neither clobber each other
nor let two different keys in for one host.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

import paramiko

POLICIES = ("strict", "accept-new", "ignore")

_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


class HostKeyPolicyError(ValueError):
    """An unknown policy name, or ``strict`` without a known_hosts file."""


def _lock_for(path: str) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(path, threading.Lock())


def _recorded_key(text: str, hostname: str, key_type: str) -> paramiko.PKey | None:
    """The key of this type already recorded for a host in known_hosts text, if any."""
    for line in text.splitlines():
        entry = paramiko.hostkeys.HostKeyEntry.from_line(line)
        if entry is not None and hostname in entry.hostnames and entry.key.get_name() == key_type:
            return entry.key
    return None


class TrustOnFirstUse(paramiko.MissingHostKeyPolicy):
    """Record an unknown host's key in the known_hosts file, then accept it."""

    def __init__(self, path: str) -> None:
        self.path = path

    def missing_host_key(self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey) -> None:
        with _lock_for(self.path):
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a+", encoding="utf-8") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                handle.seek(0)
                other = _recorded_key(handle.read(), hostname, key.get_name())
                if other is not None and other != key:
                    raise paramiko.BadHostKeyException(hostname, key, other)
                if other is None:
                    handle.write(f"{hostname} {key.get_name()} {key.get_base64()}\n")
                    handle.flush()
                    os.fsync(handle.fileno())


def netmiko_host_key_options(
    policy: str, path: str | None
) -> tuple[dict[str, object], paramiko.MissingHostKeyPolicy]:
    """netmiko keyword arguments and the paramiko policy object for one target."""
    if policy not in POLICIES:
        raise HostKeyPolicyError(f"unknown host_key_policy {policy!r} (use {', '.join(POLICIES)})")
    if policy == "ignore" or (policy == "accept-new" and not path):
        return {
            "ssh_strict": False,
            "system_host_keys": False,
            "alt_host_keys": False,
        }, paramiko.AutoAddPolicy()
    if not path:
        raise HostKeyPolicyError("host_key_policy 'strict' needs a known_hosts file")
    options: dict[str, object] = {
        "ssh_strict": policy == "strict",
        "system_host_keys": False,
        "alt_host_keys": True,
        "alt_key_file": path,
    }
    chosen: paramiko.MissingHostKeyPolicy = (
        paramiko.RejectPolicy() if policy == "strict" else TrustOnFirstUse(path)
    )
    return options, chosen
