"""Job specs: defaults and overrides, deterministic jitter that spreads devices over the interval."""

from __future__ import annotations

import dataclasses
import statistics

import pytest

from netops.polling.jobs import (
    DeviceIntervals,
    build_specs,
    jitter_fraction,
    parse_group_intervals,
    plan_cycle,
)
from netops.settings import Settings


def test_default_specs_follow_settings_and_command_line(settings: Settings) -> None:
    specs = {s.job_id: s.interval_s for s in build_specs([], settings)}
    assert specs == {"status": 60, "counters": 300, "discovery": 3600, "ssh": 86400}
    specs = {s.job_id: s.interval_s for s in build_specs([], settings, {"status": 5})}
    assert specs["status"] == 5


def test_device_and_group_overrides_make_their_own_job(settings: Settings) -> None:
    polling = dataclasses.replace(settings.polling, group_intervals=("schools.status=120",))
    settings = dataclasses.replace(settings, polling=polling)
    devices = [DeviceIntervals("a"), DeviceIntervals("b", poll_group="schools"),
               DeviceIntervals("c", status_interval_s=30)]
    specs = {s.job_id: s for s in build_specs(devices, settings)}
    assert {"status", "status@120s", "status@30s"} <= set(specs)
    assert [p.device for p in plan_cycle(specs["status"], devices, settings)] == ["a"]
    assert [p.device for p in plan_cycle(specs["status@120s"], devices, settings)] == ["b"]
    assert [p.device for p in plan_cycle(specs["status@30s"], devices, settings)] == ["c"]


def test_jitter_is_deterministic_and_spreads_devices_over_the_window(settings: Settings) -> None:
    devices = [DeviceIntervals(f"sw-{i:04d}") for i in range(1000)]
    spec = {s.job_id: s for s in build_specs(devices, settings)}["status"]
    first = plan_cycle(spec, devices, settings)
    assert first == plan_cycle(spec, devices, settings)
    offsets = [p.offset_s for p in first]
    assert min(offsets) >= 0 and max(offsets) < spec.window_s
    per_second = [sum(1 for o in offsets if int(o) == s) for s in range(int(spec.window_s))]
    assert max(per_second) < 3 * statistics.mean(per_second)  # no thundering herd
    assert jitter_fraction("status", "a") != jitter_fraction("counters", "a")


@pytest.mark.parametrize("entry", ["schools=120", "schools.nojob=5", ".status=5", "schools.status=x"])
def test_malformed_group_interval_is_rejected(entry: str) -> None:
    with pytest.raises(ValueError, match=r"GROUP\.JOB=SECONDS"):
        parse_group_intervals([entry])
