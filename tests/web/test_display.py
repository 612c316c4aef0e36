"""What a reader sees: state badges carry their (translated) text, times in the configured zone.

Regression: the dashboard's up/down badges once rendered as empty coloured pills (a page-wide
``span.s-up`` colour rule painted their text in the pill's own colour); the HTML half of that
is checked here, the computed colours in ``test_browser_render``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from inventory.models import Event
from netops.settings import ConfigError, Settings, load_settings
from tests.web.conftest import FakeScheduler, login
from web import create_app

Client = Callable[[str | None], FlaskClient]
BADGE = re.compile(r'<span class="badge s-([a-z_]+)">([^<]*)</span>')


def _badges(html: str) -> list[tuple[str, str]]:
    return BADGE.findall(html)


@pytest.mark.parametrize(
    ("lang", "up", "down"), [("en", "up", "down"), ("id", "aktif", "putus")]
)
def test_dashboard_event_badges_show_their_state_in_words(
    client_as: Client, lang: str, up: str, down: str
) -> None:
    client = client_as("engineer")
    html = client.get("/", headers={"Accept-Language": lang}).get_data(as_text=True)
    events = html.split("<tbody>", 3)[2].split("</tbody>", 1)[0]  # tiles, outages, then events
    assert "acc-sdn1:sfp1--dist-utara:sfp2" in events
    badges = _badges(events)
    assert ("up", up) in badges and ("down", down) in badges
    assert all(text.strip() for _, text in _badges(html)), _badges(html)


def test_device_page_events_use_translated_badges(client_as: Client) -> None:
    html = client_as("engineer").get("/devices/acc-sdn1", headers={"Accept-Language": "id"}).get_data(
        as_text=True
    )
    events = html.split("<h2>Kejadian</h2>", 1)[1].split("</ul>", 1)[0]
    assert ("up", "aktif") in _badges(events) and ("down", "putus") in _badges(events)
    assert "up → down" not in events  # the raw English states are gone


def test_flapping_and_topology_legend_badges_have_text(client_as: Client) -> None:
    html = client_as("engineer").get("/topology").get_data(as_text=True)
    legend = html.split('class="legend"', 1)[1].split("</span>\n", 1)[0]
    assert [s for s in ("up", "degraded", "down", "unknown") if f'sw l-{s}"></span>{s}<' not in legend] == []


def _dashboard_time(settings: Settings, engine: Engine, session: Session, zone: str) -> str:
    zoned = dataclasses.replace(settings, web=dataclasses.replace(settings.web, timezone=zone))
    app = create_app(zoned, engine=engine, scheduler_control=FakeScheduler(), config={"TESTING": True})
    client = app.test_client()
    login(client, "engineer")
    return client.get("/").get_data(as_text=True)


def test_times_are_shown_in_the_configured_zone(
    app: object, settings: Settings, engine: Engine, session: Session
) -> None:
    at = session.scalars(select(Event.at).order_by(Event.at.desc())).first()
    assert at is not None
    at = at if at.tzinfo else at.replace(tzinfo=UTC)

    def shown(zone: str) -> str:
        return at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")

    assert settings.web.timezone == "Asia/Jakarta"  # the default: Magelang
    for zone, other in (("Asia/Jakarta", "UTC"), ("UTC", "Asia/Jakarta"), ("America/New_York", "UTC")):
        html = _dashboard_time(settings, engine, session, zone)
        assert shown(zone) in html, zone
        assert shown(other) not in html, zone


def test_timezone_setting_is_validated(tmp_path: object) -> None:
    env = {"NETOPS_DATA_DIR": str(tmp_path)}
    assert load_settings(environ={**env, "NETOPS_WEB__TIMEZONE": "UTC"}).web.timezone == "UTC"
    for bad in ("Mars/Olympus", "../../etc/passwd", ""):
        with pytest.raises(ConfigError, match=r"web\.timezone"):
            load_settings(environ={**env, "NETOPS_WEB__TIMEZONE": bad})
