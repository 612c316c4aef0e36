"""``/api/v1/devices`` a page at a time, and the inventory's indexed search (``web.inventory_index``)
giving the same rows as filtering every record the way it was first written.

The paging contract: ``limit`` (1 to 1000, default 100) and ``offset``, the body a JSON array as
before, ``X-Total-Count`` and a ``Link`` header with the next and previous pages that keep the
filters; a bad value is a 400 naming the parameter; a scoped login pages and counts its own devices.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from inventory.models import Device, Interface, Link, Site, User
from netops import accounts
from netops.scope import Scope
from tests.web.conftest import csrf_from
from web import inventory_index, readers, scoping
from web.db import db_session
from web.links import natural_key
from web.paging import matching, paginate, searched

Client = Callable[[str | None], FlaskClient]
EXTRA = 150  # devices added to the seed's 5: two pages of 100, sixteen of 10
SCOPE = ["district=Magelang Utara", "kind=school"]
PASSWORD = "scoped-pass-123"


@pytest.fixture
def province(app: Flask, session: Session) -> Flask:
    """The seed plus a village site of EXTRA access switches, each on a fiber to dist-utara
    (ports ge0..ge149: natural order puts ge2 before ge10), and a scoped engineer."""
    desa = Site(name="Desa Banyurojo", kind="school", district="Kec Mertoyudan")
    session.add(desa)
    session.flush()
    dist = session.query(Device).filter_by(name="dist-utara").one()
    for i in range(EXTRA):
        device = Device(name=f"acc-desa-{i:03d}", address=f"192.0.2.{i}", role="access", site_id=desa.id,
                        platform="mikrotik_routeros" if i % 2 else "huawei")
        session.add(device)
        session.flush()
        a = Interface(device_id=dist.id, name=f"ge{i}")
        b = Interface(device_id=device.id, name="sfp1")
        session.add_all([a, b])
        session.flush()
        session.add(Link(a_interface_id=a.id, b_interface_id=b.id, medium="fiber", declared=True))
    session.add(User(name="scoped-engineer", password_hash=generate_password_hash(PASSWORD), role="engineer",
                     created_at=datetime.now(UTC), scope=Scope.parse(SCOPE).to_json()))
    session.commit()
    app.extensions["netops.topology"].invalidate()
    return app


def _scoped(app: Flask) -> FlaskClient:
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    assert client.post("/auth/login", data={"name": "scoped-engineer", "password": PASSWORD,
                                            "csrf_token": csrf_from(page)}).status_code == 302
    return client


def _links(header: str | None) -> dict[str, dict[str, list[str]]]:
    """rel -> the query of its URL."""
    found = re.findall(r'<([^>]+)>; rel="(\w+)"', header or "")
    return {rel: parse_qs(urlsplit(url).query) for url, rel in found}


def test_devices_are_paged_100_at_a_time_with_links(province: Flask, client_as: Client) -> None:
    client = client_as("helpdesk")
    everything = client.get("/api/v1/devices?limit=1000").get_json()
    names = [d["name"] for d in everything]
    assert len(names) == EXTRA + 5 and names == sorted(names)
    first = client.get("/api/v1/devices")
    assert [d["name"] for d in first.get_json()] == names[:100]
    assert first.headers["X-Total-Count"] == str(EXTRA + 5)
    links = _links(first.headers.get("Link"))
    assert set(links) == {"next"} and links["next"]["offset"] == ["100"] and links["next"]["limit"] == ["100"]
    second = client.get("/api/v1/devices?offset=100")
    assert [d["name"] for d in second.get_json()] == names[100:]
    assert set(_links(second.headers.get("Link"))) == {"prev"}
    assert _links(second.headers["Link"])["prev"]["offset"] == ["0"]
    beyond = client.get("/api/v1/devices?offset=5000")
    assert beyond.status_code == 200 and beyond.get_json() == [] and beyond.headers["X-Total-Count"] == "155"


def test_following_next_walks_every_device_once(province: Flask, client_as: Client) -> None:
    client = client_as("helpdesk")
    url: str | None = "/api/v1/devices?limit=10&q=desa"
    seen: list[str] = []
    while url:
        answer = client.get(url)
        seen += [d["name"] for d in answer.get_json()]
        nxt = re.search(r'<([^>]+)>; rel="next"', answer.headers.get("Link", ""))
        url = nxt.group(1) if nxt else None
        assert url is None or parse_qs(urlsplit(url).query)["q"] == ["desa"]  # the filter kept
    assert seen == [f"acc-desa-{i:03d}" for i in range(EXTRA)]


@pytest.mark.parametrize(("query", "parameter"), [
    ("limit=0", "limit"), ("limit=1001", "limit"), ("limit=ten", "limit"), ("limit=-1", "limit"),
    ("offset=-5", "offset"), ("offset=1e3", "offset"), ("offset=%C2%B2", "offset"),
    ("offset=99999999999999999999", "offset"), ("role=router", "role"), ("state=sleeping", "state"),
])
def test_bad_paging_values_are_a_400_naming_the_parameter(province: Flask, client_as: Client, query: str,
                                                          parameter: str) -> None:
    answer = client_as("helpdesk").get(f"/api/v1/devices?{query}")
    assert answer.status_code == 400
    assert answer.get_json()["message"].startswith(f"{parameter}:")


def test_filters_count_what_they_keep(province: Flask, client_as: Client) -> None:
    client = client_as("helpdesk")
    everything = client.get("/api/v1/devices?limit=1000").get_json()
    for query, keep in [
        ("role=access", lambda d: d["role"] == "access"),
        ("district=Kec+Mertoyudan", lambda d: d["district"] == "Kec Mertoyudan"),
        ("state=unknown", lambda d: d["state"] == "unknown"),
        ("q=MIKROTIK+desa-01", lambda d: d["platform"] == "mikrotik_routeros" and "desa-01" in d["name"]),
        ("q=utara", lambda d: "utara" in d["name"] or "utara" in (d["site"] or "").casefold()),
    ]:
        answer = client.get(f"/api/v1/devices?{query}&limit=1000")
        expected = [d for d in everything if keep(d)]
        assert answer.get_json() == expected, query
        assert answer.headers["X-Total-Count"] == str(len(expected)) and expected, query


def test_a_scoped_login_pages_and_counts_its_own_devices(province: Flask, client_as: Client) -> None:
    client = _scoped(province)
    answer = client.get("/api/v1/devices?limit=1")
    assert [d["name"] for d in answer.get_json()] == ["acc-sdn1"]
    assert answer.headers["X-Total-Count"] == "2" and set(_links(answer.headers["Link"])) == {"next"}
    assert [d["name"] for d in client.get("/api/v1/devices?offset=1").get_json()] == ["acc-smpn1"]
    none = client.get("/api/v1/devices?q=desa")  # the village is outside the scope
    assert none.get_json() == [] and none.headers["X-Total-Count"] == "0"
    whole = client_as("helpdesk").get("/api/v1/devices?q=desa")  # not the scoped login's memo
    assert whole.headers["X-Total-Count"] == str(EXTRA)


def test_the_openapi_document_describes_the_paging(province: Flask, client_as: Client) -> None:
    doc = client_as(None).get("/api/v1/openapi.json").get_json()
    op = doc["paths"]["/devices"]["get"]
    params = {p["name"] for p in op["parameters"]}
    assert {"limit", "offset", "q", "role", "district", "state"} <= params
    assert {"X-Total-Count", "Link"} <= set(op["responses"]["200"]["headers"]) and "400" in op["responses"]
    assert "Link" in doc["paths"]["/sites"]["get"]["responses"]["200"]["headers"]


# -- the inventory's indexes against the slow way -------------------------------------------------
QUERIES = ["", "acc", "ACC desa-1", "sfp1 fiber", "unknown", "utara", "ge1", "huawei", "magelang utara",
           "0812-1111", "no such thing", "…"]


def _slow(session: Session) -> dict[str, tuple[list[object], Callable[[object], object]]]:
    """Every record of each list, filtered in scope and sorted, as the page first did."""
    return {
        "devices": (scoping.devices(readers.list_devices(session)), inventory_index.device_text),
        "sites": (scoping.sites(readers.list_sites(session)), inventory_index.site_text),
        "links": (sorted(scoping.links(readers.list_links(session)),
                         key=lambda lk: (lk.a_device, natural_key(lk.a_port))),
                  inventory_index.link_text),
    }


@pytest.mark.parametrize("scoped", [False, True], ids=["whole", "scoped"])
def test_the_indexes_find_what_filtering_every_record_finds(province: Flask, session: Session,
                                                            scoped: bool) -> None:
    with province.test_request_context("/inventory"):
        if scoped:
            g.user = accounts.find_user(db_session(), "scoped-engineer")
        live = db_session()
        indexes = {"devices": inventory_index.devices(live), "sites": inventory_index.sites(live),
                   "links": inventory_index.links(live)}
        for name, (rows, text) in _slow(live).items():
            for query in QUERIES:
                fast = searched(indexes[name], query)
                slow = matching(rows, query, text)  # type: ignore[arg-type]
                assert fast == slow, (name, query)
                page = paginate(slow, 2, 10).items
                if name == "devices":
                    assert inventory_index.fresh_devices(live, paginate(fast, 2, 10).items) == list(page)
                if name == "links":
                    assert inventory_index.fresh_links(live, paginate(fast, 2, 10).items) == list(page)
        if scoped:
            assert {d.name for d, _ in indexes["devices"]} == {"acc-smpn1", "acc-sdn1"}


def test_the_inventory_page_shows_the_reference_page(province: Flask, session: Session,
                                                     client_as: Client) -> None:
    client = client_as("engineer")
    with province.test_request_context("/inventory"):
        links = _slow(db_session())["links"]
        expected = matching(links[0], "utara ge", links[1])  # type: ignore[arg-type]
    html = client.get("/inventory?show=links&q=utara+ge&page=2").get_data(as_text=True)
    shown = re.findall(r'<td class="el">.*?:([^<]+) –', html)
    assert shown == [lk.a_port for lk in paginate(expected, 2).items]  # type: ignore[attr-defined]
    assert shown[:2] == ["ge50", "ge51"] and f"Links ({len(expected)})" in html


def test_sites_send_the_same_headers_and_still_default_to_the_whole_list(province: Flask,
                                                                        client_as: Client) -> None:
    client = client_as("helpdesk")
    whole = client.get("/api/v1/sites")
    assert len(whole.get_json()) == 6 and whole.headers["X-Total-Count"] == "6"
    assert "Link" not in whole.headers
    page = client.get("/api/v1/sites?limit=2&offset=2&kind=school")
    links = _links(page.headers["Link"])
    assert page.headers["X-Total-Count"] == "3" and len(page.get_json()) == 1
    assert set(links) == {"prev"} and links["prev"]["offset"] == ["0"] and links["prev"]["kind"] == ["school"]


def test_links_are_paged_like_devices_and_filtered(province: Flask, client_as: Client) -> None:
    """``/api/v1/links``: 100 a page by A end and port (ge2 before ge10), the same headers, filters."""
    client = client_as("engineer")
    everything = client.get("/api/v1/links?limit=1000")
    rows = everything.get_json()
    total = int(everything.headers["X-Total-Count"])
    assert total == len(rows) >= EXTRA
    assert [(r["a_device"], natural_key(r["a_port"])) for r in rows] == sorted(
        (r["a_device"], natural_key(r["a_port"])) for r in rows)
    first = client.get("/api/v1/links")
    assert first.get_json() == rows[:100] and first.headers["X-Total-Count"] == str(total)
    assert _links(first.headers["Link"])["next"]["offset"] == ["100"]
    walked: list[int] = []
    url: str | None = "/api/v1/links?limit=40&device=dist-utara"
    while url:
        answer = client.get(url)
        walked += [r["id"] for r in answer.get_json()]
        nxt = re.search(r'<([^>]+)>; rel="next"', answer.headers.get("Link", ""))
        url = nxt.group(1) if nxt else None
    on_utara = [r["id"] for r in rows if "dist-utara" in (r["a_device"], r["b_device"])]
    assert walked == on_utara and len(on_utara) >= EXTRA
    down = client.get("/api/v1/links?state=down&limit=1000").get_json()
    assert down and down == [r for r in rows if r["state"] == "down"]
    found = client.get("/api/v1/links?q=ge14%20desa-014").get_json()
    assert [r["b_device"] for r in found] == ["acc-desa-014"]
    for query, parameter in (("limit=0", "limit"), ("offset=x", "offset"), ("state=cut", "state")):
        bad = client.get(f"/api/v1/links?{query}")
        assert bad.status_code == 400 and bad.get_json()["message"].startswith(f"{parameter}:")


def test_a_scoped_login_pages_its_own_links(province: Flask, client_as: Client) -> None:
    whole = client_as("engineer").get("/api/v1/links?limit=1000").get_json()
    answer = _scoped(province).get("/api/v1/links?limit=1000")
    mine = answer.get_json()
    assert 0 < len(mine) < len(whole) and answer.headers["X-Total-Count"] == str(len(mine))
    assert not any(r["b_device"].startswith("acc-desa") for r in mine)  # Kec Mertoyudan is outside


def test_the_whole_interface_list_is_paged_in_device_and_port_order(province: Flask,
                                                                   client_as: Client) -> None:
    """Pages cut across devices exactly where the whole list would (dist-utara's ge0..ge149 in natural
    order among the others); one device's ports still come whole."""
    client = client_as("engineer")
    everything = client.get("/api/v1/interfaces?limit=1000")
    rows = [(i["device"], i["name"]) for i in everything.get_json()]
    assert int(everything.headers["X-Total-Count"]) == len(rows) > 300
    assert rows == sorted(rows, key=lambda r: (r[0], natural_key(r[1])))
    for size in (7, 100, 151):
        walked: list[tuple[str, str]] = []
        url: str | None = f"/api/v1/interfaces?limit={size}"
        while url:
            answer = client.get(url)
            assert answer.headers["X-Total-Count"] == str(len(rows))
            walked += [(i["device"], i["name"]) for i in answer.get_json()]
            nxt = re.search(r'<([^>]+)>; rel="next"', answer.headers.get("Link", ""))
            url = nxt.group(1) if nxt else None
        assert walked == rows
    assert len(client.get("/api/v1/interfaces").get_json()) == 100
    utara = client.get("/api/v1/interfaces?device=dist-utara").get_json()
    assert len(utara) == len([r for r in rows if r[0] == "dist-utara"]) > 100  # one device: whole
    assert client.get("/api/v1/interfaces?offset=99999").get_json() == []
    assert client.get("/api/v1/interfaces?limit=0").status_code == 400
    scoped = _scoped(province).get("/api/v1/interfaces?limit=1000")
    mine = {i["device"] for i in scoped.get_json()}
    assert mine and not any(d.startswith("acc-desa") for d in mine)
    assert scoped.headers["X-Total-Count"] == str(len(scoped.get_json()))
