"""Notifications: one message per outage and per recovery to a real local webhook, never blocking."""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from inventory.db import session_scope
from inventory.models import Outage
from netops.monitor.notifications import Notifier, build_message, format_duration
from netops.settings import Settings
from tests.monitor.webhook import WebhookReceiver, refusing_url

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def _outage(engine: Engine, ended: bool = False) -> int:
    with session_scope(engine) as session:
        row = Outage(root_cause_type="link", root_cause="dist:sfp1--smpn1:sfp1", started_at=T0,
                     ended_at=T0 + timedelta(seconds=125) if ended else None,
                     affected_sites=["SMP Negeri 1"], affected_devices=["smpn1"])
        session.add(row)
        session.flush()
        return row.id


def _with(settings: Settings, urls: tuple[str, ...], language: str = "en", retries: int = 2) -> Settings:
    return dataclasses.replace(settings, notifications=dataclasses.replace(
        settings.notifications, urls=urls, language=language, retries=retries))


def test_open_and_recovery_reach_the_webhook_once_each(engine: Engine, settings: Settings) -> None:
    with WebhookReceiver() as hook:
        notifier = Notifier(engine, _with(settings, (hook.url,)), backoff_s=0.05)
        notifier.start()
        outage_id = _outage(engine)
        notifier.enqueue(outage_id, "open")
        notifier.enqueue(outage_id, "open")  # duplicate while pending is dropped
        assert notifier.wait_idle(10)
        with session_scope(engine) as session:
            row = session.get(Outage, outage_id)
            assert row is not None and row.notified_open
            row.ended_at = T0 + timedelta(seconds=125)
        notifier.enqueue(outage_id, "close")
        notifier.enqueue_pending()  # nothing left to send
        assert notifier.wait_idle(10)
        notifier.stop()
    assert len(hook.messages) == 2
    opened, closed = hook.messages
    assert "dist:sfp1--smpn1:sfp1" in opened["title"] and "SMP Negeri 1" in opened["message"]
    assert closed["title"].startswith("RECOVERED") and "2m 5s" in closed["title"]


def test_a_refusing_target_is_retried_in_the_background(engine: Engine, settings: Settings) -> None:
    notifier = Notifier(engine, _with(settings, (refusing_url(),), retries=2), backoff_s=0.05)
    notifier.start()
    outage_id = _outage(engine)
    started = time.monotonic()
    notifier.enqueue(outage_id, "open")
    assert time.monotonic() - started < 0.05  # the caller (a poll) never waits for the network
    assert notifier.wait_idle(30)
    notifier.stop()
    assert notifier.failed == 1 and notifier.sent == 0
    with session_scope(engine) as session:
        row = session.get(Outage, outage_id)
        assert row is not None and row.notified_open  # given up after the retries, logged


def test_message_in_bahasa_indonesia(engine: Engine) -> None:
    outage = Outage(id=7, root_cause_type="device", root_cause="dist-utara", started_at=T0,
                    ended_at=T0 + timedelta(seconds=3725), affected_sites=["SD Negeri 2", "SMP Negeri 1"],
                    affected_devices=[])
    message = build_message(outage, "close", "id", T0)
    assert message.title == "PULIH: perangkat dist-utara (setelah 1j 2m 5d)"
    assert "Lokasi terdampak (2): SD Negeri 2, SMP Negeri 1" in message.body
    assert format_duration(59.6) == "1m 0s"


def test_message_says_the_cause_as_the_help_desk_does_in_its_language() -> None:
    words = {"en": "the fiber between Kantor Kelurahan Wates and SMP Negeri 2 is cut",
             "id": "serat optik antara Kantor Kelurahan Wates dan SMP Negeri 2 putus"}
    outage = Outage(id=8, root_cause_type="link", root_cause="acc-kel-wates:sfp2--acc-smpn2:sfp1",
                    started_at=T0, affected_sites=["SMP Negeri 2"], affected_devices=["acc-smpn2"],
                    degraded_sites=["Kantor A"], cause_words=words)
    english, bahasa = build_message(outage, "open", "en", T0), build_message(outage, "open", "id", T0)
    assert english.title == f"OUTAGE: {words['en']}" and bahasa.title == f"GANGGUAN: {words['id']}"
    assert "Left on a single path (1): Kantor A" in english.body and "Tinggal satu jalur (1)" in bahasa.body


def test_with_a_public_url_the_message_links_the_outage_page_and_the_fiber_card(
        engine: Engine, settings: Settings) -> None:
    """``web.public_url`` set: the field crew opens the outage page and the cut fiber's card from
    the message (port names with ``/`` stay readable, a space is quoted)."""
    with session_scope(engine) as session:
        row = Outage(root_cause_type="link", root_cause="core:Gi1/0/2--dist selatan:Gi0/0/1", started_at=T0,
                     affected_sites=["SD Negeri 3"], affected_devices=["dist selatan"])
        session.add(row)
        session.flush()
        outage_id = row.id
    public = dataclasses.replace(settings, web=dataclasses.replace(settings.web,
                                                                   public_url="https://netops.example.go.id/"))
    with WebhookReceiver() as hook:
        notifier = Notifier(engine, _with(public, (hook.url,), language="id"), backoff_s=0.05)
        notifier.start()
        notifier.enqueue(outage_id, "open")
        assert notifier.wait_idle(10)
        notifier.stop()
    body = hook.messages[0]["message"]
    assert f"Rincian: https://netops.example.go.id/outages/{outage_id}" in body
    assert "Kartu serat untuk tim lapangan: https://netops.example.go.id/map/fiber/" \
           "core:Gi1/0/2--dist%20selatan:Gi0/0/1" in body
    plain = build_message(Outage(id=3, root_cause_type="device", root_cause="dist", started_at=T0),
                          "open", "en", T0)
    assert "http" not in plain.body  # no public_url: no links
