"""A UDP listener on a loopback address, standing where a device would be: what did netops send it?"""

from __future__ import annotations

import contextlib
import socket


class UdpListener:
    """Binds ``host`` on a kernel-chosen port and keeps every datagram until ``drain``."""

    def __init__(self, host: str) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.host, self.port = host, int(self.sock.getsockname()[1])

    def drain(self, wait_s: float = 0.2) -> list[bytes]:
        """Every datagram received so far (call it after the poll has returned)."""
        self.sock.settimeout(wait_s)
        packets = []
        with contextlib.suppress(TimeoutError):
            while True:
                packets.append(self.sock.recv(65535))
        return packets

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> UdpListener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
