"""ICMP echo bursts: reachability for the agent-down verdict, and round-trip time and loss per device.

Each status poll sends a short burst of echoes (``monitor.icmp_count``, ``icmp_interval_s`` apart)
to every device and keeps, per device, how many went out and came back and their round trips
(``IcmpStats``), as Smokeping does: the monitor judges sustained loss and latency from them, the
pages draw them. A device whose SNMP agent is silent but that answers an echo is ``agent_down``.

One socket per address family carries the whole burst to all devices (icmplib builds and sends
the echo requests; raw sockets as root or with ``CAP_NET_RAW``, else the kernel's unprivileged
ping sockets),
and replies are read with the kernel's receive timestamp (``SO_TIMESTAMPNS``): a busy Python
thread does not make a round trip look longer, and a lost echo costs no time of its own, so a
burst ends ``icmp_timeout_s`` after its last echo at the latest, whatever the loss. When ICMP is
not available here the answer is ``None`` (unknown) rather than a false "no reply", so a host
without ICMP rights never turns an agent failure into a site outage.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import random
import selectors
import socket
import struct
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from icmplib import ICMPv4Socket, ICMPv6Socket
from icmplib.exceptions import ICMPLibError

log = logging.getLogger(__name__)
SO_TIMESTAMPNS = 35  # Linux (SCM_TIMESTAMPNS): the kernel's receive time of each packet
TIMESPEC = struct.Struct("@ll")  # its struct timespec
ECHO_REPLY = {4: 0, 6: 129}
RECEIVE_BUFFER = 4 * 1024 * 1024  # a burst to a thousand devices must not overflow the socket
DRAIN_EVERY = 64  # sends between reads of what already came back
PAYLOAD = b"netops-latency-probe-" + bytes(35)  # 56 bytes, as ping(8)


@dataclass(frozen=True, slots=True)
class IcmpStats:
    """One burst to one device: echoes sent and answered, round trips in ms (None: no answer)."""

    sent: int
    received: int
    rtt_min_ms: float | None = None
    rtt_avg_ms: float | None = None
    rtt_max_ms: float | None = None
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def answered(self) -> bool:
        return self.received > 0

    @property
    def loss_pct(self) -> float:
        return 100.0 * (self.sent - self.received) / self.sent if self.sent else 0.0

    @classmethod
    def of(cls, sent: int, rtts_ms: Sequence[float], at: datetime) -> IcmpStats:
        if not rtts_ms:
            return cls(sent, 0, at=at)
        return cls(sent, len(rtts_ms), min(rtts_ms), sum(rtts_ms) / len(rtts_ms), max(rtts_ms), at)


@dataclass(frozen=True, slots=True)
class BurstSettings:
    count: int = 5
    interval_s: float = 0.2
    timeout_s: float = 1.0

    @property
    def duration_s(self) -> float:
        """The longest a burst takes: the last echo leaves, then its reply may take the timeout."""
        return (self.count - 1) * self.interval_s + self.timeout_s


CAP_NET_RAW = 13  # linux/capability.h


def privileged() -> bool:
    """Raw ICMP sockets: as root, or with ``CAP_NET_RAW`` in the effective set (the systemd
    units grant it to the user ``netops``); otherwise the kernel's unprivileged ping sockets."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return True
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            return has_net_raw(status.read())
    except OSError:
        return False


def has_net_raw(proc_status: str) -> bool:
    """Whether ``CapEff`` in a /proc/PID/status text holds ``CAP_NET_RAW``."""
    for line in proc_status.splitlines():
        if line.startswith("CapEff:"):
            try:
                return bool((int(line.split(":", 1)[1].strip(), 16) >> CAP_NET_RAW) & 1)
            except ValueError:
                return False
    return False


async def ping_many(addresses: Iterable[str], burst_settings: BurstSettings | None = None) -> dict[
        str, IcmpStats | None]:
    """``burst`` from a worker thread, so the caller's event loop keeps running meanwhile."""
    return await asyncio.to_thread(burst, list(addresses), burst_settings or BurstSettings())


def burst(addresses: Iterable[str], how: BurstSettings | None = None) -> dict[str, IcmpStats | None]:
    """Address -> its burst's statistics (None when ICMP is not available or the name unknown)."""
    how = how or BurstSettings()
    wanted = sorted(set(addresses))
    resolved = {address: _resolve(address) for address in wanted}
    out: dict[str, IcmpStats | None] = dict.fromkeys(wanted)
    by_ip: dict[str, list[str]] = {}
    for address, ip in resolved.items():
        if ip is not None:
            by_ip.setdefault(ip, []).append(address)
    if not by_ip:
        return out
    for ip, stats in _Burst(sorted(by_ip), how).run().items():
        for address in by_ip[ip]:
            out[address] = stats
    return out


def _resolve(address: str) -> str | None:
    """An IP literal as is (normalised), a host name by its first address; None if unknown."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        pass
    else:
        mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
        return str(mapped or ip)
    try:
        infos = socket.getaddrinfo(address, None, type=socket.SOCK_RAW)
    except (OSError, UnicodeError):
        log.warning("ICMP: cannot resolve %r", address)
        return None
    infos.sort(key=lambda info: info[0] != socket.AF_INET)  # IPv4 first, as icmplib does
    return str(ipaddress.ip_address(str(infos[0][4][0]).split("%")[0])) if infos else None


class _Burst:
    """The echoes of one burst in flight: send ticks, replies matched by (address, id, sequence)."""

    def __init__(self, ips: Sequence[str], how: BurstSettings) -> None:
        self.how = how
        self.ips = list(ips)
        self.ident = random.randrange(1, 0x10000)
        self.sent: dict[tuple[str, int], float] = {}
        self.rtts: dict[str, dict[int, float]] = {ip: {} for ip in ips}
        self.sockets: dict[int, ICMPv4Socket | ICMPv6Socket] = {}
        self.ids: dict[int, int] = {}  # family -> echo id (the kernel's own on ping sockets)
        self.kernel_ids: set[int] = set()
        self.raw: dict[int, bool] = {}
        self.selector = selectors.DefaultSelector()

    def run(self) -> dict[str, IcmpStats | None]:
        started = datetime.now(UTC)
        families = {ip: 6 if ":" in ip else 4 for ip in self.ips}
        try:
            for family in sorted(set(families.values())):
                self._open(family)
            self._exchange(families)
        finally:
            self.selector.close()
            for sock in self.sockets.values():
                sock.close()
        out: dict[str, IcmpStats | None] = {}
        for ip in self.ips:
            if families[ip] not in self.sockets:
                out[ip] = None
                continue
            sent = sum(1 for seq in range(self.how.count) if (ip, seq) in self.sent)
            out[ip] = IcmpStats.of(sent, list(self.rtts[ip].values()), started) if sent else None
        return out

    def _open(self, family: int) -> None:
        kind = ICMPv6Socket if family == 6 else ICMPv4Socket
        try:
            sock = kind(privileged=privileged())
        except (ICMPLibError, OSError) as exc:
            log.warning("ICMPv%d echo unavailable (%s); reachability by SNMP only", family, exc)
            return
        raw = sock.sock
        raw.setblocking(False)
        try:
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
            if sys.platform.startswith("linux"):
                raw.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        except OSError:  # a smaller buffer, or no kernel timestamps: still correct, less exact
            log.debug("ICMP socket options not all accepted", exc_info=True)
        self.sockets[family] = sock
        self.ids[family] = self.ident
        self.raw[family] = raw.type == socket.SOCK_RAW
        self.selector.register(raw, selectors.EVENT_READ, family)

    def _exchange(self, families: dict[str, int]) -> None:
        targets = [ip for ip in self.ips if families[ip] in self.sockets]
        start = time.monotonic()
        last_send = start
        for seq in range(self.how.count):
            tick = start + seq * self.how.interval_s
            self._read_until(tick)
            last_send = time.monotonic()
            packets = {family: _echo_request(family, self.ident, seq) for family in self.sockets}
            for n, ip in enumerate(targets, 1):
                self._send(families[ip], ip, seq, packets[families[ip]])
                if n % DRAIN_EVERY == 0:
                    self._read_until(0.0)
        expected = len(self.sent)
        deadline = last_send + self.how.timeout_s
        while self._answered() < expected and time.monotonic() < deadline:
            self._read_until(min(deadline, time.monotonic() + 0.05))

    def _send(self, family: int, ip: str, seq: int, packet: bytes) -> None:
        raw = self.sockets[family].sock
        sent_at = time.time()  # before: on a fast path the reply may be read within sendto
        try:
            raw.sendto(packet, (ip, 0))
        except OSError as exc:  # e.g. no route: this echo is lost, the others still go
            log.debug("ICMP echo to %s not sent: %s", ip, exc)
            return
        self.sent[(ip, seq)] = sent_at
        if not self.raw[family] and family not in self.kernel_ids:
            self.kernel_ids.add(family)
            self.ids[family] = raw.getsockname()[1]  # ping sockets: the kernel's id is the local port

    def _answered(self) -> int:
        return sum(len(r) for r in self.rtts.values())

    def _read_until(self, until: float) -> None:
        """Read every reply that is there; wait for more until ``until`` (monotonic)."""
        while True:
            wait = max(0.0, until - time.monotonic())
            events = self.selector.select(wait)
            if not events:
                return
            for key, _ in events:
                self._drain(key.fileobj, key.data)  # type: ignore[arg-type]

    def _drain(self, raw: socket.socket, family: int) -> None:
        while True:
            try:
                data, ancillary, _, source = raw.recvmsg(2048, socket.CMSG_SPACE(TIMESPEC.size))
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                log.debug("ICMP receive failed: %s", exc)
                return
            arrived = _kernel_time(ancillary) or time.time()
            reply = _echo_reply(data, family, self.raw[family])
            if reply is None:
                continue
            ident, seq = reply
            ip = str(source[0]).split("%")[0]
            sent = self.sent.get((ip, seq))
            if sent is None and family == 6:  # the kernel's spelling of an IPv6 address, normalised
                ip = str(ipaddress.ip_address(ip))
                sent = self.sent.get((ip, seq))
            if sent is None or ident != self.ids[family] or seq in self.rtts[ip]:
                continue  # not ours (another process's ping), or a duplicate
            self.rtts[ip][seq] = max(0.0, (arrived - sent) * 1000.0)


def _echo_request(family: int, ident: int, seq: int) -> bytes:
    """An echo request; the kernel fills the ICMPv6 checksum (and the id on ping sockets)."""
    kind = 128 if family == 6 else 8
    header = struct.pack("!BBHHH", kind, 0, 0, ident, seq)
    if family == 6:
        return header + PAYLOAD
    return struct.pack("!BBHHH", kind, 0, _checksum(header + PAYLOAD), ident, seq) + PAYLOAD


def _checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071) of an even-length packet."""
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return int(~total & 0xFFFF)


def _echo_reply(data: bytes, family: int, raw: bool) -> tuple[int, int] | None:
    """(id, sequence) of an echo reply; None for anything else (requests seen on lo, errors)."""
    offset = (data[0] & 0x0F) * 4 if family == 4 and raw and data else 0  # raw IPv4 keeps the IP header
    icmp = data[offset:]
    if len(icmp) < 8 or icmp[0] != ECHO_REPLY[family]:
        return None
    ident, seq = struct.unpack("!HH", icmp[4:8])
    return ident, seq


def _kernel_time(ancillary: list[tuple[int, int, bytes]]) -> float | None:
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= TIMESPEC.size:
            seconds, nanoseconds = TIMESPEC.unpack(data[: TIMESPEC.size])
            return float(seconds) + float(nanoseconds) / 1e9
    return None
