"""One leading scheduler among several: a lease row with a short time to live.

``Lease.hold()`` takes the ``scheduler_lease`` row when it is free or lapsed, or renews it when
this instance holds it, in one conditional UPDATE (``holder = me OR expires_at < now``), so on
SQLite and on PostgreSQL exactly one instance wins. The leader renews every ``leader.renew_s``;
when the leader dies (SIGKILL, power off) its lease lapses after ``leader.lease_s`` and a
follower takes it at its next try. A holder on this same host whose process is gone is replaced
at once (a restarted scheduler need not wait for its own old lease). A leader that cannot renew
stops leading before its lease can lapse (``held``), so two never lead at once. Expiry times are
wall-clock seconds: the hosts' clocks must agree (NTP) to well under the lease time.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, or_, select, update
from sqlalchemy.exc import IntegrityError

from inventory.db import session_scope
from inventory.models import SchedulerLease, utcnow
from netops.settings import Settings

LEASE_NAME = "scheduler"


def instance_id() -> str:
    """``host:pid:random``: unique per process, and says where the leader runs. ``NETOPS_INSTANCE``
    names the host part where host names repeat (containers of one image)."""
    return f"{_host()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _host() -> str:
    return os.environ.get("NETOPS_INSTANCE") or socket.gethostname()


@dataclass(frozen=True, slots=True)
class Leadership:
    holder: str
    acquired_at: datetime
    renewed_at: datetime
    expires_at: float
    live: bool


def leadership(engine: Engine, now: float | None = None) -> Leadership | None:
    """Who holds the scheduler lease (``live``: it has not lapsed), or None when nobody ever did."""
    with session_scope(engine) as session:
        row = session.get(SchedulerLease, LEASE_NAME)
        if row is None:
            return None
        at = time.time() if now is None else now
        return Leadership(row.holder, row.acquired_at, row.renewed_at, row.expires_at, row.expires_at > at)


class Lease:
    def __init__(self, engine: Engine, settings: Settings, *, holder: str | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.lease_s = settings.leader.lease_s
        self.renew_s = settings.leader.renew_s
        self.holder = holder or instance_id()
        self._clock = clock
        self._held_since: float | None = None  # monotonic time of the last successful renewal

    def hold(self) -> bool:
        """Take or renew the lease; True while this instance leads."""
        try:
            won = self._try()
        except Exception:  # the database away: lead only while the last renewal is fresh enough
            return self.held()
        self._held_since = time.monotonic() if won else None
        return won

    def held(self) -> bool:
        """Renewed recently enough that no one else can have taken the lease meanwhile."""
        since = self._held_since
        return since is not None and time.monotonic() - since < self.lease_s - self.renew_s

    def release(self) -> None:
        """A clean stop: the lease is free at once for the other instance."""
        self._held_since = None
        with session_scope(self.engine) as session:
            session.execute(update(SchedulerLease).where(SchedulerLease.name == LEASE_NAME,
                                                         SchedulerLease.holder == self.holder)
                            .values(expires_at=0.0))

    def _try(self) -> bool:
        now = self._clock()
        with session_scope(self.engine) as session:
            renewed = session.execute(
                update(SchedulerLease)
                .where(SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == self.holder)
                .values(renewed_at=utcnow(), expires_at=now + self.lease_s))
            if renewed.rowcount:  # type: ignore[attr-defined]
                return True
            row = session.execute(select(SchedulerLease.holder, SchedulerLease.expires_at)
                                  .where(SchedulerLease.name == LEASE_NAME)).first()
        if row is None:
            return self._create(now)
        lapsed = row.expires_at < now or _dead_here(row.holder)
        if not lapsed:
            return False
        with session_scope(self.engine) as session:
            taken = session.execute(
                update(SchedulerLease)
                .where(SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == row.holder,
                       or_(SchedulerLease.expires_at < now, SchedulerLease.expires_at == row.expires_at))
                .values(holder=self.holder, acquired_at=utcnow(), renewed_at=utcnow(),
                        expires_at=now + self.lease_s))
            return bool(taken.rowcount)  # type: ignore[attr-defined]

    def _create(self, now: float) -> bool:
        try:
            with session_scope(self.engine) as session:
                session.add(SchedulerLease(name=LEASE_NAME, holder=self.holder, acquired_at=utcnow(),
                                           renewed_at=utcnow(), expires_at=now + self.lease_s))
            return True
        except IntegrityError:  # another instance created it first
            return False


def _dead_here(holder: str) -> bool:
    """The holder ran on this host and its process is gone."""
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != _host() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False  # another Lease object of this process: not dead
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
