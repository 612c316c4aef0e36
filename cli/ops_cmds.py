"""Operations commands: ``jobs``, ``scheduler``, ``run``, ``outages``, ``events``.

``netops scheduler`` runs the scheduler, monitor, notifier and trap receiver in the foreground
until Ctrl-C or SIGTERM; ``netops run`` adds the web UI (both add the Telegram bot when
``[telegram] enabled``). ``jobs pause|resume`` change the
persistent job store, so they act on a scheduler running in another process; ``jobs run``
runs one cycle here and now and prints what it did.
"""

from __future__ import annotations

import re
import signal
import threading
from datetime import UTC, datetime, timedelta, tzinfo
from types import FrameType
from typing import Any

import click

from cli.common import echo_json, engine_from, fail, settings_from, setup_logging
from cli.timefmt import clock_from

DURATION = re.compile(r"^(\d+)\s*([smhd])$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
SINCE_FORMS = "24h, 7d, 30m, or ISO-8601; a time without an offset is in web.timezone"


def parse_since(text: str, now: datetime | None = None, zone: tzinfo = UTC) -> datetime:
    """``24h`` / ``7d`` / ``30m`` ago, or an ISO-8601 time (in ``zone``, the zone times are shown
    in, when no offset is given)."""
    now = now or datetime.now(UTC)
    match = DURATION.match(text.strip())
    if match:
        return now - timedelta(**{UNITS[match.group(2)]: int(match.group(1))})
    try:
        at = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        fail(f"--since {text!r}: give a time like 2026-05-01T08:00 or a span like 24h, 7d")
    return at if at.tzinfo else at.replace(tzinfo=zone)


@click.group("jobs")
def jobs_group() -> None:
    """Scheduled jobs: list, run now, pause, resume."""


@jobs_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@click.pass_context
def jobs_list(ctx: click.Context, as_json: bool) -> None:
    """Jobs with interval, next run, last run, last duration and result."""
    from inventory.db import session_scope
    from netops.monitor.queries import job_statuses

    with session_scope(engine_from(ctx)) as session:
        rows = job_statuses(session)
    if as_json:
        echo_json(rows)
        return
    clock = clock_from(ctx)
    _echo_leader(ctx, clock)
    header = f"{'JOB':<18} {'EVERY':>7} {'NEXT RUN':<24} {'LAST RUN':<24} {'DURATION':>9}"
    click.echo(f"{header} RESULT")
    for row in rows:
        last = row.last_run
        every = f"{row.interval_s}s" if row.interval_s else "-"
        next_run = "paused" if row.paused and row.interval_s else clock.format(row.next_run)
        duration = f"{last.duration_s:.1f}s" if last and last.duration_s is not None else "-"
        result = (last.result + (" (overrun)" if last.overrun else "")) if last else "-"
        started = clock.format(last.started_at if last else None)
        click.echo(f"{row.job:<18} {every:>7} {next_run:<24} {started:<24} {duration:>9} {result}")


def _echo_leader(ctx: click.Context, clock: Any) -> None:
    """Which scheduler instance leads (two may run against one database)."""
    from datetime import UTC, datetime

    from netops.polling.leader import leadership
    from netops.polling.outcomes import live_workers

    engine, settings = engine_from(ctx), settings_from(ctx)
    lead = leadership(engine)
    if lead is None or not lead.live:
        click.echo("leader: none (no scheduler running)")
    else:
        left = lead.expires_at - datetime.now(UTC).timestamp()
        click.echo(f"leader: {lead.holder} since {clock.format(lead.acquired_at)} (lease {left:.0f} s left)")
    if settings.executor.kind == "celery":
        workers = live_workers(engine, settings.executor.worker_seen_s)
        served = ", ".join(f"{name} [{', '.join(queues)}]" for name, queues in sorted(workers.items()))
        click.echo(f"workers: {served or 'none'}")


@jobs_group.command("run")
@click.argument("job")
@click.pass_context
def jobs_run(ctx: click.Context, job: str) -> None:
    """Run one cycle of JOB now, in this process."""
    from inventory.db import session_scope
    from netops.audit import record_change
    from netops.monitor.notifications import Notifier
    from netops.polling.cycle import JobRunner, load_device_intervals
    from netops.polling.executor import make_executor
    from netops.polling.jobs import build_specs, specs_by_id

    settings, engine = settings_from(ctx), engine_from(ctx)
    with session_scope(engine) as session:
        specs = specs_by_id(build_specs(load_device_intervals(session), settings))
    if job not in specs:
        fail(f"unknown job {job!r}; jobs are {', '.join(sorted(specs))}")
    with session_scope(engine) as session:
        record_change(session, "job.run", job, None, {"trigger": "manual", "where": "this process"})
    notifier = Notifier(engine, settings)
    notifier.start()
    executor = make_executor(settings, engine)
    try:
        summary = JobRunner(settings, engine, executor, notifier=notifier).run_cycle(
            specs[job], trigger="manual", spread=False)
        notifier.wait_idle(60)
    finally:
        executor.close()
        notifier.stop()
    click.echo(f"{job}: {summary.devices_polled} device(s) polled, {summary.devices_failed} failed, "
               f"{summary.duration_s:.1f} s; outages opened {len(summary.opened)}, "
               f"closed {len(summary.closed)}")
    for error in summary.errors[:10]:
        click.echo(f"  {error}")


def _control(ctx: click.Context, job: str, action: str) -> None:
    from inventory.db import session_scope
    from netops.audit import record_change
    from netops.polling.scheduler import JobControl

    engine = engine_from(ctx)
    with JobControl(engine) as control:
        try:
            getattr(control, action)(job)
        except KeyError:
            known = ", ".join(j.job_id for j in control.jobs()) or "none (start the scheduler once)"
            fail(f"unknown job {job!r}; stored jobs: {known}")
    with session_scope(engine) as session:
        record_change(session, f"job.{action}", job)
    click.echo(f"{job}: {action}d")


@jobs_group.command("pause")
@click.argument("job")
@click.pass_context
def jobs_pause(ctx: click.Context, job: str) -> None:
    """Pause JOB (also in a scheduler running elsewhere)."""
    _control(ctx, job, "pause")


@jobs_group.command("resume")
@click.argument("job")
@click.pass_context
def jobs_resume(ctx: click.Context, job: str) -> None:
    """Resume JOB."""
    _control(ctx, job, "resume")


def _run_service(ctx: click.Context, overrides: dict[str, int], with_web: bool, traps: bool | None) -> None:
    """Follow, and lead when the lease is free (``netops.polling.ha``): a second instance on the
    same database waits and takes over within ``leader.lease_s`` of the leader's death."""
    from cli.telegram_cmds import start_bot
    from cli.web_server import serve_web
    from netops.polling.ha import LeadingService
    from netops.polling.jobs import default_intervals

    settings, engine = settings_from(ctx), engine_from(ctx)
    setup_logging(int(ctx.find_root().obj.get("verbose", 0) or 0), service=True)
    try:
        default_intervals(settings, overrides)
    except ValueError as exc:
        fail(str(exc))
    service = LeadingService(settings, engine, overrides=overrides, traps=traps)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    server: Any = None
    bot: Any = None
    try:
        service.start()
        if with_web:
            server = serve_web(settings, engine, service)
        if service.wait_leading(60):
            click.echo("scheduler running; Ctrl-C to stop", err=True)
        else:
            click.echo(f"scheduler following ({service.lease.holder}): another instance leads; "
                       "Ctrl-C to stop", err=True)
        # [telegram] enabled: the help-desk bot runs beside the leader only (one long poll per token)
        bot_wanted = settings.telegram.enabled
        while True:
            if bot_wanted and bot is None and service.leading:
                bot = start_bot(settings, engine)
                bot_wanted = bot is not None  # a token that cannot be read: said once, not retried
            elif bot is not None and not service.leading:
                bot.stop()
                bot = None
            if stop.wait(0.5) or not service.running:
                break
    finally:
        if bot is not None:
            bot.stop()
        if server is not None:
            server.shutdown()
        service.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if service.error is not None:
        fail(f"the scheduler stopped: {service.error}")
    click.echo("scheduler stopped", err=True)


def _overrides(status: int | None, counters: int | None, discovery: int | None) -> dict[str, int]:
    values = {"status": status, "counters": counters, "discovery": discovery}
    for job, seconds in values.items():
        if seconds is not None and seconds <= 0:
            fail(f"--{job}-interval must be a positive number of seconds")
    return {job: seconds for job, seconds in values.items() if seconds is not None}


@click.command("scheduler")
@click.option("--status-interval", type=int, help="Seconds between status polls (this run only).")
@click.option("--counters-interval", type=int, help="Seconds between counter polls (this run only).")
@click.option("--discovery-interval", type=int, help="Seconds between discovery polls (this run only).")
@click.option("--traps/--no-traps", default=None, help="Run the SNMP trap receiver (default: traps.enabled).")
@click.pass_context
def scheduler_cmd(ctx: click.Context, status_interval: int | None, counters_interval: int | None,
                  discovery_interval: int | None, traps: bool | None) -> None:
    """Run the scheduler and monitor in the foreground (Ctrl-C or SIGTERM stops it cleanly)."""
    _run_service(ctx, _overrides(status_interval, counters_interval, discovery_interval), False, traps)


@click.command("run")
@click.option("--traps/--no-traps", default=None, help="Run the SNMP trap receiver (default: traps.enabled).")
@click.pass_context
def run_cmd(ctx: click.Context, traps: bool | None) -> None:
    """Run the scheduler, monitor and web UI together."""
    _run_service(ctx, {}, True, traps)


@click.command("worker")
@click.option("--queue", "groups", multiple=True, metavar="GROUP",
              help="Serve this poll group's queue (repeatable; default: devices without a group).")
@click.option("--concurrency", type=click.IntRange(1, 256), default=4, show_default=True,
              help="Poll tasks run at once.")
@click.pass_context
def worker_cmd(ctx: click.Context, groups: tuple[str, ...], concurrency: int) -> None:
    """Run poll tasks from the broker ([executor] kind = "celery") until Ctrl-C or SIGTERM."""
    from netops.polling.worker import run_worker

    settings, engine = settings_from(ctx), engine_from(ctx)
    if settings.executor.kind != "celery":
        fail('netops worker needs [executor] kind = "celery" and a broker_url in the configuration')
    verbose = int(ctx.find_root().obj.get("verbose", 0) or 0)
    setup_logging(verbose, service=True)
    queues = ", ".join(groups) or settings.executor.default_queue
    served = f"{queues} on {_safe_url(settings.executor.broker_url)}"
    run_worker(settings, engine, list(groups), concurrency, loglevel="INFO" if verbose else "WARNING",
               on_ready=lambda: click.echo(f"worker serving {served}; Ctrl-C to stop", err=True))
    click.echo("worker stopped", err=True)


def _safe_url(url: str) -> str:
    """The broker URL without its password, for the terminal."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        return parts._replace(netloc=netloc).geturl()
    return url


@click.group("outages", invoke_without_command=True)
@click.option("--active", is_flag=True, help="Only outages that are still open.")
@click.option("--since", help=f"Outages open at or after this time ({SINCE_FORMS}).")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@click.pass_context
def outages_cmd(ctx: click.Context, active: bool, since: str | None, as_json: bool) -> None:
    """Outages with root cause, affected sites and duration; ack, note, assign act on one."""
    if ctx.invoked_subcommand is not None:
        return
    from inventory.db import session_scope
    from netops.monitor.queries import active_outages, outage_history

    since_at = parse_since(since, zone=clock_from(ctx).zone) if since else None
    with session_scope(engine_from(ctx)) as session:
        rows = active_outages(session) if active else outage_history(session, since_at)
    if active and since_at:
        rows = [r for r in rows if r.started_at >= since_at]
    if as_json:
        echo_json([r.to_json() for r in rows])
        return
    if not rows:
        click.echo("no outages")
    clock = clock_from(ctx)
    for r in rows:
        state = "OPEN" if r.active else f"closed {clock.format(r.ended_at)}"
        flap = " FLAPPING" if r.flapping else ""
        planned = f" PLANNED (works #{r.maintenance_id})" if r.planned else ""
        click.echo(f"#{r.id} {r.root_cause_type} {r.root_cause}: since {clock.format(r.started_at)}, "
                   f"{state}, {r.duration_s:.0f} s{flap}{planned}")
        click.echo(f"    sites ({len(r.affected_sites)}): {', '.join(r.affected_sites) or '-'}")
        if r.maintenance_words and not r.planned:
            click.echo(f"    {r.maintenance_words.get('en', '')}")
        if r.acknowledged_by and r.acknowledged_at:
            click.echo(f"    acknowledged by {r.acknowledged_by} at {clock.format(r.acknowledged_at)}")
        if r.assignee:
            click.echo(f"    assigned to {r.assignee}")
        if r.last_note is not None:
            click.echo(f"    last note ({r.last_note.by}): {r.last_note.text}")


@click.command("events")
@click.option("--since", help=f"Events at or after this time ({SINCE_FORMS}).")
@click.option("--limit", type=int, default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@click.pass_context
def events_cmd(ctx: click.Context, since: str | None, limit: int, as_json: bool) -> None:
    """State changes of devices and links, newest first, with their evidence."""
    from inventory.db import session_scope
    from netops.monitor.queries import events

    with session_scope(engine_from(ctx)) as session:
        since_at = parse_since(since, zone=clock_from(ctx).zone) if since else None
        rows = events(session, since=since_at, limit=limit)
    if as_json:
        echo_json([r.to_json() for r in rows])
        return
    clock = clock_from(ctx)
    for r in rows:
        change = f"{r.old_state} -> {r.new_state}"
        click.echo(f"{clock.format(r.at)} {r.element_type} {r.element}: {change}  ({r.evidence})")


def register(group: click.Group) -> None:
    from cli.maintenance_cmds import OUTAGE_ACTIONS

    for action in OUTAGE_ACTIONS:
        outages_cmd.add_command(action)
    for command in (jobs_group, scheduler_cmd, run_cmd, worker_cmd, outages_cmd, events_cmd):
        group.add_command(command)
