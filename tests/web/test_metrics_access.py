"""``/metrics`` names devices and links: anonymous reading is a setting (off by default), a
Prometheus token (a secret reference, ``Authorization: Bearer``) or an engineer's login opens it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine

from netops.settings import ConfigError, Settings, load_settings
from tests.web.conftest import login
from web import create_app

TOKEN = "prometheus-scrape-token-0123456789"


def _app(settings: Settings, engine: Engine, **web: object) -> Flask:
    changed = dataclasses.replace(settings, web=dataclasses.replace(settings.web, **web))
    return create_app(changed, engine=engine, config={"TESTING": True})


def test_anonymous_metrics_are_refused_by_default(app: Flask) -> None:
    response = app.test_client().get("/metrics")
    assert response.status_code == 401
    assert "acc-smpn1" not in response.get_data(as_text=True)


def test_roles_reading_metrics(app: Flask) -> None:
    for role, status in (("helpdesk", 403), ("engineer", 200), ("admin", 200)):
        client = app.test_client()
        login(client, role)
        response = client.get("/metrics")
        assert response.status_code == status, role
        assert ("netops_device_up" in response.get_data(as_text=True)) == (status == 200)


def test_prometheus_token_from_the_environment(
    settings: Settings, engine: Engine, session: object, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETOPS_TEST_METRICS_TOKEN", TOKEN)
    scraped = _app(settings, engine, metrics_token="env:NETOPS_TEST_METRICS_TOKEN").test_client()
    ok = scraped.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200 and 'netops_device_up{device="acc-smpn1"' in ok.get_data(as_text=True)
    for wrong in (TOKEN[:-1], TOKEN + "x", "", "nto_" + TOKEN):
        assert scraped.get("/metrics", headers={"Authorization": f"Bearer {wrong}"}).status_code == 401
    assert scraped.get("/metrics", headers={"Authorization": TOKEN}).status_code == 401  # no scheme
    # the metrics token is not an API token
    assert scraped.get("/api/v1/sites", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 401


def test_prometheus_token_from_a_file(settings: Settings, engine: Engine, app: Flask, tmp_path: Path) -> None:
    secret = tmp_path / "metrics.token"
    secret.write_text(TOKEN + "\n")
    scraped = _app(settings, engine, metrics_token=f"file:{secret}").test_client()
    assert scraped.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_anonymous_metrics_when_configured(settings: Settings, engine: Engine, app: Flask) -> None:
    assert _app(settings, engine, metrics_anonymous=True).test_client().get("/metrics").status_code == 200


def test_bad_metrics_token_settings_name_the_key(settings: Settings, engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"web\.metrics_token: environment variable NETOPS_NO_SUCH_VAR"):
        _app(settings, engine, metrics_token="env:NETOPS_NO_SUCH_VAR")
    short = tmp_path / "short"
    short.write_text("abc")
    with pytest.raises(ConfigError, match="at least 16 characters"):
        _app(settings, engine, metrics_token=f"file:{short}")
    with pytest.raises(ConfigError, match=r"web\.metrics_token: write a reference"):
        load_settings(environ={"NETOPS_WEB__METRICS_TOKEN": TOKEN})
    with pytest.raises(ConfigError, match=r"web\.threads"):
        load_settings(environ={"NETOPS_WEB__THREADS": "0"})
    assert load_settings(environ={"NETOPS_WEB__METRICS_ANONYMOUS": "yes"}).web.metrics_anonymous is True
