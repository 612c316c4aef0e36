"""Planned works with a fake clock: blast radius before saving, planned outages send nothing,
the end of the works with a site still down notifies once, acknowledgement and notes."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select

from cli import exit_codes, main
from inventory.db import session_scope
from inventory.models import MaintenanceWindow, Outage, OutageEntry
from netops.monitor import maintenance, timeline
from netops.monitor.network_view import NetworkViews
from netops.monitor.notifications import Notifier
from netops.monitor.queries import active_outages
from netops.settings import Settings
from tests.monitor.seed import seed
from tests.monitor.test_evaluate import DEVICES, LINKS, T0, UPLINK, all_up, cycle, set_ports
from tests.monitor.webhook import WebhookReceiver


@pytest.fixture
def db(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        seed(session, DEVICES, LINKS)
    return engine



@pytest.fixture
def utc(settings: Settings) -> Settings:
    return dataclasses.replace(settings, web=dataclasses.replace(settings.web, timezone="UTC"))


def plan(engine: Engine, settings: Settings, kind: str, target: str, start: datetime, end: datetime,
         rrule: str | None = None) -> tuple[int, list[dict[str, str]]]:
    view = NetworkViews.from_settings(engine, settings).current()
    scope = maintenance.resolve_scope(view.graph, kind, target)
    radius = maintenance.blast_radius(view.assessment, scope)
    with session_scope(engine) as session:
        row = maintenance.create_window(session, scope, radius, starts_at=start, ends_at=end,
                                        reason="splice SMPN1", by="budi", now=T0, rrule=rrule)
        return row.id, list(row.blast_radius)


def test_blast_radius_of_a_fiber_a_site_a_district_and_unknown_names(db: Engine, utc: Settings) -> None:
    all_up(db, utc)
    view = NetworkViews.from_settings(db, utc).current()
    fiber = maintenance.blast_radius(view.assessment, maintenance.resolve_scope(view.graph, "link",
                                                                                "dist:sfp1,smpn1:sfp1"))
    assert fiber.lost_sites == ("SMP Negeri 1",)
    dist = maintenance.blast_radius(view.assessment, maintenance.resolve_scope(view.graph, "site",
                                                                               "Kecamatan Utara"))
    assert {"Kecamatan Utara", "SMP Negeri 1", "SD Negeri 2"} <= set(dist.lost_sites)
    assert "RSUD" in dist.degraded_sites  # still on its second fiber, but only one
    with pytest.raises(maintenance.MaintenanceError, match="did you mean Kecamatan Utara"):
        maintenance.resolve_scope(view.graph, "site", "Kecamatan Utar")
    with pytest.raises(maintenance.MaintenanceError, match="nearest"):
        maintenance.resolve_scope(view.graph, "device", "dits")


def test_bad_times_and_rules_are_refused(db: Engine, utc: Settings) -> None:
    all_up(db, utc)
    with pytest.raises(maintenance.MaintenanceError, match="after the start"):
        plan(db, utc, "link", UPLINK, T0, T0)
    with pytest.raises(maintenance.MaintenanceError, match="rrule"):
        plan(db, utc, "link", UPLINK, T0, T0 + timedelta(hours=1), rrule="FREQ=SOMETIMES")


def _with_hook(settings: Settings, url: str) -> Settings:
    notes = dataclasses.replace(settings.notifications, urls=(url,), retries=0)
    return dataclasses.replace(settings, notifications=notes)


def _notify(notifier: Notifier, evaluation) -> None:  # type: ignore[no-untyped-def]
    for outage_id in (*evaluation.outages.opened, *evaluation.outages.unplanned):
        notifier.enqueue(outage_id, "open")
    for outage_id in evaluation.outages.closed:
        notifier.enqueue(outage_id, "close")
    assert notifier.wait_idle(10)


def test_a_cut_inside_the_window_is_planned_and_silent_and_the_end_notifies_once(
        db: Engine, utc: Settings) -> None:
    all_up(db, utc)
    window, radius = plan(db, utc, "link", UPLINK, T0 + timedelta(minutes=5), T0 + timedelta(hours=6))
    assert radius == [{"site": "SMP Negeri 1", "effect": "disconnected"}]
    with WebhookReceiver() as hook:
        settings = _with_hook(utc, hook.url)
        notifier = Notifier(db, settings, backoff_s=0.01)
        notifier.start()
        set_ports(db, "down", ("dist", "sfp1"), ("smpn1", "sfp1"))
        first = cycle(db, settings, T0 + timedelta(minutes=10))
        _notify(notifier, first)
        assert first.outages.planned == first.outages.opened
        with session_scope(db) as session:
            [view] = active_outages(session)
            assert view.planned and view.maintenance_id == window
            assert view.to_json()["planned"] is True and view.to_json()["maintenance_id"] == window
        assert hook.messages == []
        # still cut an hour later: still planned, still silent
        _notify(notifier, cycle(db, settings, T0 + timedelta(hours=1)))
        assert hook.messages == []
        # the works end at 14:00 UTC with the fiber still cut: one normal outage message
        after = cycle(db, settings, T0 + timedelta(hours=6, minutes=1))
        _notify(notifier, after)
        _notify(notifier, cycle(db, settings, T0 + timedelta(hours=6, minutes=2)))
        notifier.stop()
    assert len(hook.messages) == 1
    assert "planned works ended at 14:00 but SMP Negeri 1 is still offline" in hook.messages[0]["title"]
    with session_scope(db) as session:
        [view] = active_outages(session)
        assert not view.planned and view.maintenance_id == window
        kinds = [e.kind for e in timeline.entries(session, view.id)]
    assert kinds[:3] == ["opened", "planned", "notification_suppressed"]
    assert "maintenance_ended" in kinds and "unplanned" in kinds and kinds[-1] == "notification_sent"


def test_an_outage_beyond_the_blast_radius_is_not_planned(db: Engine, utc: Settings) -> None:
    all_up(db, utc)
    plan(db, utc, "link", UPLINK, T0, T0 + timedelta(hours=2))
    set_ports(db, "down", ("core", "xe1"), ("dist", "xe1"), ("dist2", "xe2"), ("core", "xe2"))
    evaluation = cycle(db, utc, T0 + timedelta(minutes=10))
    assert evaluation.outages.opened and not evaluation.outages.planned
    with session_scope(db) as session:
        assert not any(o.planned for o in active_outages(session))


def test_ending_the_works_early_unplans_at_the_next_quiet_evaluation(db: Engine, utc: Settings) -> None:
    all_up(db, utc)
    window, _ = plan(db, utc, "site", "SMP Negeri 1", T0, T0 + timedelta(hours=2))
    set_ports(db, "down", ("dist", "sfp1"), ("smpn1", "sfp1"))
    cycle(db, utc, T0 + timedelta(minutes=1), silent={"smpn1": False})
    with session_scope(db) as session:
        maintenance.end_window(session, window, T0 + timedelta(minutes=30))
        with pytest.raises(maintenance.MaintenanceError, match="already ended"):
            maintenance.end_window(session, window, T0 + timedelta(minutes=31))
    evaluation = cycle(db, utc, T0 + timedelta(minutes=31), silent={"smpn1": False})
    assert len(evaluation.outages.unplanned) == 1
    with session_scope(db) as session:
        outage = session.get(Outage, evaluation.outages.unplanned[0])
        assert outage is not None and not outage.planned and not outage.notified_open
        assert outage.maintenance_words and "08:30" in outage.maintenance_words["en"]
        assert "pekerjaan terencana selesai pukul 08:30" in outage.maintenance_words["id"]


def test_a_weekly_window_is_active_in_each_occurrence_only(db: Engine, utc: Settings) -> None:
    all_up(db, utc)
    window, _ = plan(db, utc, "link", UPLINK, T0, T0 + timedelta(hours=2), rrule="FREQ=WEEKLY;COUNT=3")
    with session_scope(db) as session:
        row = session.get(MaintenanceWindow, window)
        assert row is not None
        assert maintenance.current(row, T0 + timedelta(days=7, hours=1)) is not None
        assert maintenance.current(row, T0 + timedelta(days=7, hours=3)) is None
        assert maintenance.current(row, T0 + timedelta(days=21, hours=1)) is None  # COUNT=3
        assert maintenance.next_start(row, T0 + timedelta(days=1)) == T0 + timedelta(days=7)
        [shown] = [w for w in maintenance.list_windows(session, T0 + timedelta(days=1)) if w.id == window]
        assert not shown.active and shown.to_json()["next_start"] == "2026-05-08T08:00:00Z"


def test_acknowledge_notes_and_assign_are_kept_with_who_and_when(db: Engine, utc: Settings) -> None:
    all_up(db, utc)
    set_ports(db, "down", ("dist", "sfp1"), ("smpn1", "sfp1"))
    opened = cycle(db, utc, T0 + timedelta(minutes=1)).outages.opened[0]
    at = T0 + timedelta(minutes=5)
    with session_scope(db) as session:
        timeline.acknowledge(session, opened, "budi", at, note="crew on the way")
        timeline.acknowledge(session, opened, "sari", at + timedelta(minutes=1))  # the first ack stays
        timeline.add_note(session, opened, "sari", "splice at the pole", at + timedelta(minutes=2))
        timeline.assign(session, opened, "agus", "sari", at + timedelta(minutes=3))
        with pytest.raises(timeline.HandlingError, match="empty"):
            timeline.add_note(session, opened, "sari", "  ", at)
        with pytest.raises(timeline.HandlingError, match="no outage #999"):
            timeline.acknowledge(session, 999, "budi", at)
    with session_scope(db) as session:
        [view] = active_outages(session)
        data = view.to_json()
        kinds = list(session.scalars(select(OutageEntry.kind).where(OutageEntry.outage_id == opened)))
    assert data["acknowledged_by"] == "budi" and data["acknowledged_at"] == "2026-05-01T08:05:00Z"
    assert data["assignee"] == "agus"
    assert [(n["by"], n["text"]) for n in data["notes"]] == [("budi", "crew on the way"),
                                                             ("sari", "splice at the pole")]
    assert kinds.count("acknowledged") == 1 and "assigned" in kinds


def _cli(settings: Settings, *args: str) -> tuple[int, str]:
    env = {"NETOPS_DATA_DIR": str(settings.data_dir), "NETOPS_WEB__TIMEZONE": "UTC"}
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.output


def test_the_commands_plan_list_end_and_handle_outages(db: Engine, utc: Settings) -> None:
    all_up(db, utc)
    code, out = _cli(utc, "maintenance", "add", "--link", "dist:sfp1,smpn1:sfp1", "--start",
                     "2030-01-05T10:00", "--duration", "2h", "--reason", "splice SMPN1", "--by", "budi")
    assert code == 0, out
    assert "#1 on link dist:sfp1--smpn1:sfp1: 2030-01-05 10:00 UTC - 2030-01-05 12:00 UTC" in out
    assert "cut off (1): SMP Negeri 1" in out
    code, out = _cli(utc, "maintenance", "add", "--site", "Kecamatan Utar", "--duration", "1h",
                     "--reason", "x")
    assert code == exit_codes.USAGE and "did you mean Kecamatan Utara" in out
    code, out = _cli(utc, "maintenance", "add", "--device", "dist", "--site", "RSUD", "--duration", "1h",
                     "--reason", "x")
    assert code == exit_codes.USAGE and "exactly one" in out
    code, out = _cli(utc, "maintenance", "add", "--device", "dist", "--duration", "soon", "--reason", "x")
    assert code == exit_codes.USAGE and "--duration" in out
    code, out = _cli(utc, "maintenance", "add", "--district", "nowhere", "--duration", "1h", "--reason", "x",
                     "--json")
    assert code == exit_codes.USAGE and "no district" in out
    code, out = _cli(utc, "maintenance", "list", "--json")
    [window] = json.loads(out)
    assert window["blast_radius"] == [{"site": "SMP Negeri 1", "effect": "disconnected"}]
    assert window["created_by"] == "budi" and window["starts_at"] == "2030-01-05T10:00:00Z"
    code, out = _cli(utc, "maintenance", "end", "1")
    assert code == 0 and "ended" in out
    code, out = _cli(utc, "maintenance", "end", "7")
    assert code == exit_codes.USAGE and "no planned works #7" in out

    set_ports(db, "down", ("dist", "sfp1"), ("smpn1", "sfp1"))
    opened = cycle(db, utc, T0 + timedelta(minutes=1)).outages.opened[0]
    code, out = _cli(utc, "outages", "ack", str(opened), "--note", "crew on the way", "--by", "budi")
    assert code == 0 and "acknowledged by budi" in out
    assert _cli(utc, "outages", "note", str(opened), "splice at pole 12", "--by", "sari")[0] == 0
    assert _cli(utc, "outages", "assign", str(opened), "agus", "--by", "sari")[0] == 0
    code, out = _cli(utc, "outages", "ack", "999")
    assert code == exit_codes.USAGE and "no outage #999" in out
    code, out = _cli(utc, "outages", "--json")
    [row] = json.loads(out)
    assert row["acknowledged_by"] == "budi" and row["assignee"] == "agus"
    assert [n["text"] for n in row["notes"]] == ["crew on the way", "splice at pole 12"]
    code, out = _cli(utc, "outages")
    assert "acknowledged by budi" in out and "last note (sari): splice at pole 12" in out


def test_planned_downtime_is_counted_apart_in_availability(engine: Engine) -> None:
    from netops.monitor.availability import availability

    with session_scope(engine) as session:
        session.add(Outage(root_cause_type="link", root_cause="a:1--b:1", started_at=T0, planned=True,
                           ended_at=T0 + timedelta(hours=2), affected_sites=["SD 3"], affected_devices=["b"]))
        session.add(Outage(root_cause_type="link", root_cause="a:1--b:1", started_at=T0 + timedelta(hours=3),
                           ended_at=T0 + timedelta(hours=4), affected_sites=["SD 3"], affected_devices=["b"]))
    with session_scope(engine) as session:
        [day] = availability(session, "site", ["SD 3"], T0 + timedelta(hours=5), windows=("24h",))
    assert day.downtime_s == 3600 and day.planned_s == 7200 and day.outages == 1
    assert day.percent == round(100 * (1 - 3600 / 86400), 4)


def test_the_help_desk_answer_on_the_command_line_says_planned_or_who_handles_it(db: Engine,
                                                                                 utc: Settings) -> None:
    all_up(db, utc)
    set_ports(db, "down", ("dist", "sfp1"), ("smpn1", "sfp1"))
    cycle(db, utc, T0 + timedelta(minutes=1))
    [outage] = json.loads(_cli(utc, "outages", "--json")[1])
    _cli(utc, "outages", "ack", str(outage["id"]), "--note", "crew on the way", "--by", "Budi")
    code, out = _cli(utc, "status", "SMP Negeri 1", "--lang", "id")
    assert code == 0 and "sedang ditangani oleh Budi sejak" in out and "crew on the way" in out
    now = datetime.now(UTC)
    window, _ = plan(db, utc, "link", UPLINK, now - timedelta(minutes=5), now + timedelta(hours=1))
    with session_scope(db) as session:
        row = session.get(Outage, outage["id"])
        assert row is not None
        row.planned, row.maintenance_id = True, window
    code, out = _cli(utc, "status", "SMP Negeri 1", "--json")
    [answer] = json.loads(out)
    until = (now + timedelta(hours=1)).strftime("%H:%M")
    assert answer["handling"] == f"planned works until {until}: splice SMPN1"


def test_the_notifier_sends_nothing_for_planned_outages_and_no_flapping_news_once_acknowledged(
        engine: Engine, utc: Settings) -> None:
    with session_scope(engine) as session:
        planned = Outage(root_cause_type="link", root_cause="a:1--b:1", started_at=T0, planned=True,
                         ended_at=T0 + timedelta(minutes=5), affected_sites=["SD 3"], affected_devices=["b"])
        taken = Outage(root_cause_type="device", root_cause="c", started_at=T0, affected_sites=["SD 4"],
                       affected_devices=["c"], notified_open=True, flapping=True, acknowledged_by="budi",
                       acknowledged_at=T0)
        session.add_all([planned, taken])
        session.flush()
        ids = planned.id, taken.id
    with WebhookReceiver() as hook:
        notifier = Notifier(engine, _with_hook(utc, hook.url), backoff_s=0.01)
        notifier.start()
        notifier.enqueue(ids[0], "open")
        notifier.enqueue(ids[0], "close")
        notifier.enqueue(ids[1], "flapping")
        assert notifier.wait_idle(10)
        notifier.stop()
    assert hook.messages == []
    with session_scope(engine) as session:
        said = {i: [e.text for e in timeline.entries(session, i) if e.kind == "notification_suppressed"]
                for i in ids}
    assert said[ids[0]] == ["open via default: planned works #None", "close via default: planned works #None"]
    assert said[ids[1]] == ["flapping via default: acknowledged by budi"]
