"""The Celery application of distributed polling: broker, queues, delivery guarantees.

One queue per poll group (``netops.<group>``; devices without a group go to
``executor.default_queue``). Tasks are acknowledged late and rejected back to the queue when
their worker is lost, one at a time per worker slot (prefetch 1), so a worker killed mid-task
leaves its task to be delivered again (on Redis after ``executor.visibility_timeout_s``).
Messages are JSON and carry only device names, poll kinds and the job run id: targets and
secrets are read by the worker from the shared database. There is no result backend: results
go to the database (``netops.polling.outcomes``).
"""

from __future__ import annotations

from typing import Any

from celery import Celery

from netops.settings import Settings

POLL_TASK = "netops.poll"
QUEUE_PREFIX = "netops."


def queue_name(group: str | None, settings: Settings) -> str:
    return QUEUE_PREFIX + (group or settings.executor.default_queue)


def make_app(settings: Settings) -> Celery:
    executor = settings.executor
    app = Celery("netops", broker=executor.broker_url, set_as_current=False)
    transport: dict[str, Any] = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5,
                                 "interval_max": 1}
    if executor.broker_url.startswith(("redis://", "rediss://")):
        transport.update(visibility_timeout=executor.visibility_timeout_s,
                         unacked_restore_interval=max(1, int(executor.visibility_timeout_s // 4)),
                         unacked_restore_throttle=1)
    app.conf.update(
        task_serializer="json", accept_content=["json"], result_serializer="json",
        task_ignore_result=True, result_backend=None,
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        task_default_queue=queue_name(None, settings),
        broker_transport_options=transport, broker_connection_retry_on_startup=True,
        broker_connection_timeout=3, task_publish_retry_policy={"max_retries": 2, "interval_start": 0,
                                                                "interval_step": 0.5, "interval_max": 1},
        worker_hijack_root_logger=False, worker_redirect_stdouts=False, worker_enable_remote_control=False,
        worker_send_task_events=False, task_send_sent_event=False,
    )
    return app
