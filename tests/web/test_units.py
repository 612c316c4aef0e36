"""Pure logic of the web layer: search, connectivity verdicts, availability, layout, formatting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from web.connectivity import Network, site_status
from web.history import availability
from web.layout import radial_layout
from web.search import rank
from web.views import DeviceView, LinkView, OutageView, SiteView

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
NAMES = [
    "SMP Negeri 1 Magelang",
    "SMA Negeri 1 Magelang",
    "SMA Negeri 3 Magelang",
    "SD Negeri Kedungsari",
    "SD Negeri 1 Magelang",
    "Puskesmas Magelang Utara",
]


@pytest.mark.parametrize(
    ("query", "best"),
    [
        ("sd 1 magelang", "SD Negeri 1 Magelang"),
        ("smpn1", "SMP Negeri 1 Magelang"),
        ("SMP negri 1 magelng", "SMP Negeri 1 Magelang"),
        ("sma 3", "SMA Negeri 3 Magelang"),
        ("sd kedungsri", "SD Negeri Kedungsari"),
        ("puskesmas utara", "Puskesmas Magelang Utara"),
    ],
)
def test_search_finds_the_intended_site(query: str, best: str) -> None:
    assert rank(query, NAMES, [[n] for n in NAMES])[0][1] == best


def test_search_numbers_must_match() -> None:
    assert all(name != "SMA Negeri 1 Magelang" for _, name in rank("sma 3", NAMES, [[n] for n in NAMES]))
    assert rank("xyz", NAMES, [[n] for n in NAMES]) == []


def _dev(name: str, role: str = "access", state: str = "up") -> DeviceView:
    return DeviceView(
        name=name,
        address="",
        role=role,
        site=None,
        district=None,
        platform=None,
        enabled=True,
        state=state,
        state_since=NOW - timedelta(hours=1),
        sys_name=None,
    )


def _link(i: int, a: str, b: str, state: str = "up") -> LinkView:
    return LinkView(
        id=i,
        a_device=a,
        a_port="p",
        b_device=b,
        b_port="p",
        medium="fiber",
        source="declared",
        declared=True,
        state=state,
        since=NOW - timedelta(minutes=5),
        reason=None,
        utilization_pct=None,
        speed_bps=None,
        last_seen=None,
    )


def _site(device: str) -> SiteView:
    return SiteView(
        name=device.upper(),
        kind="school",
        district=None,
        address=None,
        contact_name=None,
        contact_phone=None,
        devices=(device,),
    )


RING = [_dev("core", "core"), _dev("d1", "distribution"), _dev("d2", "distribution"), _dev("s1"), _dev("s2")]


def test_single_homed_school_behind_cut_fiber_is_offline_with_link_cause() -> None:
    net = Network(
        RING,
        [
            _link(1, "core", "d1"),
            _link(2, "d1", "d2"),
            _link(3, "d1", "s1", "down"),
            _link(4, "d2", "s2"),
            _link(5, "core", "d2"),
        ],
    )
    status = site_status(_site("s1"), net, [])
    assert status.state == "offline"
    assert (status.cause.kind, status.cause.a, status.cause.b) == ("link", "d1", "s1")  # type: ignore[union-attr]
    assert status.path == ("core", "d1", "s1")
    assert status.since == NOW - timedelta(minutes=5)
    assert site_status(_site("s2"), net, []).state == "online"


def test_ring_break_degrades_nothing_downstream_but_dead_switch_is_the_cause() -> None:
    devices = [*RING[:2], _dev("d2", "distribution", "down"), *RING[3:]]
    net = Network(
        devices,
        [
            _link(1, "core", "d1"),
            _link(2, "d1", "d2"),
            _link(4, "d2", "s2"),
            _link(5, "core", "d2"),
            _link(3, "d1", "s1"),
        ],
    )
    status = site_status(_site("s2"), net, [])
    assert status.state == "offline" and status.cause is not None and status.cause.a == "d2"
    assert site_status(_site("s1"), net, []).state == "online"


def test_dual_homed_site_with_one_uplink_down_is_degraded() -> None:
    net = Network(
        RING,
        [_link(1, "core", "d1"), _link(2, "core", "d2"), _link(3, "d1", "s1"), _link(4, "d2", "s1", "down")],
    )
    status = site_status(_site("s1"), net, [])
    assert status.state == "degraded" and status.down_links == ("d2:p--s1:p",)


def test_open_outage_gives_cause_and_since() -> None:
    net = Network(RING, [_link(1, "core", "d1"), _link(3, "d1", "s1", "down")])
    outage = OutageView(
        id=1,
        root_cause_type="device",
        root_cause="d1",
        cause_text=None,
        started_at=NOW,
        ended_at=None,
        duration_s=0,
        affected_sites=("S1",),
        affected_devices=("s1",),
        flapping=False,
    )
    status = site_status(_site("s1"), net, [outage])
    assert status.cause is not None and (status.cause.kind, status.cause.a) == ("device", "d1")
    assert status.since == NOW


def test_site_without_devices_is_unknown() -> None:
    site = SiteView(
        name="Empty",
        kind="school",
        district=None,
        address=None,
        contact_name=None,
        contact_phone=None,
        devices=(),
    )
    assert site_status(site, Network(RING, []), []).state == "unknown"


def _outage(site: str, start_h: float, end_h: float | None) -> OutageView:
    start = NOW - timedelta(hours=start_h)
    end = NOW - timedelta(hours=end_h) if end_h is not None else None
    return OutageView(
        id=1,
        root_cause_type="link",
        root_cause="x",
        cause_text=None,
        started_at=start,
        ended_at=end,
        duration_s=0,
        affected_sites=(site,),
        affected_devices=(),
        flapping=False,
    )


def test_availability_merges_overlaps_and_clips_to_window() -> None:
    outages = [_outage("A", 10, 8), _outage("A", 9, 7), _outage("B", 5, 1), _outage("A", 24 * 40, 24 * 39)]
    assert availability(outages, "A", 7, NOW) == pytest.approx(100 * (1 - 3 / (7 * 24)))
    assert availability(outages, "C", 30, NOW) == 100.0
    assert availability([_outage("A", 1, None)], "A", 7, NOW) == pytest.approx(100 * (1 - 1 / (7 * 24)))


def test_layout_is_deterministic_and_inside_the_canvas() -> None:
    links = [_link(1, "core", "d1"), _link(2, "core", "d2"), _link(3, "d1", "s1"), _link(4, "d2", "s2")]
    first, second = radial_layout(RING, links), radial_layout(list(reversed(RING)), list(reversed(links)))
    assert first == second
    assert first["core"] == (500.0, 500.0)
    assert all(0 <= x <= 1000 and 0 <= y <= 1000 for x, y in first.values())
    assert len(set(first.values())) == len(RING)


def test_duration_format(app) -> None:  # type: ignore[no-untyped-def]
    from web.extensions import format_bps, format_duration

    with app.test_request_context(headers={"Accept-Language": "id"}):
        assert format_duration(17 * 60 + 5) == "17 menit"
        assert format_duration(3 * 3600) == "3 jam"
    with app.test_request_context():
        assert format_duration(60) == "1 minute"
        assert format_duration(3 * 86400) == "3 days"
        assert format_bps(2.5e9) == "2.5 Gbit/s"
