"""The Celery application of distributed polling: broker, queues, delivery guarantees.

One queue per poll group (``netops.<group>``; devices without a group go to
``executor.default_queue``). Tasks are acknowledged late and rejected back to the queue when
their worker is lost, one at a time per worker slot (prefetch 1), so a worker killed mid-task
leaves its task to be delivered again (on Redis after ``executor.visibility_timeout_s``).
Messages are JSON and carry only device names, poll kinds and the job run id (a discovery
task: the new neighbors' addresses and the name of the device whose credential polls them):
targets and secrets are read by the worker from the shared database. There is no result backend: results
go to the database (``netops.polling.outcomes``).
"""

from __future__ import annotations

from typing import Any

from celery import Celery

from netops.settings import Settings

POLL_TASK = "netops.poll"
DISCOVER_TASK = "netops.discover"  # addresses not in the inventory yet (netops.polling.discovery_task)
QUEUE_PREFIX = "netops."


def queue_name(group: str | None, settings: Settings) -> str:
    return QUEUE_PREFIX + (group or settings.executor.default_queue)


BROKER_SOCKET_TIMEOUT_S = 3.0  # a Redis reply slower than this is a broker that is away (or frozen)
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}


def make_app(settings: Settings) -> Celery:
    """The app of both sides. Broker failures are bounded on purpose (see "Scaling out" in the
    README): the scheduler's publish gives up after one reconnecting retry (``max_retries`` in
    the transport options bounds its connection attempts too), every Redis command has a socket
    timeout (without one a publish to a frozen or half-open broker waits forever), and a worker
    retries its broker connection for ever (Celery's default gives up after 100 tries, about
    45 minutes, and the worker would exit) with Celery's back-off of 2 s more each try, at most
    30 s."""
    executor = settings.executor
    app = Celery("netops", broker=executor.broker_url, set_as_current=False)
    transport: dict[str, Any] = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5,
                                 "interval_max": 1}
    if executor.broker_url.startswith(("redis://", "rediss://")):
        transport.update(visibility_timeout=executor.visibility_timeout_s,
                         unacked_restore_interval=max(1, int(executor.visibility_timeout_s // 4)),
                         unacked_restore_throttle=1,
                         socket_timeout=BROKER_SOCKET_TIMEOUT_S,
                         socket_connect_timeout=BROKER_SOCKET_TIMEOUT_S,
                         socket_keepalive=True,
                         # a worker's BRPOP on a half-open connection is dropped within 1 + 2 * 5 s
                         health_check_interval=5)
    app.conf.update(
        task_serializer="json", accept_content=["json"], result_serializer="json",
        task_ignore_result=True, result_backend=None,
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        task_default_queue=queue_name(None, settings),
        broker_transport_options=transport, broker_connection_retry_on_startup=True,
        broker_connection_retry=True, broker_connection_max_retries=None,
        # a task running when the broker connection drops finishes and writes its results to the
        # database (a cancelled one would be lost with an unpersisted Redis' unacked messages)
        worker_cancel_long_running_tasks_on_connection_loss=False,
        broker_connection_timeout=BROKER_SOCKET_TIMEOUT_S, task_publish_retry_policy=PUBLISH_RETRY,
        worker_hijack_root_logger=False, worker_redirect_stdouts=False, worker_enable_remote_control=False,
        worker_send_task_events=False, task_send_sent_event=False,
    )
    return app
