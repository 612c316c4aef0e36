"""The database side of distributed polling: results written by workers, the live workers.

A worker writes each device's result as a ``PollOutcome`` row keyed by (task id, device); the
row is inserted only once (``ON CONFLICT DO NOTHING`` on SQLite and PostgreSQL), so a task that
runs twice, because its worker was killed after polling and before acknowledging, is applied
once: the scheduler takes each row once (``taken_at``) and applies what it took. Workers also
refresh a ``PollWorker`` row every few seconds; a queue with no worker seen recently is
"not polled: no worker for group X", never "down". A ping task's rows (``netops.polling.remote_icmp``)
are keyed by (task id, address) and carry that address's ICMP burst; task ids keep the two apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from inventory.db import session_scope
from inventory.models import PollOutcome, PollWorker, utcnow

NOT_POLLED = "not_polled"  # the payload of a device a worker could not poll, with the reason
TAKEN_KEPT = timedelta(hours=1)  # taken rows stay this long: a late second delivery still conflicts


@dataclass(frozen=True, slots=True)
class Outcome:
    task_id: str
    device: str
    payload: str


def write_outcomes(engine: Engine, task_id: str, job_run_id: int | None, worker: str,
                   payloads: Sequence[tuple[str, str]]) -> int:
    """Insert (device, payload) rows of ``task_id``; rows already there are kept as they are."""
    if not payloads:
        return 0
    now = utcnow()
    rows = [{"task_id": task_id, "job_run_id": job_run_id, "device": device, "worker": worker,
             "payload": payload, "created_at": now} for device, payload in payloads]
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(PollOutcome).values(rows).on_conflict_do_nothing(index_elements=["task_id", "device"])
    with engine.begin() as conn:
        return int(conn.execute(stmt).rowcount or 0)


def take_outcomes(engine: Engine, task_ids: Iterable[str]) -> list[Outcome]:
    """Rows of these tasks not taken yet, marked taken in the same transaction."""
    ids = list(task_ids)
    if not ids:
        return []
    with session_scope(engine) as session:
        rows = list(session.execute(
            select(PollOutcome.id, PollOutcome.task_id, PollOutcome.device, PollOutcome.payload)
            .where(PollOutcome.task_id.in_(ids), PollOutcome.taken_at.is_(None)).order_by(PollOutcome.id)))
        if rows:
            session.execute(update(PollOutcome).where(PollOutcome.id.in_([r.id for r in rows]),
                                                      PollOutcome.taken_at.is_(None)).values(taken_at=utcnow()))
    return [Outcome(r.task_id, r.device, r.payload) for r in rows]


def forget_old_outcomes(engine: Engine, now: datetime | None = None) -> None:
    cutoff = (now or utcnow()) - TAKEN_KEPT
    with session_scope(engine) as session:
        session.execute(delete(PollOutcome).where(PollOutcome.created_at < cutoff))


def worker_seen(engine: Engine, name: str, queues: Sequence[str], concurrency: int,
                started_at: datetime) -> None:
    """Upsert this worker's row (its queues and the time it was last alive)."""
    with session_scope(engine) as session:
        row = session.get(PollWorker, name)
        if row is None:
            session.add(PollWorker(name=name, queues=",".join(queues), concurrency=concurrency,
                                   started_at=started_at, seen_at=utcnow()))
        else:
            row.queues, row.concurrency, row.seen_at = ",".join(queues), concurrency, utcnow()


def worker_gone(engine: Engine, name: str) -> None:
    with session_scope(engine) as session:
        session.execute(delete(PollWorker).where(PollWorker.name == name))


def live_workers(engine: Engine, seen_within_s: float) -> dict[str, list[str]]:
    """Worker name -> its queues, for workers seen within ``seen_within_s``."""
    cutoff = utcnow() - timedelta(seconds=seen_within_s)
    with session_scope(engine) as session:
        rows = session.execute(select(PollWorker.name, PollWorker.queues).where(PollWorker.seen_at >= cutoff))
        return {r.name: [q for q in r.queues.split(",") if q] for r in rows}
