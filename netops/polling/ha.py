"""Two schedulers, one leader: ``LeadingService`` runs the monitoring service only while it
holds the scheduler lease (``netops.polling.leader``).

Every instance (``netops scheduler`` / ``netops run``) starts following: it tries the lease
every ``leader.renew_s``; the one that holds it starts a ``MonitorService`` (scheduler,
notifier, executor) and renews; an instance that loses the lease stops its service before the
lease can lapse. The jobs' next run times (APScheduler's job store), job runs, device states
and open outages live in the shared database, so the new leader carries on where the old one
stopped: a job whose time came while nobody led runs once at take-over, and the cycle the
dead leader was running is marked aborted. Each instance receives traps; a follower forwards
them through the ``forwarded_traps`` table, and the leader drains that table every
``DRAIN_S`` and handles them as its own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence

from sqlalchemy import Engine, delete, select

from inventory.db import session_scope
from inventory.models import ForwardedTrap, utcnow
from netops.polling.leader import Lease
from netops.polling.scheduler import JobControl, JobInfo
from netops.polling.service import MonitorService
from netops.polling.traps import Trap, TrapReceiver, start_receiver
from netops.settings import Settings

log = logging.getLogger(__name__)
DRAIN_S = 0.5
DRAIN_BATCH = 200
RUN_NOW = "run-now"  # a forwarded row of this kind is an operator's "run now" of job ``device``


class LeadingService:
    def __init__(self, settings: Settings, engine: Engine, *, overrides: Mapping[str, int] | None = None,
                 traps: bool | None = None, trap_port: int | None = None,
                 only: Sequence[str] | None = None, lease: Lease | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.lease = lease or Lease(engine, settings)
        self._overrides = dict(overrides or {})
        self._only = only
        self._traps_enabled = settings.traps.enabled if traps is None else traps
        self._trap_port = trap_port
        self.trap_receiver: TrapReceiver | None = None
        self.service: MonitorService | None = None
        self._stop = threading.Event()
        self._want = threading.Event()  # the lease is ours: lead
        self.error: Exception | None = None
        self._tried = threading.Event()
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="netops-leader", daemon=True)

    @property
    def running(self) -> bool:
        return not self._stop.is_set()

    @property
    def leading(self) -> bool:
        return self.service is not None

    def start(self) -> None:
        if self._traps_enabled:
            self.trap_receiver = start_receiver(self.engine, self.settings, self.on_trap, self._trap_port)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)
        if self.trap_receiver is not None:
            self.trap_receiver.stop()

    def wait_leading(self, timeout: float) -> bool:
        """After the first try of the lease: True once this instance leads (within ``timeout``),
        False at once when another instance holds the lease."""
        self._tried.wait(timeout)
        if not self._want.is_set():
            return False
        with self._changed:
            return self._changed.wait_for(lambda: self.leading or not self.running, timeout) and self.leading

    def on_trap(self, trap: Trap) -> None:
        service = self.service
        if service is not None:
            service.on_trap(trap)
            return
        try:
            self._forward(trap.device, trap.kind, trap.if_index)
        except Exception:
            log.warning("could not forward a trap from %s to the leader", trap.device, exc_info=True)

    def _forward(self, device: str, kind: str, if_index: int | None = None) -> None:
        with session_scope(self.engine) as session:
            session.add(ForwardedTrap(device=device, kind=kind, if_index=if_index,
                                      received_by=self.lease.holder, received_at=utcnow()))

    # -- the web's scheduler controls (web.jobs.SchedulerControl), on whichever instance leads
    def jobs(self) -> list[JobInfo]:
        service = self.service
        if service is not None:
            return service.scheduler.jobs()
        with JobControl(self.engine) as control:
            return control.jobs()

    def run_now(self, job_id: str) -> None:
        service = self.service
        if service is not None:
            service.scheduler.run_now(job_id)
        else:
            self._forward(job_id, RUN_NOW)

    def pause(self, job_id: str) -> None:
        with JobControl(self.engine) as control:
            control.pause(job_id)

    def resume(self, job_id: str) -> None:
        with JobControl(self.engine) as control:
            control.resume(job_id)

    def _run(self) -> None:
        renewer = threading.Thread(target=self._renew, name="netops-lease", daemon=True)
        renewer.start()
        try:
            while not self._stop.is_set():
                try:
                    self._step(self._want.is_set() and self.lease.held())
                except Exception as exc:  # the service cannot start: stop, and let go of the lease
                    log.exception("the monitoring service failed")
                    self.error = exc
                    self._stop.set()
                    self._set(None)
                    break
                if self.service is not None:
                    self._drain()
                self._stop.wait(DRAIN_S)
        finally:
            self._step(False)
            renewer.join(10)
            try:
                self.lease.release()
            except Exception:
                log.warning("could not release the scheduler lease", exc_info=True)

    def _renew(self) -> None:
        """Take or renew the lease every ``renew_s``, in a thread of its own so that a slow
        start or stop of the service never delays a renewal."""
        while not self._stop.is_set():
            if self.lease.hold():
                self._want.set()
            else:
                self._want.clear()
            self._tried.set()
            self._stop.wait(self.lease.renew_s)

    def _step(self, lead: bool) -> None:
        if lead and self.service is None and not self._stop.is_set():
            log.warning("this instance (%s) leads the schedulers", self.lease.holder)
            service = MonitorService(self.settings, self.engine, overrides=self._overrides, traps=False,
                                     only=self._only, guard=self.lease.held)
            service.start()
            self._set(service)
        elif not lead and self.service is not None:
            if not self._stop.is_set():
                log.warning("this instance (%s) no longer leads; stopping its scheduler", self.lease.holder)
            service, self.service = self.service, None
            service.stop()
            self._set(None)

    def _set(self, service: MonitorService | None) -> None:
        with self._changed:
            self.service = service
            self._changed.notify_all()

    def _drain(self) -> None:
        service = self.service
        if service is None:
            return
        try:
            with session_scope(self.engine) as session:
                query = select(ForwardedTrap).order_by(ForwardedTrap.id).limit(DRAIN_BATCH)
                rows = list(session.scalars(query))
                traps = [Trap(r.device, f"{r.received_by} (forwarded)", r.kind, r.if_index) for r in rows]
                if rows:
                    session.execute(delete(ForwardedTrap).where(ForwardedTrap.id.in_([r.id for r in rows])))
        except Exception:
            log.warning("reading forwarded traps failed", exc_info=True)
            return
        for trap in traps:
            if trap.kind == RUN_NOW:
                try:
                    service.scheduler.run_now(trap.device)
                except Exception:
                    log.warning("forwarded run-now of %s failed", trap.device, exc_info=True)
            else:
                service.on_trap(trap)
