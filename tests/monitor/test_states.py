"""Link verdicts from the two ends' readings: cut, dead neighbour, degraded, unknown."""

from __future__ import annotations

from netops.monitor.states import LinkStatus, PortReading, Verdict, link_name, link_verdict, probe_verdict


def end(device: str, oper: str, fresh: bool = True, **kw: float) -> PortReading:
    return PortReading(device=device, port="sfp1", fresh=fresh, oper_status=oper, admin_status="up", **kw)


def verdict(a: PortReading, b: PortReading) -> LinkStatus:
    return link_verdict(a, b, error_threshold=1.0, optical_margin_db=3.0).status


def test_down_needs_both_polled_ends_to_agree() -> None:
    assert verdict(end("dist", "down"), end("school", "down")) == LinkStatus.DOWN
    assert verdict(end("dist", "up"), end("school", "down")) == LinkStatus.UNKNOWN  # wait for the next poll
    assert verdict(end("dist", "up", fresh=False), end("school", "down")) == LinkStatus.DOWN  # dist silent
    admin = PortReading(device="dist", port="sfp1", fresh=True, oper_status="down", admin_status="down")
    assert link_verdict(admin, end("school", "down"), 1.0, 3.0).reason == "dist:sfp1 ifAdminStatus=down"


def test_degraded_and_unknown() -> None:
    assert verdict(end("a", "up", errors_per_s=5.0), end("b", "up")) == LinkStatus.DEGRADED
    weak = end("a", "up", rx_dbm=-26.0, rx_low_alarm_dbm=-28.0)  # within the 3 dB margin
    assert verdict(weak, end("b", "up")) == LinkStatus.DEGRADED
    assert verdict(end("a", "up", rx_dbm=-20.0, rx_low_alarm_dbm=-28.0), end("b", "up")) == LinkStatus.UP
    assert verdict(end("a", "down", fresh=False), end("b", "up", fresh=False)) == LinkStatus.UNKNOWN


def test_probe_verdicts_and_link_names() -> None:
    assert probe_verdict(False, True) == Verdict.AGENT_DOWN
    assert probe_verdict(False, None) == Verdict.SILENT
    assert probe_verdict(None, None) == Verdict.UNKNOWN
    assert link_name("z", "p1", "a", "p2") == link_name("a", "p2", "z", "p1") == "a:p2--z:p1"
