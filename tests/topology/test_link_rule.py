"""The one link rule: a link's status from the readings of its two ends."""

from __future__ import annotations

from topology.graph import LinkEnd, link_key
from topology.link_rule import LinkThresholds, PortReading, link_verdict
from topology.states import LinkStatus

LIMITS = LinkThresholds(error_rate_per_s=1.0, optical_margin_db=3.0)


def end(device: str, oper: str, fresh: bool = True, **kw: float) -> PortReading:
    return PortReading(device=device, port="sfp1", fresh=fresh, oper_status=oper, admin_status="up", **kw)


def verdict(a: PortReading, b: PortReading) -> LinkStatus:
    return link_verdict(a, b, LIMITS).status


def test_down_needs_both_polled_ends_to_agree() -> None:
    assert verdict(end("dist", "down"), end("school", "down")) == LinkStatus.DOWN
    assert verdict(end("dist", "up"), end("school", "down")) == LinkStatus.UNKNOWN  # wait for the next poll
    assert verdict(end("dist", "up", fresh=False), end("school", "down")) == LinkStatus.DOWN  # dist silent
    admin = PortReading(device="dist", port="sfp1", fresh=True, oper_status="down", admin_status="down")
    assert link_verdict(admin, end("school", "down"), LIMITS).evidence == "dist:sfp1 ifAdminStatus=down"


def test_not_present_and_lower_layer_down_are_down_in_every_spelling() -> None:
    for oper in ("notPresent", "lowerLayerDown", "not_present", "lower_layer_down"):
        assert verdict(end("a", oper), end("b", "down")) == LinkStatus.DOWN


def test_degraded_and_unknown() -> None:
    assert verdict(end("a", "up", errors_per_s=5.0), end("b", "up")) == LinkStatus.DEGRADED
    weak = end("a", "up", rx_dbm=-26.0, rx_low_alarm_dbm=-28.0)  # within the 3 dB margin
    assert verdict(weak, end("b", "up")) == LinkStatus.DEGRADED
    assert verdict(end("a", "up", rx_dbm=-20.0, rx_low_alarm_dbm=-28.0), end("b", "up")) == LinkStatus.UP
    assert verdict(end("a", "down", fresh=False), end("b", "up", fresh=False)) == LinkStatus.UNKNOWN


def test_one_link_id_whatever_order_the_ends_come_in() -> None:
    assert link_key(LinkEnd("z", "p1"), LinkEnd("a", "p2")) == link_key(
        LinkEnd("a", "p2"), LinkEnd("z", "p1")
    )
    assert link_key(LinkEnd("z", "p1"), LinkEnd("a", "p2")) == "a:p2--z:p1"
