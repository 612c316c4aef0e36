"""Notification routes: who is told of which outage, parsed and matched without any I/O.

A route names apprise URLs and a language, and matches an outage by the districts, site kinds
and device roles it touches, by its size (``min_sites``: at least that many sites cut off) and
by the time of week (``when = ["mon-fri 07:00-17:00"]``, in ``web.timezone``). Conditions
that are given must all hold; a list matches when any of its entries does; a route with no
condition matches every outage. ``only_escalation`` routes are told only when another route
escalates to them. ``notifications.urls`` is the catch-all route ``default``. The same parser
checks the config file and the admin page's form, and every error names the route and field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

CATCH_ALL = "default"
LANGUAGES = ("en", "id")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
WINDOW = re.compile(r"^\s*(?:(?P<days>[a-z,\-]+|daily)\s+)?"
                    r"(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})\s*$"
                    r"|^\s*(?P<only>[a-z,\-]+|daily)\s*$")
FIELDS = ("urls", "districts", "site_kinds", "device_roles", "min_sites", "when", "language",
          "remind_minutes", "escalate_after_minutes", "escalate_to", "only_escalation")
MAX_MINUTES = 7 * 24 * 60


class RouteError(ValueError):
    """A route is malformed; the message names the route and the field."""


@dataclass(frozen=True, slots=True)
class WeekWindow:
    """Days of the week (0 = Monday) and a start..end time of day; an end before the start
    runs over midnight (``22:00-06:00``), ``00:00-24:00`` is the whole day."""

    days: frozenset[int]
    start: time
    end: time | None  # None: until midnight (24:00)
    text: str = ""

    def contains(self, local: datetime) -> bool:
        day, now = local.weekday(), local.time().replace(tzinfo=None)
        end = self.end
        if end is not None and end <= self.start:  # over midnight: the evening part or the morning part
            return (day in self.days and now >= self.start) or ((day - 1) % 7 in self.days and now < end)
        return day in self.days and now >= self.start and (end is None or now < end)


@dataclass(frozen=True, slots=True)
class Route:
    name: str
    urls: tuple[str, ...]
    language: str = "en"
    districts: frozenset[str] = frozenset()
    site_kinds: frozenset[str] = frozenset()
    device_roles: frozenset[str] = frozenset()
    min_sites: int = 0
    when: tuple[WeekWindow, ...] = ()
    remind_minutes: int = 0
    escalate_after_minutes: int = 0
    escalate_to: str | None = None
    only_escalation: bool = False
    source: str = "config"  # config | ui | catch-all

    def to_spec(self) -> dict[str, Any]:
        """The route as the config file (and the JSON output) writes it."""
        return {"urls": list(self.urls), "language": self.language, "districts": sorted(self.districts),
                "site_kinds": sorted(self.site_kinds), "device_roles": sorted(self.device_roles),
                "min_sites": self.min_sites, "when": [w.text for w in self.when],
                "remind_minutes": self.remind_minutes, "escalate_after_minutes": self.escalate_after_minutes,
                "escalate_to": self.escalate_to, "only_escalation": self.only_escalation}


@dataclass(frozen=True, slots=True)
class OutageFacts:
    """What a route can match on, gathered from the outage and the inventory."""

    districts: frozenset[str] = frozenset()
    site_kinds: frozenset[str] = frozenset()
    device_roles: frozenset[str] = frozenset()
    sites_cut: int = 0


def _err(route: str, key: str, msg: str) -> RouteError:
    return RouteError(f"route {route!r}, {key}: {msg}")


def _strings(route: str, key: str, value: Any, *, lower: bool = False) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise _err(route, key, f"expected a list of strings, got {value!r}")
    out = tuple(v.strip().lower() if lower else v.strip() for v in value if v.strip())
    return out


def _minutes(route: str, key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_MINUTES:
        raise _err(route, key, f"expected whole minutes from 0 to {MAX_MINUTES}, got {value!r}")
    return value


def _days(route: str, text: str) -> frozenset[int]:
    if text in ("", "daily"):
        return frozenset(range(7))
    days: set[int] = set()
    for part in text.split(","):
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise _err(route, "when", f"unknown day in {text!r} (mon, tue, ..., sun, daily; e.g. 'mon-fri')")
        a, b = DAYS.index(first), DAYS.index(last or first)
        days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return frozenset(days)


def _clock(route: str, text: str, *, end: bool) -> time | None:
    hours, minutes = (int(p) for p in text.split(":"))
    if end and (hours, minutes) == (24, 0):
        return None
    if hours > 23 or minutes > 59:
        raise _err(route, "when", f"{text!r} is not a time of day (00:00 to 24:00)")
    return time(hours, minutes)


def parse_window(route: str, text: str) -> WeekWindow:
    """``mon-fri 07:00-17:00``, ``sat,sun``, ``daily 22:00-06:00``, ``07:00-17:00`` (every day)."""
    if not isinstance(text, str):
        raise _err(route, "when", f"expected a string like 'mon-fri 07:00-17:00', got {text!r}")
    match = WINDOW.match(text.strip().lower())
    if not match:
        raise _err(route, "when", f"{text!r}: write days and hours like 'mon-fri 07:00-17:00' or 'sat,sun'")
    if match.group("only"):
        return WeekWindow(_days(route, match.group("only")), time(0, 0), None, text.strip())
    start = _clock(route, match.group("start"), end=False)
    assert start is not None
    end = _clock(route, match.group("end"), end=True)
    return WeekWindow(_days(route, match.group("days") or ""), start, end, text.strip())


def parse_route(name: str, raw: Mapping[str, Any], *, source: str = "config",
                known_kinds: Iterable[str] = (), known_roles: Iterable[str] = ()) -> Route:
    """One route from its table in the config file (or the admin form); ``RouteError`` names the field."""
    if not isinstance(name, str) or not NAME.match(name):
        raise RouteError(f"route {name!r}: a name is 1 to 63 letters, digits, '-', '_' or '.'")
    if name == CATCH_ALL:
        raise RouteError(f"route {name!r}: the name is taken by the catch-all route (notifications.urls)")
    if not isinstance(raw, Mapping):
        raise RouteError(f"route {name!r}: must be a table of settings")
    for key in raw:
        if key not in FIELDS:
            raise _err(name, key, f"unknown setting (known: {', '.join(FIELDS)})")
    urls = _strings(name, "urls", raw.get("urls", []))
    if not urls:
        raise _err(name, "urls", "give at least one apprise URL (e.g. 'json://host/path', 'tgram://...')")
    for url in urls:
        if "://" not in url:
            raise _err(name, "urls", f"{_shown(url)!r} is not an apprise URL (scheme://...)")
    language = raw.get("language", "en")
    if language not in LANGUAGES:
        raise _err(name, "language", f"expected one of {', '.join(LANGUAGES)}, got {language!r}")
    kinds = _strings(name, "site_kinds", raw.get("site_kinds", []), lower=True)
    roles = _strings(name, "device_roles", raw.get("device_roles", []), lower=True)
    checks = (("site_kinds", kinds, tuple(known_kinds)), ("device_roles", roles, tuple(known_roles)))
    for key, given, known in checks:
        unknown = [v for v in given if known and v not in known]
        if unknown:
            raise _err(name, key, f"unknown {', '.join(map(repr, unknown))} (known: {', '.join(known)})")
    min_sites = raw.get("min_sites", 0)
    if isinstance(min_sites, bool) or not isinstance(min_sites, int) or min_sites < 0:
        raise _err(name, "min_sites", f"expected a whole number of sites (0: any), got {min_sites!r}")
    when = tuple(parse_window(name, w) for w in _strings(name, "when", raw.get("when", [])))
    escalate_to = raw.get("escalate_to") or None
    if escalate_to is not None and not isinstance(escalate_to, str):
        raise _err(name, "escalate_to", f"expected a route name, got {escalate_to!r}")
    if escalate_to == name:
        raise _err(name, "escalate_to", "a route cannot escalate to itself")
    after = _minutes(name, "escalate_after_minutes", raw.get("escalate_after_minutes", 0))
    if bool(after) != bool(escalate_to):
        raise _err(name, "escalate_to" if after else "escalate_after_minutes",
                   "give both escalate_after_minutes and escalate_to, or neither")
    only = raw.get("only_escalation", False)
    if not isinstance(only, bool):
        raise _err(name, "only_escalation", f"expected true or false, got {only!r}")
    return Route(name=name, urls=urls, language=language, districts=frozenset(_strings(name, "districts",
                 raw.get("districts", []))), site_kinds=frozenset(kinds), device_roles=frozenset(roles),
                 min_sites=min_sites, when=when,
                 remind_minutes=_minutes(name, "remind_minutes", raw.get("remind_minutes", 0)),
                 escalate_after_minutes=after, escalate_to=escalate_to, only_escalation=only, source=source)


def _shown(url: str) -> str:
    return url[:40]


def parse_routes(raw: Any, **known: Iterable[str]) -> tuple[Route, ...]:
    """``[notifications.routes.NAME]`` tables, in file order; escalation targets must exist."""
    if not isinstance(raw, Mapping):
        raise RouteError("routes: expected tables [notifications.routes.NAME]")
    routes = tuple(parse_route(name, spec, **known) for name, spec in raw.items())  # type: ignore[arg-type]
    check_targets(routes)
    return routes


def check_targets(routes: Sequence[Route], extra: Iterable[str] = (CATCH_ALL,)) -> None:
    """Every ``escalate_to`` names a known route."""
    names = {r.name for r in routes} | set(extra)
    for route in routes:
        if route.escalate_to and route.escalate_to not in names:
            raise _err(route.name, "escalate_to", f"no route named {route.escalate_to!r} "
                       f"(routes: {', '.join(sorted(names))})")


def matches(route: Route, facts: OutageFacts, local_now: datetime) -> bool:
    """Whether ``route`` is told of an outage with ``facts`` at ``local_now`` (web.timezone)."""
    if route.only_escalation:
        return False
    wanted = {d.casefold() for d in route.districts}  # "Magelang Utara" = "magelang utara"
    if wanted and not wanted & {d.casefold() for d in facts.districts}:
        return False
    if route.site_kinds and not route.site_kinds & facts.site_kinds:
        return False
    if route.device_roles and not route.device_roles & facts.device_roles:
        return False
    if route.min_sites and facts.sites_cut < route.min_sites:
        return False
    return not route.when or any(w.contains(local_now) for w in route.when)


def select_routes(routes: Sequence[Route], facts: OutageFacts, local_now: datetime) -> list[Route]:
    """The routes told of an outage's opening (the catch-all, if any, is among ``routes``)."""
    return [r for r in routes if matches(r, facts, local_now)]


def by_name(routes: Iterable[Route]) -> dict[str, Route]:
    return {r.name: r for r in routes}
