"""Counter arithmetic (``netops.store.rates``): wraps, resets, missing samples, never negative."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from netops.store.rates import Rates, Sample, compute_rates, counter_delta, utilization

G = 1_000_000_000


def s(at: float, octets: int | None, bits: int = 64, uptime: float | None = None,
      errors: int | None = 0) -> Sample:
    return Sample(at_s=at, in_octets=octets, out_octets=octets, in_errors=errors, out_errors=errors,
                  counter_bits=bits, uptime_s=uptime)


def test_plain_rate_in_bits_per_second() -> None:
    rates = compute_rates(s(0, 1000), s(10, 1000 + 125_000_000), speed_bps=G)
    assert rates.in_bps == 100_000_000 and rates.out_bps == 100_000_000
    assert rates.utilization_pct == 10.0


def test_counter32_wrap_is_one_wrap() -> None:
    assert counter_delta(2**32 - 100, 50, 32) == 150
    rates = compute_rates(s(0, 2**32 - 1000, bits=32), s(1, 1000, bits=32), speed_bps=G)
    assert rates.in_bps == 2000 * 8


def test_counter64_decrease_is_a_reset_not_a_wrap() -> None:
    assert counter_delta(5_000, 10, 64) is None
    assert compute_rates(s(0, 5_000), s(60, 10)).in_bps is None


def test_reboot_gives_no_rate_even_when_counters_grew() -> None:
    rates = compute_rates(s(0, 100, uptime=5000.0), s(60, 10_000, uptime=30.0))
    assert rates == Rates()


def test_missing_samples_give_no_rate() -> None:
    assert compute_rates(None, s(0, 10)) == Rates()
    assert compute_rates(s(0, None), s(60, 10)).in_bps is None
    assert compute_rates(s(0, 10), s(0, 20)) == Rates()  # no time elapsed
    assert compute_rates(s(60, 10), s(0, 20)) == Rates()  # clock went back


def test_absurd_rate_above_line_speed_is_dropped() -> None:
    # a Counter32 that wrapped twice in 10 s on a 10 Mb/s port looks like ~3.4 Gb/s: not plausible
    rates = compute_rates(s(0, 10, bits=32), s(10, 5, bits=32), speed_bps=10_000_000)
    assert rates.in_bps is None


def test_switch_between_32_and_64_bit_counters_gives_no_rate() -> None:
    assert compute_rates(s(0, 10, bits=32), s(10, 20, bits=64)) == Rates()


def test_error_rate_per_second() -> None:
    rates = compute_rates(s(0, 0, errors=10), s(10, 0, errors=110))
    assert rates.in_errors_per_s == 10.0


def test_utilization_capped_and_unknown_without_speed() -> None:
    assert utilization(2 * G, 0, G) == 100.0
    assert utilization(G, None, None) is None


counters = st.one_of(st.none(), st.integers(min_value=-5, max_value=2**64 + 5))


@given(a=counters, b=counters, bits=st.sampled_from([32, 64]), dt=st.floats(-10, 1000, allow_nan=False),
       up1=st.one_of(st.none(), st.floats(0, 1e9)), up2=st.one_of(st.none(), st.floats(0, 1e9)),
       speed=st.one_of(st.none(), st.integers(1, 10**12)))
def test_never_negative_never_above_plausible(a: int | None, b: int | None, bits: int, dt: float,
                                              up1: float | None, up2: float | None,
                                              speed: int | None) -> None:
    rates = compute_rates(s(0, a, bits, up1, a), s(dt, b, bits, up2, b), speed)
    for value in (rates.in_bps, rates.out_bps, rates.in_errors_per_s, rates.out_errors_per_s):
        assert value is None or value >= 0
    if speed and rates.in_bps is not None:
        assert rates.in_bps <= speed * 1.5
    if rates.utilization_pct is not None:
        assert 0 <= rates.utilization_pct <= 100
