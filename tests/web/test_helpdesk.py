"""The help desk first: choices for an ambiguous query, the verdict and one plain sentence, never
"Online" for a site netops cannot see, whom to call, and the engineers' contact form.

Real requests through the Flask test client on the seeded network, whose states come from the
real monitor (``tests.web.seed``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import Site
from netops.monitor.monitor import Monitor, Probe
from netops.settings import load_settings
from tests.web.conftest import csrf_from
from tests.web.seed import DEVICES, XSS

Client = Callable[[str | None], FlaskClient]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _part(html: str, start: str, end: str) -> str:
    assert start in html, start
    return html.split(start, 1)[1].split(end, 1)[0]


def _answer(html: str) -> str:
    return _part(html, 'class="answer', "</section>")


def _add_schools(session: Session) -> None:
    """Two schools called "SD Negeri ... 2" in two districts; the monitor never saw them."""
    session.add_all(
        [
            Site(name="SD Negeri Magelang 2", kind="school", district="Magelang Utara"),
            Site(name="SD Negeri Jurangombo 2", kind="school", district="Magelang Selatan"),
        ]
    )
    session.commit()


def test_ambiguous_query_lists_the_choices_with_district_and_state(
    client_as: Client, session: Session
) -> None:
    _add_schools(session)
    client = client_as("helpdesk")
    for query in ("SD Negeri 2", "SDN 2", "sekolah dasar negeri 2"):
        html = client.get("/schools", query_string={"q": query}).get_data(as_text=True)
        assert 'class="answer' not in html, query  # no confident answer
        choices = _part(html, '<section class="choices"', "</section>")
        names = re.findall(r'data-site="([^"]+)"', choices)
        assert names == ["SD Negeri Jurangombo 2", "SD Negeri Magelang 2"]
        assert "Magelang Selatan" in choices and "Magelang Utara" in choices
        assert 'href="/sites/SD%20Negeri%20Magelang%202"' in choices
        assert "Not monitored right now" in choices and "Online" not in choices
    clear = client.get("/schools", query_string={"q": "sdn 2 magelang"}).get_data(as_text=True)
    assert 'data-site="SD Negeri Magelang 2"' in _answer(clear) and '<section class="choices"' not in clear


def test_ambiguous_query_in_indonesian(client_as: Client, session: Session) -> None:
    _add_schools(session)
    page = client_as("helpdesk").get("/schools?q=sdn+2", headers={"Accept-Language": "id"})
    html = page.get_data(as_text=True)
    assert 'Beberapa lokasi cocok dengan "sdn 2": yang mana?' in html
    assert "Tidak terpantau saat ini" in html


def test_offline_school_in_one_plain_sentence_details_folded(client_as: Client) -> None:
    html = client_as("helpdesk").get("/schools?q=sd+1+magelang").get_data(as_text=True)
    answer = _answer(html)
    verdict = _text(_part(answer, 'class="verdict">', "</p>"))
    assert re.fullmatch(r"Offline since \d\d:\d\d \(1[78] minutes\)", verdict), verdict
    why = _text(_part(answer, 'class="why">', "</p>"))
    assert why == "The fiber from Kantor Kecamatan Magelang Utara to this school is cut."
    technical = _part(answer, '<details class="technical">', "</details>")
    assert "acc-sdn1:sfp1 – dist-utara:sfp2" in technical  # ports only in the folded detail
    assert "sfp" not in _part(answer, "<h2>", "<details")
    assert re.search(r'href="/outages/\d+"', answer)  # the open outage leads on


def test_plain_sentence_in_indonesian(client_as: Client) -> None:
    html = client_as("helpdesk").get("/schools?q=sd+1+magelang", headers={"Accept-Language": "id"})
    answer = _answer(html.get_data(as_text=True))
    assert "Terputus sejak" in answer
    assert "Serat optik dari Kantor Kecamatan Magelang Utara ke sekolah ini putus." in answer
    assert "Detail teknis" in answer


def test_degraded_office_is_slow_or_unstable(client_as: Client) -> None:
    answer = _answer(client_as("helpdesk").get("/sites/Dinas%20Kesehatan").get_data(as_text=True))
    assert "Slow or unstable" in _text(_part(answer, 'class="verdict">', "</p>"))
    why = _text(_part(answer, 'class="why">', "</p>"))
    assert why == (
        "It runs on one path only, the other path is down: "
        "the fiber from Balai Kota Magelang to this site is cut."
    )


def test_never_online_when_netops_cannot_see_the_site(client_as: Client, session: Session) -> None:
    """SMP Negeri 1's switch answers ping but not SNMP: the stored state is unknown, not_monitored."""
    monitor = Monitor(load_settings(environ={}))
    probes = {name: Probe(name, True, source="test") for name, *_ in DEVICES}
    probes["acc-smpn1"] = Probe("acc-smpn1", False, icmp_ok=True, error="timeout", source="test")
    monitor.evaluate(session, probes, datetime.now(UTC))
    session.commit()
    client = client_as("helpdesk")
    answer = _answer(client.get("/schools?q=smpn1").get_data(as_text=True))
    assert 'data-state="unknown"' in answer and "Online" not in answer
    assert "Not monitored right now" in answer
    assert "Its switch answers ping but not SNMP, so netops cannot see its ports." in _text(answer)
    listed = client.get("/schools?sort=state").get_data(as_text=True)
    row = _part(listed, '<a href="/sites/SMP%20Negeri%201%20Magelang">', "</tr>")
    assert "Not monitored right now" in row and "Online" not in row


def test_whom_to_call_has_a_phone_link(client_as: Client) -> None:
    answer = _answer(client_as("helpdesk").get("/schools?q=sd+1+magelang").get_data(as_text=True))
    assert 'Bu Sri <a href="tel:08122222" class="tel">0812-2222</a>' in answer


def _contact_form(client: FlaskClient, site: str) -> str:
    page = client.get(f"/sites/{site}").get_data(as_text=True)
    assert 'class="contact-edit' in page
    return csrf_from(page)


def test_engineer_edits_the_contact(client_as: Client, session: Session) -> None:
    client = client_as("engineer")
    token = _contact_form(client, "Dinas%20Kesehatan")
    saved = client.post(
        "/contacts/Dinas%20Kesehatan",
        data={"contact_name": f"  Pak Joko {XSS} ", "contact_phone": "+62 293 362033", "csrf_token": token},
        follow_redirects=True,
    )
    html = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "Contact of Dinas Kesehatan saved." in html
    assert '<a href="tel:+62293362033" class="tel">+62 293 362033</a>' in html
    assert XSS not in html and "&lt;script&gt;" in html
    row = session.scalars(select(Site).where(Site.name == "Dinas Kesehatan")).one()
    session.refresh(row)
    assert (row.contact_name, row.contact_phone) == (f"Pak Joko {XSS}", "+62 293 362033")
    desk = client_as("helpdesk").get("/schools?q=dinas+kesehatan").get_data(as_text=True)
    assert "tel:+62293362033" in _answer(desk)  # the help desk sees it on the answer
    cleared = client.post(
        "/contacts/Dinas%20Kesehatan", data={"contact_name": "", "contact_phone": "", "csrf_token": token}
    )
    assert cleared.status_code == 302
    session.refresh(row)
    assert row.contact_name is None and row.contact_phone is None


def test_contact_form_validates_and_is_for_engineers_only(client_as: Client, session: Session) -> None:
    client = client_as("engineer")
    token = _contact_form(client, "Dinas%20Kesehatan")
    bad = client.post(
        "/contacts/Dinas%20Kesehatan",
        data={"contact_name": "x", "contact_phone": "call me", "csrf_token": token},
    )
    assert bad.status_code == 400
    assert "A phone number: digits, spaces and + ( ) . / - only." in bad.get_data(as_text=True)
    long = client.post(
        "/contacts/Dinas%20Kesehatan",
        data={"contact_name": "x" * 201, "contact_phone": "", "csrf_token": token},
    )
    assert long.status_code == 400 and "At most 200 characters." in long.get_data(as_text=True)
    forged = client.post("/contacts/Dinas%20Kesehatan", data={"contact_name": "x", "csrf_token": "forged"})
    assert forged.status_code == 400
    nowhere = client.post("/contacts/Nowhere", data={"contact_name": "x", "csrf_token": token})
    assert nowhere.status_code == 404
    row = session.scalars(select(Site).where(Site.name == "Dinas Kesehatan")).one()
    session.refresh(row)
    assert row.contact_name is None  # nothing written by any of those
    desk = client_as("helpdesk")
    page = desk.get("/sites/Dinas%20Kesehatan").get_data(as_text=True)
    assert 'class="contact-edit' not in page
    denied = desk.post(
        "/contacts/Dinas%20Kesehatan", data={"contact_name": "x", "csrf_token": csrf_from(page)}
    )
    assert denied.status_code == 403
