"""Prometheus metrics at ``/metrics`` and a liveness probe at ``/healthz``.

A custom collector reads the stored state at scrape time (device up, link state, interface
rates, optical levels, last poll durations per job); no labels carry secrets, and label
values are cleaned of terminal escapes and bidi controls (``inventory.display``).

The metrics name devices, links and sites that only engineers see in the UI, so reading them
needs one of: a logged-in engineer or admin (session or API token), the Prometheus token of
``web.metrics_token`` (``Authorization: Bearer``, compared in constant time), or
``web.metrics_anonymous = true``. Anyone else gets 401 (403 for a help-desk user).
"""

from __future__ import annotations

import hmac
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from inventory.display import clean
from netops.encryption import ENC_PREFIX, SecretError, decrypt
from netops.settings import ConfigError, Settings
from web import history, readers

bp = Blueprint("metrics", __name__)
# A province is tens of thousands of samples: one exposition serves every scrape for this long
# (scrapers come every 15 s or more; the stored states change once per poll cycle).
CACHE_S = 5.0
_cache_lock = threading.Lock()


class StoredStateCollector(Collector):
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[Metric]:
        with self.sessions() as session:
            yield from _device_metrics(session)
            yield from _link_metrics(session)
            yield from _interface_metrics(session)
            yield from _job_metrics(session)


def _device_metrics(session: Session) -> Iterator[Metric]:
    up = GaugeMetricFamily(
        "netops_device_up", "1 if the device answers polls", labels=["device", "site", "role"]
    )
    for d in readers.list_devices(session):
        up.add_metric([clean(d.name), clean(d.site or ""), d.role], 1.0 if d.state == "up" else 0.0)
    yield up


def _link_metrics(session: Session) -> Iterator[Metric]:
    state = GaugeMetricFamily("netops_link_up", "1 up, 0 down, 0.5 degraded, -1 unknown", labels=["link"])
    value = {"up": 1.0, "down": 0.0, "degraded": 0.5}
    for link in readers.list_links(session):
        state.add_metric([clean(link.name)], value.get(link.state, -1.0))
    yield state


def _interface_metrics(session: Session) -> Iterator[Metric]:
    rate = GaugeMetricFamily(
        "netops_interface_rate_bps", "Interface traffic rate", labels=["device", "interface", "direction"]
    )
    rx = GaugeMetricFamily("netops_optical_rx_dbm", "Optical receive power", labels=["device", "interface"])
    tx = GaugeMetricFamily("netops_optical_tx_dbm", "Optical transmit power", labels=["device", "interface"])
    for i in readers.list_interfaces(session):
        device, name = clean(i.device), clean(i.name)
        if i.in_bps is not None:
            rate.add_metric([device, name, "in"], i.in_bps)
        if i.out_bps is not None:
            rate.add_metric([device, name, "out"], i.out_bps)
        if i.rx_dbm is not None:
            rx.add_metric([device, name], i.rx_dbm)
        if i.tx_dbm is not None:
            tx.add_metric([device, name], i.tx_dbm)
    yield from (rate, rx, tx)


def _job_metrics(session: Session) -> Iterator[Metric]:
    duration = GaugeMetricFamily(
        "netops_poll_duration_seconds", "Duration of the last cycle of a job", labels=["job"]
    )
    for status in history.job_statuses(session):
        if status.last_run is not None and status.last_run.duration_s is not None:
            duration.add_metric([status.job], status.last_run.duration_s)
    yield duration


def _may_read_metrics() -> bool:
    if current_app.config["METRICS_ANONYMOUS"]:
        return True
    user = g.get("user")
    if user is not None:
        if not user.has_role("engineer") or user.scope:  # whole-network figures
            abort(403)
        return True
    expected: str | None = current_app.extensions["netops.metrics_token"]
    header = request.headers.get("Authorization", "")
    if expected and header.startswith("Bearer "):
        return hmac.compare_digest(header[7:].strip().encode(), expected.encode())
    return False


@bp.get("/metrics")
def metrics() -> ResponseReturnValue:
    if not _may_read_metrics():
        abort(401)
    registry: CollectorRegistry = current_app.extensions["netops.metrics"]
    cache: dict[str, tuple[float, bytes]] = current_app.extensions.setdefault("netops.metrics_cache", {})
    with _cache_lock:
        made_at, body = cache.get("body", (float("-inf"), b""))
        if time.monotonic() - made_at >= CACHE_S:
            body = generate_latest(registry)
            cache["body"] = (time.monotonic(), body)
    return Response(body, mimetype=CONTENT_TYPE_LATEST)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    try:
        with current_app.extensions["netops.sessions"]() as session:
            session.execute(text("SELECT 1"))
    except Exception as exc:  # the probe reports, it does not crash
        return jsonify({"status": "error", "database": type(exc).__name__}), 503
    return jsonify({"status": "ok", "database": "ok"})


def _read_reference(ref: str, settings: Settings) -> str:
    """The value behind ``env:NAME``, ``file:PATH`` (first line) or ``enc:...``.

    Like ``netops.secrets.resolve``, which the web may not import (it hands out the collectors'
    ``Secret`` type, and the web never reaches the collectors).
    """
    if ref.startswith("env:"):
        name = ref[len("env:"):]
        if name not in os.environ:
            raise SecretError(f"environment variable {name} is not set")
        return os.environ[name]
    if ref.startswith("file:"):
        path = Path(ref[len("file:"):]).expanduser()
        try:
            lines = path.read_text().splitlines()
        except OSError as exc:
            raise SecretError(f"cannot read secret file {path}: {exc.strerror}") from None
        return lines[0].strip() if lines else ""
    if ref.startswith(ENC_PREFIX):
        return decrypt(ref, settings)
    raise SecretError("write a reference (env:NAME or file:PATH), not the token")


def _metrics_token(app: Flask) -> str | None:
    """The Prometheus token behind ``web.metrics_token``, read once at start-up."""
    settings: Settings = app.extensions["netops.settings"]
    if not settings.web.metrics_token:
        return None
    try:
        token = _read_reference(settings.web.metrics_token, settings)
    except SecretError as exc:
        raise ConfigError(f"web.metrics_token: {exc}") from None
    if len(token) < 16:
        raise ConfigError("web.metrics_token: the token must have at least 16 characters")
    return token


def init_app(app: Flask) -> None:
    app.config.setdefault("METRICS_ANONYMOUS", app.extensions["netops.settings"].web.metrics_anonymous)
    app.extensions["netops.metrics_token"] = _metrics_token(app)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoredStateCollector(app.extensions["netops.sessions"]))
    app.extensions["netops.metrics"] = registry
    app.register_blueprint(bp)
