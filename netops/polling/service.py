"""The monitoring service in one process: scheduler, trap receiver.

``MonitorService`` starts the scheduler (which starts the notifier and the executor), then the
trap receiver wired to the scheduler: a linkDown/linkUp/coldStart/warmStart or LLDP change
from a known device queues an immediate status poll of that device (one per device per
second at most); the poll, never the trap, changes states and opens outages. A trap port that
cannot be bound is logged and the service runs without traps. The web UI is started beside it by
the composition root (``cli.web_server``), so the scheduler never needs Flask.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence

from sqlalchemy import Engine

from netops.monitor.notifications import Notifier
from netops.polling.executor import Executor
from netops.polling.scheduler import Scheduler
from netops.polling.traps import Trap, TrapReceiver, start_receiver
from netops.settings import Settings

log = logging.getLogger(__name__)
TRAP_DEBOUNCE_S = 1.0


class MonitorService:
    def __init__(self, settings: Settings, engine: Engine, *, overrides: Mapping[str, int] | None = None,
                 executor: Executor | None = None, notifier: Notifier | None = None,
                 traps: bool | None = None, trap_port: int | None = None,
                 only: Sequence[str] | None = None, guard: Callable[[], bool] | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.scheduler = Scheduler(settings, engine, executor=executor, notifier=notifier,
                                   overrides=overrides, only=only, guard=guard)
        self._traps_enabled = settings.traps.enabled if traps is None else traps
        self._trap_port = trap_port
        self.trap_receiver: TrapReceiver | None = None
        self._last_trap_poll: dict[str, float] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        self.scheduler.start()
        if self._traps_enabled:
            self.trap_receiver = start_receiver(self.engine, self.settings, self.on_trap, self._trap_port)

    def stop(self) -> None:
        """Stop traps and scheduler; returns within a few seconds (running cycles are aborted)."""
        if self.trap_receiver is not None:
            self.trap_receiver.stop()
        self.scheduler.shutdown(wait=True)

    def on_trap(self, trap: Trap) -> None:
        """Queue a confirming status poll of the trap's device (debounced per device)."""
        now = time.monotonic()
        with self._lock:
            if now - self._last_trap_poll.get(trap.device, -1e9) < TRAP_DEBOUNCE_S:
                return
            self._last_trap_poll[trap.device] = now
        confirm = []
        if trap.kind in ("linkDown", "linkUp") and trap.if_index is not None:
            confirm.append((trap.device, trap.if_index, "down" if trap.kind == "linkDown" else "up"))
        self.scheduler.poll_now([trap.device], trigger="trap", confirm=confirm)
