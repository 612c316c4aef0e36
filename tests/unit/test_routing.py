"""Notification routes: parsing (errors name the route and field) and matching, without I/O."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from netops.monitor.routing import (
    OutageFacts,
    RouteError,
    parse_route,
    parse_routes,
    parse_window,
    select_routes,
)
from netops.settings import ConfigError, load_settings

MONDAY_9 = datetime(2026, 5, 4, 9, 0)  # a Monday
SATURDAY_9 = datetime(2026, 5, 9, 9, 0)
SCHOOL_A = OutageFacts(districts=frozenset({"Utara"}), site_kinds=frozenset({"school"}),
                       device_roles=frozenset({"access"}), sites_cut=1)


def _route(name: str, **spec: object) -> object:
    return parse_route(name, {"urls": ["json://127.0.0.1:1/x"], **spec})


def test_a_school_in_district_a_goes_to_route_a_only() -> None:
    routes = parse_routes({"utara": {"urls": ["json://h/a"], "districts": ["Utara"]},
                           "selatan": {"urls": ["json://h/b"], "districts": ["Selatan"]},
                           "core": {"urls": ["json://h/c"], "device_roles": ["core"]},
                           "big": {"urls": ["json://h/d"], "min_sites": 5},
                           "schools": {"urls": ["json://h/e"], "site_kinds": ["school"],
                                       "districts": ["Selatan"]}})
    assert [r.name for r in select_routes(routes, SCHOOL_A, MONDAY_9)] == ["utara"]
    lower = parse_route("lower", {"urls": ["json://h/x"], "districts": ["UTARA"]})
    assert select_routes([lower], SCHOOL_A, MONDAY_9)  # districts match whatever the case
    big_core = OutageFacts(districts=frozenset({"Selatan"}), site_kinds=frozenset({"agency"}),
                           device_roles=frozenset({"core", "distribution"}), sites_cut=7)
    assert [r.name for r in select_routes(routes, big_core, MONDAY_9)] == ["selatan", "core", "big"]


def test_time_of_week_windows() -> None:
    office = parse_window("r", "mon-fri 07:00-17:00")
    assert office.contains(MONDAY_9) and not office.contains(SATURDAY_9)
    assert not office.contains(datetime(2026, 5, 4, 17, 0))  # the end is exclusive
    night = parse_window("r", "fri 22:00-06:00")  # over midnight into Saturday
    assert night.contains(datetime(2026, 5, 8, 23, 0)) and night.contains(datetime(2026, 5, 9, 5, 59))
    assert not night.contains(datetime(2026, 5, 9, 23, 0)) and not night.contains(datetime(2026, 5, 8, 5, 0))
    weekend = parse_window("r", "sat,sun")
    assert weekend.contains(SATURDAY_9) and not weekend.contains(MONDAY_9)
    wrap = parse_window("r", "sat-mon 00:00-24:00")
    assert wrap.contains(MONDAY_9) and not wrap.contains(datetime(2026, 5, 5, 9, 0))
    route = parse_route("duty", {"urls": ["json://h/x"], "when": ["mon-fri 07:00-17:00"]})
    assert select_routes([route], SCHOOL_A, MONDAY_9) and not select_routes([route], SCHOOL_A, SATURDAY_9)


def test_escalation_only_routes_match_nothing_by_themselves() -> None:
    boss = parse_route("boss", {"urls": ["json://h/x"], "only_escalation": True})
    assert select_routes([boss], SCHOOL_A, MONDAY_9) == []


@pytest.mark.parametrize(("spec", "words"), [
    ({"urls": []}, "route 'r', urls: give at least one"),
    ({"urls": ["nourl"]}, "route 'r', urls: 'nourl' is not an apprise URL"),
    ({"urls": ["json://h"], "language": "fr"}, "route 'r', language"),
    ({"urls": ["json://h"], "when": ["mon-fry 07:00-17:00"]}, "route 'r', when: unknown day"),
    ({"urls": ["json://h"], "when": ["mon 25:00-26:00"]}, "route 'r', when: '25:00'"),
    ({"urls": ["json://h"], "remind_minutes": -5}, "route 'r', remind_minutes"),
    ({"urls": ["json://h"], "escalate_to": "boss"}, "route 'r', escalate_after_minutes: give both"),
    ({"urls": ["json://h"], "min_sites": "many"}, "route 'r', min_sites"),
    ({"urls": ["json://h"], "colour": "red"}, "route 'r', colour: unknown setting"),
    ({"urls": ["json://h"], "site_kinds": ["castle"]}, "route 'r', site_kinds: unknown 'castle'"),
])
def test_errors_name_the_route_and_the_field(spec: dict[str, object], words: str) -> None:
    with pytest.raises(RouteError) as err:
        parse_route("r", spec, known_kinds=("school", "core"))
    assert words in str(err.value)


def test_config_file_routes_and_their_errors(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text('[notifications]\nurls = ["json://127.0.0.1:9/all"]\nremind_minutes = 30\n'
                    '[notifications.routes.utara]\nurls = ["json://127.0.0.1:9/utara"]\n'
                    'districts = ["Utara"]\n'
                    'language = "id"\nescalate_after_minutes = 60\nescalate_to = "kepala"\n'
                    '[notifications.routes.kepala]\nurls = ["json://127.0.0.1:9/kepala"]\n'
                    'only_escalation = true\n')
    settings = load_settings(good, environ={"NETOPS_DATA_DIR": str(tmp_path)})
    utara, kepala = settings.notifications.routes
    assert (utara.name, utara.language, utara.escalate_to, utara.escalate_after_minutes) == \
        ("utara", "id", "kepala", 60)
    assert kepala.only_escalation and settings.notifications.remind_minutes == 30
    bad = tmp_path / "bad.toml"
    bad.write_text('[notifications.routes.utara]\nurls = ["json://h/x"]\nescalate_after_minutes = 5\n'
                   'escalate_to = "nobody"\n')
    with pytest.raises(ConfigError, match="route 'utara', escalate_to: no route named 'nobody'"):
        load_settings(bad, environ={"NETOPS_DATA_DIR": str(tmp_path)})
    bad.write_text('[notifications.routes.utara]\nurls = ["json://h/x"]\nwhen = ["someday"]\n')
    with pytest.raises(ConfigError, match=r"bad.toml: notifications.routes: route 'utara', when"):
        load_settings(bad, environ={"NETOPS_DATA_DIR": str(tmp_path)})
    env = {"NETOPS_DATA_DIR": str(tmp_path),
           "NETOPS_NOTIFICATIONS__ROUTES": '{"x": {"urls": ["json://h/x"], "device_roles": ["core"]}}'}
    [x] = load_settings(environ=env).notifications.routes
    assert x.device_roles == frozenset({"core"})
