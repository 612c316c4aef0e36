"""Notification routing and escalation against a real local webhook receiver (apprise ``json://``).

Each route posts to its own path on one HTTP server on 127.0.0.1; the notifier runs its real
worker thread and database, with a fake clock for reminders and escalation (``poke`` makes it
look for what is due, as it does every ``tick_s`` by itself).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from inventory.db import session_scope
from inventory.models import Device, Outage, OutageNotice, Site
from netops.monitor import timeline
from netops.monitor.notifications import Notifier
from netops.monitor.routing import parse_routes
from netops.settings import Settings
from tests.monitor.webhook import WebhookReceiver, refusing_url

T0 = datetime(2026, 5, 4, 2, 0, tzinfo=UTC)  # Monday 09:00 in Asia/Jakarta
HOSTILE = 'SD Negeri 1 <script>alert("x")</script> & Co'


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def at(self, minutes: float) -> None:
        self.now = T0 + timedelta(minutes=minutes)


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


def _routed(settings: Settings, hook: WebhookReceiver, **extra: dict[str, object]) -> Settings:
    base = f"json://127.0.0.1:{hook.port}"
    routes = parse_routes({
        "utara": {"urls": [f"{base}/utara"], "districts": ["Utara"], "remind_minutes": 10,
                  "escalate_after_minutes": 30, "escalate_to": "kepala"},
        "selatan": {"urls": [f"{base}/selatan"], "districts": ["Selatan"]},
        "kepala": {"urls": [f"{base}/kepala"], "only_escalation": True, "language": "id"},
        **extra,
    })
    return dataclasses.replace(
        settings, web=dataclasses.replace(settings.web, public_url="https://netops.example.go.id"),
        notifications=dataclasses.replace(settings.notifications, urls=(f"{base}/all",), retries=0,
                                          routes=routes))


def _seed(engine: Engine) -> None:
    with session_scope(engine) as session:
        school = Site(name=HOSTILE, kind="school", district="Utara")
        hall = Site(name="Aula Kelurahan", kind="agency", district="Utara")
        camat = Site(name="Kantor Camat Selatan", kind="agency", district="Selatan")
        session.add_all([school, hall, camat])
        session.flush()
        session.add_all([Device(name="acc-sd1", address="127.0.0.2", role="access", site_id=school.id),
                         Device(name="acc-camat", address="127.0.0.3", role="access", site_id=camat.id)])


def _outage(engine: Engine, sites: list[str], device: str, **fields: object) -> int:
    with session_scope(engine) as session:
        row = Outage(root_cause_type="device", root_cause=device, started_at=T0, affected_sites=sites,
                     affected_devices=[device], **fields)
        session.add(row)
        session.flush()
        return row.id


def _got(hook: WebhookReceiver, path: str) -> list[str]:
    return [m["title"] for p, m in zip(hook.paths, hook.messages, strict=True) if p == f"/{path}"]


def _run(notifier: Notifier, *items: tuple[int, str]) -> None:
    for outage_id, kind in items:
        notifier.enqueue(outage_id, kind)
    notifier.poke()
    assert notifier.wait_idle(20)


def _notices(engine: Engine, outage_id: int) -> list[tuple[str, str, str]]:
    with session_scope(engine) as session:
        rows = session.scalars(select(OutageNotice).where(OutageNotice.outage_id == outage_id)
                               .order_by(OutageNotice.id))
        return [(n.route, n.kind, n.outcome) for n in rows]


def test_routes_reminders_escalation_and_closing_survive_a_restart(
        engine: Engine, settings: Settings, hook: WebhookReceiver) -> None:
    _seed(engine)
    configured, clock = _routed(settings, hook), Clock()
    outage_id = _outage(engine, ["Aula Kelurahan", HOSTILE], "acc-sd1")
    notifier = Notifier(engine, configured, clock=clock, tick_s=3600, backoff_s=0.01)
    notifier.start()
    _run(notifier, (outage_id, "open"))
    # the school in district Utara: the catch-all and route utara, not selatan, not kepala
    counts = (len(_got(hook, "all")), len(_got(hook, "utara")), _got(hook, "selatan"), _got(hook, "kepala"))
    assert counts == (1, 1, [], [])
    body = hook.messages[0]["message"]
    assert f"Affected sites (2, 1 schools): {HOSTILE}, Aula Kelurahan" in body  # schools first, text as is
    assert "Since: 2026-05-04 09:00 WIB" in body
    assert f"Details: https://netops.example.go.id/outages/{outage_id}" in body
    clock.at(9)
    _run(notifier)
    assert len(hook.messages) == 2  # no reminder before 10 minutes
    notifier.stop()  # a restart: the next notifier knows what was sent from the database
    notifier = Notifier(engine, configured, clock=clock, tick_s=3600, backoff_s=0.01)
    notifier.start()
    clock.at(10)
    _run(notifier)
    assert _got(hook, "utara")[1].startswith("REMINDER, not acknowledged for 10m 0s: ")
    assert len(_got(hook, "all")) == 1  # the catch-all has no reminders
    clock.at(30)
    _run(notifier)
    assert len(_got(hook, "utara")) == 3
    [escalated] = _got(hook, "kepala")
    assert escalated.startswith("ESKALASI, belum ditangani selama 30m 0d: ")  # kepala speaks Bahasa
    clock.at(35)
    _run(notifier)
    assert len(hook.messages) == 5  # escalated once; the next reminder at 40
    with session_scope(engine) as session:
        row = session.get(Outage, outage_id)
        assert row is not None
        row.ended_at = clock.now
    _run(notifier, (outage_id, "close"))
    notifier.stop()
    closing = {p: m["title"] for p, m in zip(hook.paths, hook.messages, strict=True)
               if m["title"].startswith(("RECOVERED", "PULIH"))}
    assert set(closing) == {"/all", "/utara", "/kepala"}  # everyone told, and only them
    assert closing["/kepala"].startswith("PULIH")
    assert _notices(engine, outage_id) == [
        ("default", "open", "sent"), ("utara", "open", "sent"), ("utara", "reminder", "sent"),
        ("utara", "reminder", "sent"), ("kepala", "escalation", "sent"), ("default", "close", "sent"),
        ("utara", "close", "sent"), ("kepala", "close", "sent")]
    with session_scope(engine) as session:
        lines = [(e.kind, e.text) for e in timeline.entries(session, outage_id)]
    assert ("notification_sent", f"escalation via kepala: {escalated}") in lines
    assert sum(kind == "notification_sent" for kind, _ in lines) == 8


def test_an_acknowledgement_stops_reminders_and_escalation(
        engine: Engine, settings: Settings, hook: WebhookReceiver) -> None:
    _seed(engine)
    clock = Clock()
    outage_id = _outage(engine, [HOSTILE], "acc-sd1")
    notifier = Notifier(engine, _routed(settings, hook), clock=clock, tick_s=3600, backoff_s=0.01)
    notifier.start()
    _run(notifier, (outage_id, "open"))
    clock.at(5)
    with session_scope(engine) as session:
        timeline.acknowledge(session, outage_id, "budi", clock.now, "on the way")
    for minute in (10, 30, 45, 60):
        clock.at(minute)
        _run(notifier)
    notifier.stop()
    assert len(hook.messages) == 2 and _got(hook, "kepala") == []
    assert _notices(engine, outage_id) == [
        ("default", "open", "sent"), ("utara", "open", "sent"),
        ("utara", "reminder", "suppressed"), ("kepala", "escalation", "suppressed")]  # each recorded once
    with session_scope(engine) as session:
        texts = [e.text for e in timeline.entries(session, outage_id) if e.kind == "notification_suppressed"]
    assert texts == ["reminder via utara: acknowledged by budi",
                     "escalation via kepala: acknowledged by budi"]


def test_planned_is_suppressed_per_route_failures_are_recorded_and_flapping_sends_one(
        engine: Engine, settings: Settings, hook: WebhookReceiver) -> None:
    _seed(engine)
    clock = Clock()
    configured = _routed(settings, hook, broken={"urls": [refusing_url()], "districts": ["Selatan"]})
    planned = _outage(engine, [HOSTILE], "acc-sd1", planned=True)
    south = _outage(engine, ["Kantor Camat Selatan"], "acc-camat")
    notifier = Notifier(engine, configured, clock=clock, tick_s=3600, backoff_s=0.01)
    notifier.start()
    _run(notifier, (planned, "open"), (south, "open"))
    with session_scope(engine) as session:
        row = session.get(Outage, south)
        assert row is not None
        row.flapping = True
    _run(notifier, (south, "flapping"))
    notifier.stop()
    assert _got(hook, "utara") == [] and len(_got(hook, "selatan")) == 2 and len(_got(hook, "all")) == 2
    assert _got(hook, "selatan")[1].startswith("FLAPPING")
    assert _notices(engine, planned) == [("default", "open", "suppressed"), ("utara", "open", "suppressed")]
    assert ("broken", "open", "failed") in _notices(engine, south)
    assert ("broken", "flapping", "sent") not in _notices(engine, south)  # never told: no flapping news
    with session_scope(engine) as session:
        kinds = {(e.kind, e.text.partition(":")[0]) for e in timeline.entries(session, planned)}
        failed = [e.text for e in timeline.entries(session, south) if e.kind == "notification_failed"]
    assert ("notification_suppressed", "open via utara") in kinds
    assert failed and failed[0].startswith("open via broken: OUTAGE")


def test_outages_of_the_monitor_reach_their_district_only_and_planned_ones_nobody(
        engine: Engine, settings: Settings, hook: WebhookReceiver) -> None:
    """The real monitor on a seeded network: a fiber to a school of Utara is cut (route utara and
    the catch-all are told, selatan not), a planned cut of Selatan's school sends nothing and says
    so per route on its timeline; the repair closes to everyone told."""
    from netops.monitor import maintenance
    from netops.monitor.network_view import NetworkViews
    from tests.monitor.seed import seed
    from tests.monitor.test_evaluate import DEVICES, LINKS, all_up, cycle, set_ports

    with session_scope(engine) as session:
        seed(session, DEVICES, LINKS)
        for name, district in (("SMP Negeri 1", "Utara"), ("SD Negeri 2", "Selatan")):
            site = session.scalar(select(Site).where(Site.name == name))
            assert site is not None
            site.kind, site.district = "school", district
    configured = _routed(settings, hook)
    start = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    all_up(engine, configured)
    view = NetworkViews.from_settings(engine, configured).current()
    scope = maintenance.resolve_scope(view.graph, "link", "dist:sfp2,sdn2:sfp1")
    with session_scope(engine) as session:
        maintenance.create_window(session, scope, maintenance.blast_radius(view.assessment, scope),
                                  starts_at=start, ends_at=start + timedelta(hours=2), reason="splice",
                                  by="budi", now=start)
    notifier = Notifier(engine, configured, tick_s=3600, backoff_s=0.01)
    notifier.start()

    def run(minutes: int) -> None:
        evaluation = cycle(engine, configured, start + timedelta(minutes=minutes))
        _run(notifier, *[(i, "open") for i in (*evaluation.outages.opened, *evaluation.outages.unplanned)],
             *[(i, "close") for i in evaluation.outages.closed])

    set_ports(engine, "down", ("dist", "sfp1"), ("smpn1", "sfp1"), ("dist", "sfp2"), ("sdn2", "sfp1"))
    run(5)
    assert sorted(hook.paths) == ["/all", "/utara"]
    assert all("SMP Negeri 1" in m["message"] and "SD Negeri 2" not in m["message"] for m in hook.messages)
    with session_scope(engine) as session:
        planned = session.scalar(select(Outage).where(Outage.planned.is_(True)))
        assert planned is not None
        said = [e.text for e in timeline.entries(session, planned.id) if e.kind == "notification_suppressed"]
    assert said and said[0].startswith("open: planned works #")
    set_ports(engine, "up", ("dist", "sfp1"), ("smpn1", "sfp1"))
    run(10)
    notifier.stop()
    assert sorted(hook.paths) == ["/all", "/all", "/utara", "/utara"]
    assert all(m["title"].startswith("RECOVERED") and m["title"].endswith("(after 5m 0s)")
               for m in hook.messages[2:])


def test_planned_works_are_announced_once_before_they_start_with_the_contacts(
        engine: Engine, settings: Settings, hook: WebhookReceiver) -> None:
    from inventory.models import MaintenanceWindow

    _seed(engine)
    with session_scope(engine) as session:
        school = session.scalar(select(Site).where(Site.name == HOSTILE))
        assert school is not None
        school.contact_name, school.contact_phone = "Bu Sri", "0812-1111"
        for minutes in (45, 180):  # the second starts too late to be announced yet
            session.add(MaintenanceWindow(
                scope="link", target="dist:sfp1--acc-sd1:sfp1", starts_at=T0 + timedelta(minutes=minutes),
                ends_at=T0 + timedelta(minutes=minutes + 120), reason="splice <b>", created_by="budi",
                created_at=T0, scope_devices=["acc-sd1"],
                blast_radius=[{"site": "Aula Kelurahan", "effect": "degraded"},
                              {"site": HOSTILE, "effect": "disconnected"}]))
    configured = _routed(settings, hook)
    configured = dataclasses.replace(configured, notifications=dataclasses.replace(
        configured.notifications, notice_before_minutes=60))
    clock = Clock()
    notifier = Notifier(engine, configured, clock=clock, tick_s=3600, backoff_s=0.01)
    notifier.start()
    _run(notifier)
    _run(notifier)  # once per route, not every tick
    notifier.stop()
    notifier = Notifier(engine, configured, clock=clock, tick_s=3600, backoff_s=0.01)
    notifier.start()
    clock.at(10)
    _run(notifier)  # nor after a restart
    notifier.stop()
    assert sorted(hook.paths) == ["/all", "/utara"]
    message = hook.messages[0]
    assert message["title"] == "PLANNED WORKS 2026-05-04 09:45–11:45 WIB: splice <b>"
    assert message["message"].startswith(f"Sites cut off (1): {HOSTILE} (contact: Bu Sri, 0812-1111)\n"
                                         "Left on a single path (1): Aula Kelurahan")
    assert "https://netops.example.go.id/maintenance" in message["message"]


def test_a_flapping_fiber_sends_one_flapping_message_and_nothing_while_it_flaps(
        engine: Engine, settings: Settings, hook: WebhookReceiver) -> None:
    """The real cycle path (fake network, fake clock): the fiber to the school fails six times;
    after the outage is found flapping it stays open, and its later failures send nothing."""
    from tests.monitor.test_flapping import _rig

    for rig in _rig(engine, dataclasses.replace(settings, notifications=dataclasses.replace(
            settings.notifications, urls=(hook.url,), retries=0)), flap_changes=4, flap_window_s=300):
        notifier = Notifier(engine, rig.runner.settings, clock=rig.clock, tick_s=3600, backoff_s=0.01)
        rig.runner.notifier = notifier
        notifier.start()
        rig.cycle(0)
        for _ in range(6):
            rig.cycle(30, "down")
            assert notifier.wait_idle(10)
            rig.cycle(30, "up")
            assert notifier.wait_idle(10)
        notifier.stop()
    titles = [m["title"].split(":")[0] for m in hook.messages]
    assert titles == ["OUTAGE", "RECOVERED", "OUTAGE", "RECOVERED", "FLAPPING"]
    with session_scope(engine) as session:
        [flap] = session.scalars(select(Outage).where(Outage.flapping.is_(True))).all()
        sent = [e.text for e in timeline.entries(session, flap.id) if e.kind == "notification_sent"]
    assert sent[-1].startswith("flapping via default: FLAPPING")
