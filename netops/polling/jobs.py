"""Job specifications: which poll kinds run how often for which devices, spread over the interval.

A job (``status``, ``counters``, ``discovery``, ``ssh``) has a default interval from
``Settings.polling``; a poll group (``polling.group_intervals = ["schools.status=120"]``) or a
device (``Device.status_interval_s`` ...) may override it. Devices sharing a job and an interval
form one ``JobSpec`` (one scheduler entry). Within a cycle every device starts at a fixed,
deterministic offset (a hash of job and device name), so a thousand devices do not all start in
the same second and a device is polled at the same phase every cycle, exactly one interval apart.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from collectors.observations import PollKind
from netops.settings import Settings

JOB_NAMES = ("status", "counters", "discovery", "ssh")
MAINTENANCE_JOB = "maintenance"
MAINTENANCE_INTERVAL_S = 3600

_FALLBACK_KINDS: dict[str, frozenset[PollKind]] = {
    "status": frozenset({PollKind.INTERFACES}),
    "counters": frozenset({PollKind.COUNTERS}),
    "discovery": frozenset({PollKind.FACTS, PollKind.INTERFACES, PollKind.NEIGHBORS, PollKind.OPTICS}),
    "ssh": frozenset({PollKind.CONFIG, PollKind.NEIGHBORS, PollKind.FACTS}),
}


def job_kinds(job: str) -> frozenset[PollKind]:
    """The poll kinds of ``job``: ``netops.polling.poll_task.JOB_KINDS`` when present, else the
    documented set."""
    try:
        from netops.polling.poll_task import JOB_KINDS
    except ImportError:  # pragma: no cover - only while the poll task is not written yet
        return _FALLBACK_KINDS[job]
    return frozenset(JOB_KINDS[job])


@dataclass(frozen=True, slots=True)
class JobSpec:
    """One scheduler entry: a job for the devices that share one interval."""

    name: str
    interval_s: int
    kinds: frozenset[PollKind]
    spread: float = 0.5
    default: bool = True

    @property
    def job_id(self) -> str:
        """``status`` for the default interval group; ``status@120s`` for an override group."""
        return self.name if self.default else f"{self.name}@{self.interval_s}s"

    @property
    def window_s(self) -> float:
        """Devices start within the first ``spread`` of the interval, leaving room to finish."""
        return self.interval_s * self.spread


@dataclass(frozen=True, slots=True)
class DeviceIntervals:
    """What the planner needs of a device (kept apart from the ORM for unit tests)."""

    name: str
    poll_group: str | None = None
    status_interval_s: int | None = None
    counters_interval_s: int | None = None
    discovery_interval_s: int | None = None
    ssh_interval_s: int | None = None


@dataclass(frozen=True, slots=True)
class PlannedPoll:
    device: str
    offset_s: float


def default_intervals(settings: Settings, overrides: Mapping[str, int] | None = None) -> dict[str, int]:
    """The global interval per job, with command-line overrides applied."""
    polling = settings.polling
    result = {
        "status": polling.status_interval_s,
        "counters": polling.counters_interval_s,
        "discovery": polling.discovery_interval_s,
        "ssh": polling.ssh_interval_s,
    }
    for job, seconds in (overrides or {}).items():
        if job not in result:
            raise ValueError(f"unknown job {job!r}; jobs are {', '.join(JOB_NAMES)}")
        if seconds <= 0:
            raise ValueError(f"interval of {job} must be positive, got {seconds}")
        result[job] = int(seconds)
    return result


def parse_group_intervals(entries: Iterable[str]) -> dict[tuple[str, str], int]:
    """``["schools.status=120"]`` -> ``{("schools", "status"): 120}``; malformed entries raise."""
    parsed: dict[tuple[str, str], int] = {}
    for entry in entries:
        key, sep, value = entry.partition("=")
        group, dot, job = key.strip().rpartition(".")
        if not sep or not dot or not group or job not in JOB_NAMES or not value.strip().isdigit():
            raise ValueError(f"polling.group_intervals entry {entry!r} is not GROUP.JOB=SECONDS")
        parsed[(group, job)] = int(value)
    return parsed


def device_interval(device: DeviceIntervals, job: str, defaults: Mapping[str, int],
                    groups: Mapping[tuple[str, str], int]) -> int:
    """Device override, else poll-group override, else the job's default interval."""
    own = getattr(device, f"{job}_interval_s")
    if own:
        return int(own)
    if device.poll_group and (device.poll_group, job) in groups:
        return groups[(device.poll_group, job)]
    return defaults[job]


def jitter_fraction(job: str, device: str) -> float:
    """A stable number in [0, 1) from job and device name (the same on every host and run)."""
    digest = hashlib.sha256(f"{job}\0{device}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def build_specs(devices: Iterable[DeviceIntervals], settings: Settings,
                overrides: Mapping[str, int] | None = None) -> list[JobSpec]:
    """One spec per job for the default interval, plus one per distinct override interval."""
    defaults = default_intervals(settings, overrides)
    groups = group_intervals(settings)
    spread = spread_of(settings)
    seen: set[tuple[str, int]] = {(job, defaults[job]) for job in JOB_NAMES}
    for device in devices:
        for job in JOB_NAMES:
            seen.add((job, device_interval(device, job, defaults, groups)))
    specs = []
    for job, interval in sorted(seen):
        specs.append(JobSpec(name=job, interval_s=interval, kinds=job_kinds(job), spread=spread,
                             default=interval == defaults[job]))
    return specs


def plan_cycle(spec: JobSpec, devices: Iterable[DeviceIntervals], settings: Settings,
               overrides: Mapping[str, int] | None = None) -> list[PlannedPoll]:
    """The devices of ``spec`` with their start offsets in the cycle, earliest first."""
    job = spec.name
    defaults = default_intervals(settings, overrides)
    groups = group_intervals(settings)
    planned = [
        PlannedPoll(device=d.name, offset_s=jitter_fraction(job, d.name) * spec.window_s)
        for d in devices if device_interval(d, job, defaults, groups) == spec.interval_s
    ]
    return sorted(planned, key=lambda p: (p.offset_s, p.device))


def group_intervals(settings: Settings) -> dict[tuple[str, str], int]:
    return parse_group_intervals(settings.polling.group_intervals)


def spread_of(settings: Settings) -> float:
    spread = float(settings.polling.spread)
    return min(max(spread, 0.0), 0.9)


def with_spread(spec: JobSpec, spread: float) -> JobSpec:
    return replace(spec, spread=spread)


def specs_by_id(specs: Iterable[JobSpec]) -> dict[str, JobSpec]:
    return {spec.job_id: spec for spec in specs}
