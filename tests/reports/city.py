"""A small city network driven through the real path with a fake clock: polls -> apply -> assess.

Each ``tick(at)`` builds the status poll results of every device from ``ports`` (oper status per
port) and ``dead`` (devices that do not answer SNMP nor ping), and hands them to
``netops.apply.apply_results`` as the scheduler does, so outages open and close exactly at the
ticks' times.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, select

from collectors.observations import ErrorKind, InterfaceState, OperStatus, PollError, PollKind, PollResult
from inventory.db import session_scope
from inventory.models import Site
from netops.apply import apply_results, probes_of
from netops.monitor.monitor import Monitor
from netops.settings import Settings
from tests.monitor.seed import seed
from tests.monitor.test_evaluate import DEVICES, LINKS

SITES = {  # name: (kind, district)
    "Balai Kota": ("core", "Magelang Tengah"),
    "Kecamatan Utara": ("district", "Magelang Utara"),
    "Kecamatan Selatan": ("district", "Magelang Selatan"),
    "SMP Negeri 1": ("school", "Magelang Utara"),
    "SD Negeri 2": ("school", "Magelang Utara"),
    "RSUD": ("health", "Magelang Selatan"),
}


@dataclass
class City:
    engine: Engine
    settings: Settings
    ports: dict[str, dict[str, str]] = field(default_factory=dict)
    dead: set[str] = field(default_factory=set)

    @classmethod
    def seeded(cls, engine: Engine, settings: Settings) -> City:
        with session_scope(engine) as session:
            seed(session, DEVICES, LINKS)
            for site in session.scalars(select(Site)):
                site.kind, site.district = SITES[site.name]
        ports: dict[str, dict[str, str]] = {}
        for a, ap, b, bp in LINKS:
            ports.setdefault(a, {})[ap] = "up"
            ports.setdefault(b, {})[bp] = "up"
        return cls(engine, settings, ports)

    def set(self, status: str, *ends: tuple[str, str]) -> None:
        for device, port in ends:
            self.ports[device][port] = status

    def tick(self, at: datetime) -> None:
        results = []
        for d in DEVICES:
            name = d["name"]
            if name in self.dead:
                silent = (PollError(ErrorKind.TIMEOUT, "no answer"),)
                results.append(PollResult(device_key=name, profile="fake", transport="snmp", started_at=at,
                                          finished_at=at, errors=silent))
                continue
            states = tuple(InterfaceState(name=p, oper_status=OperStatus(s))
                           for p, s in self.ports[name].items())
            results.append(PollResult(device_key=name, profile="fake", transport="snmp", started_at=at,
                                      finished_at=at, completed=frozenset({PollKind.INTERFACES}),
                                      interfaces=states))
        icmp = {d["name"]: d["name"] not in self.dead for d in DEVICES}
        with session_scope(self.engine) as session:
            apply_results(session, Monitor(self.settings), results, job="status", now=at,
                          probes=probes_of(results, icmp, "status"))
