"""The slow-or-unstable verdict on a device's bursts: loss and latency thresholds, sustained, hysteresis."""

from __future__ import annotations

import pytest

from netops.monitor.latency import MIN_BURSTS, Burst, Impairment, Thresholds, judge
from netops.settings import ConfigError, load_settings
from topology.wording import impairment_text

LIMITS = Thresholds(loss_pct=10.0, window_s=300, latency_factor=3.0, latency_min_ms=20.0)


def bursts(*received: int, rtt: float = 4.0, sent: int = 5) -> list[Burst]:
    return [Burst(sent, r, rtt if r else None) for r in received]


def test_sustained_loss_over_the_window_is_impaired_with_the_figure() -> None:
    verdict = judge(bursts(4, 3, 4, 3, 4), usual_ms=4.0, limits=LIMITS)  # 7 of 25 lost: 28 %
    assert verdict == Impairment(300, loss_pct=28.0)
    assert verdict.reason() == "28 % of packets lost over the last 5 min"
    assert verdict.reason("id") == "28 % paket hilang dalam 5 menit terakhir"


def test_one_bad_burst_is_not_sustained() -> None:
    assert judge(bursts(2), usual_ms=4.0, limits=LIMITS) is None  # 60 % of one burst
    assert judge(bursts(2, 5), usual_ms=4.0, limits=LIMITS) is None  # fewer than MIN_BURSTS bursts
    assert MIN_BURSTS == 3
    assert judge(bursts(5, 5, 5, 5, 4), usual_ms=4.0, limits=LIMITS) is None  # 4 % over the window


def test_loss_at_the_threshold_counts() -> None:
    ten_pct = [Burst(10, 9, 4.0)] * 3
    assert judge(ten_pct, usual_ms=4.0, limits=LIMITS) == Impairment(300, loss_pct=10.0)


def test_silence_is_down_or_filtered_not_loss() -> None:
    """A device that never answers ping (ICMP filtered) or was down for the window is not lossy;
    after a recovery the silent bursts do not make it look unstable."""
    assert judge(bursts(0, 0, 0, 0, 0), usual_ms=None, limits=LIMITS) is None
    assert judge(bursts(0, 0, 0, 5, 5, 5), usual_ms=4.0, limits=LIMITS) is None
    assert judge(bursts(5, 5, 0, 5, 5, 0, 0, 5), usual_ms=4.0, limits=LIMITS) is None  # blips of down time


def test_latency_far_above_its_usual_is_impaired() -> None:
    verdict = judge(bursts(5, 5, 5, rtt=180.0), usual_ms=4.0, limits=LIMITS)
    assert verdict == Impairment(300, rtt_ms=180.0, usual_ms=4.0)
    assert verdict.reason() == "round trip 180 ms, usually 4 ms"
    assert verdict.reason("id") == "latensi 180 ms, biasanya 4 ms"


def test_latency_needs_both_the_factor_and_the_floor() -> None:
    assert judge(bursts(5, 5, 5, rtt=2.0), usual_ms=0.3, limits=LIMITS) is None  # 6x but only 2 ms
    assert judge(bursts(5, 5, 5, rtt=50.0), usual_ms=25.0, limits=LIMITS) is None  # 50 ms but only 2x
    assert judge(bursts(5, 5, 5, rtt=75.0), usual_ms=25.0, limits=LIMITS) is not None
    assert judge(bursts(5, 5, 5, rtt=500.0), usual_ms=None, limits=LIMITS) is None  # no baseline yet


def test_latency_is_the_median_of_the_window_not_one_spike() -> None:
    window = [Burst(5, 5, 4.0), Burst(5, 5, 900.0), Burst(5, 5, 5.0), Burst(5, 5, 4.5)]
    assert judge(window, usual_ms=4.0, limits=LIMITS) is None


def test_loss_and_latency_together_say_both() -> None:
    verdict = judge(bursts(3, 3, 3, rtt=120.0), usual_ms=10.0, limits=LIMITS)
    assert verdict is not None
    assert verdict.reason() == "40 % of packets lost over the last 5 min; round trip 120 ms, usually 10 ms"


def test_an_impaired_device_recovers_below_seventy_percent_of_the_thresholds() -> None:
    eight_pct = bursts(5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4)  # 5 of 75 lost: 6.7 %
    nine_pct = [Burst(100, 92, 4.0)] * 3  # 8 %
    assert judge(nine_pct, usual_ms=4.0, limits=LIMITS) is None
    assert judge(nine_pct, usual_ms=4.0, limits=LIMITS, was_impaired=True) is not None  # stays
    assert judge(eight_pct, usual_ms=4.0, limits=LIMITS, was_impaired=True) is None  # recovered
    assert judge(bursts(5, 5, 5, rtt=9.0), usual_ms=4.0, limits=LIMITS, was_impaired=True) is None
    assert judge(bursts(5, 5, 5, rtt=22.0), usual_ms=4.0, limits=LIMITS, was_impaired=True) is not None


def test_window_in_seconds_is_worded_in_seconds() -> None:
    assert impairment_text(loss_pct=30.0, window_s=15) == "30 % of packets lost over the last 15 s"
    assert impairment_text("id", loss_pct=4.25, window_s=15) == "4.2 % paket hilang dalam 15 detik terakhir"
    assert impairment_text(rtt_ms=0.84, usual_ms=0.12) == "round trip 0.84 ms, usually 0.12 ms"


def test_thresholds_come_from_settings() -> None:
    settings = load_settings(environ={"NETOPS_MONITOR__LOSS_PCT": "5", "NETOPS_MONITOR__LOSS_WINDOW_S": "120",
                                      "NETOPS_MONITOR__LATENCY_FACTOR": "2.5",
                                      "NETOPS_MONITOR__LATENCY_MIN_MS": "30"})
    assert Thresholds.of(settings.monitor) == Thresholds(5.0, 120, 2.5, 30.0, 24)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("NETOPS_MONITOR__LOSS_PCT", "0", "monitor.loss_pct: must be between 0.1 and 100"),
    ("NETOPS_MONITOR__LOSS_PCT", "150", "monitor.loss_pct: must be between 0.1 and 100"),
    ("NETOPS_MONITOR__ICMP_COUNT", "0", "monitor.icmp_count: must be between 1 and 100"),
    ("NETOPS_MONITOR__LATENCY_FACTOR", "0.5", "monitor.latency_factor: must be between 1 and 1000"),
    ("NETOPS_MONITOR__LOSS_WINDOW_S", "many", "NETOPS_MONITOR__LOSS_WINDOW_S: expected an integer"),
])
def test_bad_thresholds_are_refused_naming_the_setting(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(environ={name: value})


def test_a_burst_longer_than_thirty_seconds_is_refused() -> None:
    with pytest.raises(ConfigError, match="a burst must end within 30 s"):
        load_settings(environ={"NETOPS_MONITOR__ICMP_COUNT": "40", "NETOPS_MONITOR__ICMP_INTERVAL_S": "1"})
