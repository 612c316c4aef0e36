"""Counter arithmetic: deltas and rates from two raw samples, safe against wraps and resets.

A rate is only given when it can be trusted. Counter32 values that went down wrapped once
(delta = current + 2^32 - previous); a Counter64 never wraps in practice, so a decrease
there is a reset. A device reboot (sysUpTime went back) resets every counter: no rate. A
missing value, no time elapsed, or a rate above 1.5 x the interface speed (a 32-bit counter
that wrapped more than once, or an unnoticed reset) also give no rate. Rates are never
negative.
"""

from __future__ import annotations

from dataclasses import dataclass

WRAP_32 = 2**32
ABSURD_FACTOR = 1.5


@dataclass(frozen=True, slots=True)
class Sample:
    """The fields of a counter sample the arithmetic needs (from a CounterSample or a DB row)."""

    at_s: float
    in_octets: int | None
    out_octets: int | None
    in_errors: int | None = None
    out_errors: int | None = None
    counter_bits: int = 64
    uptime_s: float | None = None


@dataclass(frozen=True, slots=True)
class Rates:
    in_bps: float | None = None
    out_bps: float | None = None
    in_errors_per_s: float | None = None
    out_errors_per_s: float | None = None
    utilization_pct: float | None = None


def counter_delta(previous: int | None, current: int | None, bits: int) -> int | None:
    """current - previous, allowing one Counter32 wrap; None when unknown or reset."""
    if previous is None or current is None or previous < 0 or current < 0:
        return None
    if current >= previous:
        return current - previous
    if bits == 32 and previous < WRAP_32:
        return current + WRAP_32 - previous
    return None


def rebooted(previous: Sample, current: Sample) -> bool:
    """True when sysUpTime went back between the samples (the agent restarted)."""
    before, after = previous.uptime_s, current.uptime_s
    return before is not None and after is not None and after < before


def _per_second(delta: int | None, elapsed: float, scale: float = 1.0) -> float | None:
    return None if delta is None else delta * scale / elapsed


def _plausible(bps: float | None, speed_bps: int | None) -> float | None:
    if bps is None or bps < 0:
        return None
    if speed_bps and bps > speed_bps * ABSURD_FACTOR:
        return None
    return bps


def compute_rates(previous: Sample | None, current: Sample, speed_bps: int | None = None) -> Rates:
    """Rates between two samples of one interface, or empty Rates when they cannot be trusted."""
    if previous is None or rebooted(previous, current):
        return Rates()
    elapsed = current.at_s - previous.at_s
    if elapsed <= 0:
        return Rates()
    if previous.counter_bits != current.counter_bits:
        return Rates()  # switched between 32- and 64-bit counters: not comparable
    bits = current.counter_bits
    in_delta = counter_delta(previous.in_octets, current.in_octets, bits)
    out_delta = counter_delta(previous.out_octets, current.out_octets, bits)
    in_bps = _plausible(_per_second(in_delta, elapsed, 8), speed_bps)
    out_bps = _plausible(_per_second(out_delta, elapsed, 8), speed_bps)
    in_err = _per_second(counter_delta(previous.in_errors, current.in_errors, 32), elapsed)
    out_err = _per_second(counter_delta(previous.out_errors, current.out_errors, 32), elapsed)
    return Rates(in_bps, out_bps, in_err, out_err, utilization(in_bps, out_bps, speed_bps))


def utilization(in_bps: float | None, out_bps: float | None, speed_bps: int | None) -> float | None:
    """The busier direction as a percentage of the interface speed (capped at 100)."""
    busiest = max((v for v in (in_bps, out_bps) if v is not None), default=None)
    if busiest is None or not speed_bps:
        return None
    return min(100.0, busiest * 100.0 / speed_bps)
