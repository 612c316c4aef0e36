"""Every page leads on: outages to their sites and cause, events to their elements, the device
page to its site, neighbors, links and outages; stale data of a silent device; natural port
order; empty charts with axes; the inventory searched and paged."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import Device, Interface, Link, NeighborRecord, Outage
from netops.monitor.monitor import Monitor, Probe
from netops.settings import load_settings
from tests.web.seed import DEVICES
from web.links import cause_headline, element_ends, natural_key, tel_uri

Client = Callable[[str | None], FlaskClient]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _open_outage(session: Session, cause: str) -> Outage:
    return session.scalars(select(Outage).where(Outage.root_cause == cause, Outage.ended_at.is_(None))).one()


def test_outages_lead_to_their_sites_and_cause(client_as: Client, session: Session) -> None:
    cut = _open_outage(session, "acc-sdn1:sfp1--dist-utara:sfp2")
    desk = client_as("helpdesk")
    html = desk.get("/outages").get_data(as_text=True)
    row = html.split(f'data-outage="{cut.id}"', 1)[1].split("</tr>", 1)[0]
    assert f'href="/outages/{cut.id}"' in row  # the cause in plain words leads to the outage
    assert "The fiber between SD Negeri 1 Magelang and Kantor Kecamatan Magelang Utara is cut" in _text(row)
    assert 'href="/sites/SD%20Negeri%201%20Magelang"' in row
    assert 'href="/devices/' not in row  # help-desk staff cannot open device pages
    engineer = client_as("engineer").get("/outages").get_data(as_text=True)
    row = engineer.split(f'data-outage="{cut.id}"', 1)[1].split("</tr>", 1)[0]
    assert 'href="/devices/acc-sdn1">acc-sdn1</a>:sfp1' in row and 'href="/devices/dist-utara"' in row


def test_outage_page(client_as: Client, session: Session) -> None:
    cut = _open_outage(session, "acc-sdn1:sfp1--dist-utara:sfp2")
    ring = _open_outage(session, "acc-dinkes:sfp2--core-balaikota:sfp2")
    desk = client_as("helpdesk")
    html = desk.get(f"/outages/{cut.id}").get_data(as_text=True)
    text = _text(html)
    assert f"Outage #{cut.id} open" in text
    assert "The fiber between SD Negeri 1 Magelang and Kantor Kecamatan Magelang Utara is cut" in text
    assert 'href="/sites/SD%20Negeri%201%20Magelang"' in html and "Offline" in text
    assert "Sites cut off (1)" in text and "Devices cut off (1) acc-sdn1" in text
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", text)  # to the second
    assert "cut off: the fiber between" in text  # its events, with their evidence
    degraded = _text(desk.get(f"/outages/{ring.id}").get_data(as_text=True))
    assert "Sites slow or unstable (1) Dinas Kesehatan" in degraded and "Slow or unstable" in degraded
    assert desk.get("/outages/99999").status_code == 404
    engineer = client_as("engineer").get(f"/outages/{cut.id}").get_data(as_text=True)
    assert 'href="/devices/acc-sdn1"' in engineer and 'href="/topology?focus=acc-sdn1"' in engineer


def test_site_page_leads_to_its_outage_and_devices(client_as: Client, session: Session) -> None:
    cut = _open_outage(session, "acc-sdn1:sfp1--dist-utara:sfp2")
    html = client_as("engineer").get("/sites/SD%20Negeri%201%20Magelang").get_data(as_text=True)
    assert f'href="/outages/{cut.id}"' in html and 'href="/devices/acc-sdn1"' in html
    assert 'href="/topology?focus=acc-sdn1"' in html


def test_dashboard_events_lead_to_their_elements(client_as: Client) -> None:
    html = client_as("engineer").get("/").get_data(as_text=True)
    link_row = html.split('data-element="acc-sdn1:sfp1--dist-utara:sfp2"', 1)[1].split("</tr>", 1)[0]
    assert 'href="/devices/acc-sdn1">acc-sdn1</a>:sfp1' in link_row
    assert 'href="/devices/dist-utara"' in link_row
    assert re.search(r'href="/outages/\d+"', link_row)
    site_row = html.split('data-element="SD Negeri 1 Magelang"', 1)[1].split("</tr>", 1)[0]
    assert 'href="/sites/SD%20Negeri%201%20Magelang"' in site_row and "Offline" in site_row
    device_row = html.split('data-element="acc-sdn1"', 1)[1].split("</tr>", 1)[0]
    assert 'href="/devices/acc-sdn1"' in device_row
    assert re.search(r"\d\d:\d\d:\d\d", device_row)
    desk = client_as("helpdesk").get("/").get_data(as_text=True)
    assert 'href="/devices/' not in desk and 'href="/sites/SD%20Negeri%201%20Magelang"' in desk


def _add_ports(session: Session) -> None:
    """dist-utara gets ge-0/0/10 and ge-0/0/2 to acc-smpn1 (declared 10 first) and an LLDP neighbor."""
    devices = {d.name: d for d in session.scalars(select(Device))}
    for n, (mine, theirs) in enumerate([("ge-0/0/10", "ge-1"), ("ge-0/0/2", "ge-2")]):
        a = Interface(device=devices["dist-utara"], name=mine, if_index=100 + n, oper_status="up")
        b = Interface(device=devices["acc-smpn1"], name=theirs, if_index=100 + n, oper_status="up")
        session.add_all([a, b])
        session.flush()
        session.add(Link(a_interface_id=a.id, b_interface_id=b.id, declared=True, source="declared"))
    session.add(
        NeighborRecord(
            device_id=devices["dist-utara"].id,
            local_port="sfp1",
            protocol="lldp",
            chassis_id="00:11:22:33:44:55",
            chassis_id_kind="mac",
            port_id="sfp1",
            port_id_kind="ifname",
            system_name="acc-smpn1.magelang.go.id",
            first_seen=datetime.now(UTC),
            last_seen=datetime.now(UTC),
        )
    )
    session.commit()


def test_device_page_leads_on_and_sorts_ports_naturally(client_as: Client, session: Session) -> None:
    _add_ports(session)
    html = client_as("engineer").get("/devices/dist-utara").get_data(as_text=True)
    assert 'href="/sites/Kantor%20Kecamatan%20Magelang%20Utara"' in html  # its site
    assert 'href="/topology?focus=dist-utara"' in html
    links = html.split('<ul class="links">', 1)[1].split("</ul>", 1)[0]
    ports = re.findall(r"<li data-link=\"[^\"]+\">(\S+) →", links)
    assert ports == sorted(ports, key=natural_key) and ports.index("ge-0/0/2") < ports.index("ge-0/0/10")
    assert 'href="/devices/acc-smpn1"' in links and 'href="/devices/core-balaikota"' in links
    rows = re.findall(r'<tr data-port="([^"]+)">', html)
    assert rows.index("ge-0/0/2") < rows.index("ge-0/0/10")
    neighbors = html.split('class="cards neighbors"', 1)[1].split("</table>", 1)[0]
    assert '<a href="/devices/acc-smpn1">acc-smpn1.magelang.go.id</a>' in neighbors  # by its host name
    assert re.search(r'href="/outages/\d+"', html.split("<h2>Outages</h2>", 1)[1])


def test_empty_charts_say_no_data_with_axes(client_as: Client, session: Session) -> None:
    _add_ports(session)
    html = client_as("engineer").get("/devices/dist-utara").get_data(as_text=True)
    row = html.split('<tr data-port="ge-0/0/2">', 1)[1].split('<tr data-port="', 1)[0]
    assert 'class="chart-box empty"' in row and "no data" in row and 'class="axis"' in row
    assert "<polyline" not in row
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d – \d{4}-\d\d-\d\d \d\d:\d\d", _text(row))  # the 24 h window
    full = client_as("engineer").get("/devices/acc-smpn1").get_data(as_text=True)
    drawn = full.split('<tr data-port="sfp1">', 1)[1].split('<tr data-port="', 1)[0]
    assert "<polyline" in drawn and "no data" not in drawn and 'class="axis"' in drawn


def _silence(session: Session, device: str) -> datetime:
    """The device answered (ports read at ``seen``), then went silent: SNMP and ping both quiet."""
    seen = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=9)
    for iface in session.scalars(select(Interface).join(Device).where(Device.name == device)):
        iface.status_polled_at = seen
    monitor = Monitor(load_settings(environ={}))
    probes = {name: Probe(name, True, source="test") for name, *_ in DEVICES}
    monitor.evaluate(session, probes, seen)
    probes[device] = Probe(device, False, icmp_ok=False, error="timeout", source="test")
    monitor.evaluate(session, probes, seen + timedelta(minutes=8))
    session.commit()
    return seen


def test_a_silent_device_shows_its_ports_as_last_seen(client_as: Client, session: Session, app) -> None:  # type: ignore[no-untyped-def]
    seen = _silence(session, "acc-smpn1")
    client = client_as("engineer")
    html = client.get("/devices/acc-smpn1").get_data(as_text=True)
    with app.test_request_context():
        from web.extensions import _format_hhmm

        hhmm = _format_hhmm(seen)
    assert 'class="stale-note"' in html and f"as last seen at {hhmm}, not current" in html
    row = html.split('<tr data-port="sfp1">', 1)[1].split("</tr>", 1)[0]
    assert 'class="badge s-stale"' in row and f"last seen {hhmm}" in row
    assert 'class="badge s-up"' not in row  # never shown as current
    assert 'class="cards interfaces stale"' in html
    desk = client_as("helpdesk").get("/schools?q=smpn1").get_data(as_text=True)
    assert "The switch at this school is down." in desk  # the site's own answer, in plain words
    live = client.get("/devices/dist-utara").get_data(as_text=True)
    assert "stale" not in live and 'class="badge s-up"' in live
    # cut off but still answering (the seed's acc-sdn1 is unreachable): its data is current
    assert "stale-note" not in client.get("/devices/acc-sdn1").get_data(as_text=True)


def test_inventory_search_and_paging(client_as: Client, session: Session) -> None:
    session.add_all(
        Device(name=f"acc-school-{i}", address=f"10.9.0.{i + 1}", role="access") for i in range(120)
    )
    session.commit()
    client = client_as("engineer")
    first = client.get("/inventory").get_data(as_text=True)
    rows = re.findall(r'<tr><td><a href="/devices/([^"]+)">', first)
    assert len(rows) == 50 and "Page 1 of 3" in first and "1–50 of 125" in first
    assert 'href="/inventory?page=2&amp;show=devices#lists"' in first
    last = client.get("/inventory?page=3").get_data(as_text=True)
    assert len(re.findall(r'<tr><td><a href="/devices/', last)) == 25 and "Page 3 of 3" in last
    assert "Page 3 of 3" in client.get("/inventory?page=999").get_data(as_text=True)  # clamped
    found = client.get("/inventory?q=utara+dist").get_data(as_text=True)
    assert re.findall(r'<tr><td><a href="/devices/([^"]+)">', found) == ["dist-utara"]
    assert "Devices (1)" in found and "Clear filter" in found and "Page 1 of" not in found
    sites = client.get("/inventory?show=sites&q=negeri+magelang").get_data(as_text=True)
    assert "Sites (2)" in sites and 'href="/sites/SD%20Negeri%201%20Magelang"' in sites
    links = client.get("/inventory?show=links&q=acc-sdn1").get_data(as_text=True)
    assert "Links (1)" in links and 'href="/devices/acc-sdn1">acc-sdn1</a>:sfp1' in links
    assert "Nothing matches." in client.get("/inventory?q=zzz").get_data(as_text=True)
    assert client.get("/inventory?show=bogus&page=x").status_code == 200


def test_link_helpers() -> None:
    assert [e.device for e in element_ends("link", "a:Gi0/1--b:xe-0/0/1")] == ["a", "b"]
    assert element_ends("interface", "sw:ge-0/0/1")[0].port == "ge-0/0/1"
    assert element_ends("site", "SD Negeri 1") == ()
    assert sorted(["Gi0/0/10", "Gi0/0/2", "gi0/0/1"], key=natural_key) == ["gi0/0/1", "Gi0/0/2", "Gi0/0/10"]
    assert tel_uri("+62 (293) 362-033") == "tel:+62293362033" and tel_uri("n/a") is None
    text = "the switch at X is down (sw-x)"
    assert cause_headline(text, "device", "sw-x") == "the switch at X is down"
    assert cause_headline("the fiber (see notes) is cut", "device", "sw-x") == "the fiber (see notes) is cut"
