"""The availability report on the web: the API (JSON, CSV, PDF), the reports page with its
download buttons, and clear 400 answers for bad choices. A past month with one known outage."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from inventory.models import Outage, Site
from web.db import db_session

Client = Callable[[str | None], FlaskClient]
SCHOOL = "SMP Negeri 1 Magelang"
MARCH_S = 31 * 86400


def _march_outage(app: Flask) -> None:
    with app.app_context():
        session = db_session()
        session.add(Outage(root_cause_type="device", root_cause="dist-utara",
                           started_at=datetime(2025, 3, 10, 3, 0, tzinfo=UTC),
                           ended_at=datetime(2025, 3, 10, 4, 0, tzinfo=UTC),
                           affected_sites=[SCHOOL, "Kantor Kecamatan Magelang Utara"]))
        session.commit()


def test_api_answers_json_csv_and_pdf(app: Flask, client_as: Client) -> None:
    _march_outage(app)
    client = client_as("engineer")
    answer = client.get("/api/v1/reports/availability?month=2025-03&district=Magelang+Utara")
    assert answer.status_code == 200
    data = answer.get_json()
    rows = {s["site"]: s for s in data["sites"]}
    assert set(rows) == {SCHOOL, "SD Negeri 1 Magelang", "Kantor Kecamatan Magelang Utara"}
    assert rows[SCHOOL]["downtime_s"] == 3600 and rows[SCHOOL]["switch_s"] == 3600
    assert rows["Kantor Kecamatan Magelang Utara"]["own_s"] == 3600
    assert rows[SCHOOL]["availability_pct"] == round(100 * (1 - 3600 / MARCH_S), 4)
    answer = client.get("/api/v1/reports/availability?month=2025-03&format=csv&kind=school")
    assert answer.mimetype == "text/csv" and "attachment" in answer.headers["Content-Disposition"]
    csv_rows = {r["site"]: r for r in csv.DictReader(io.StringIO(answer.get_data(as_text=True)))}
    assert csv_rows[SCHOOL]["downtime_s"] == "3600"
    answer = client.get("/api/v1/reports/availability?from=2025-03-01&to=2025-03-31&format=pdf&lang=en")
    assert answer.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.data)).pages)
    assert SCHOOL in " ".join(text.split()) and csv_rows[SCHOOL]["availability_pct"] in text


def test_api_refuses_bad_choices_with_the_nearest_names(client_as: Client) -> None:
    client = client_as("engineer")
    answer = client.get("/api/v1/reports/availability?month=2025-03&district=Magelang+Utar")
    assert answer.status_code == 400 and "did you mean Magelang Utara" in answer.get_json()["message"]
    assert client.get("/api/v1/reports/availability").status_code == 400
    assert client.get("/api/v1/reports/availability?month=2025-03&format=xls").status_code == 400


def test_reports_page_shows_the_figures_and_downloads(app: Flask, client_as: Client) -> None:
    _march_outage(app)
    client = client_as("engineer")
    page = client.get("/reports").get_data(as_text=True)
    assert 'name="month"' in page and 'data-download="pdf"' in page
    page = client.get("/reports?month=2025-03&kind=school").get_data(as_text=True)
    assert f'data-site="{SCHOOL}"' in page and f"{100 * (1 - 3600 / MARCH_S):.4f}" in page
    answer = client.get("/reports/download?month=2025-03&format=pdf")
    assert answer.mimetype == "application/pdf" and answer.data.startswith(b"%PDF")
    assert "availability-2025-03.pdf" in answer.headers["Content-Disposition"]
    bad = client.get("/reports?month=2025-03&site=SMP+Negri+1+Magelang")
    assert bad.status_code == 400 and "did you mean" in bad.get_data(as_text=True)


def test_reports_page_shows_100_sites_a_page_most_downtime_first(app: Flask, client_as: Client) -> None:
    _march_outage(app)
    with app.app_context():
        session = db_session()
        session.add_all(Site(name=f"SD Desa {i:03d}", kind="school", district="Kec 9") for i in range(120))
        session.commit()
    app.extensions["netops.topology"].invalidate()
    client = client_as("engineer")
    first = client.get("/reports?month=2025-03&kind=school").get_data(as_text=True)
    rows = re.findall(r'<tr data-site="([^"]+)">', first)
    assert len(rows) == 100 and rows[0] == SCHOOL  # the one with downtime first
    assert "1–100 of 122" in first and "Page 1 of 2" in first and "122 sites" in first
    nxt = re.search(r'href="([^"]+)" rel="next"', first)
    assert nxt and "month=2025-03" in nxt.group(1) and "kind=school" in nxt.group(1)
    second = client.get(nxt.group(1).replace("&amp;", "&")).get_data(as_text=True)
    rest = re.findall(r'<tr data-site="([^"]+)">', second)
    assert len(rest) == 22 and not set(rows) & set(rest) and "101–122 of 122" in second


def test_a_pdf_is_laid_out_again_only_when_its_figures_change(app: Flask, client_as: Client) -> None:
    """The same figures give the kept document (no second layout); an outage added to the month,
    another language or another filter give a new one with the new figures."""
    from web import reports

    reports._pdfs.clear()
    _march_outage(app)
    client = client_as("engineer")
    url = "/api/v1/reports/availability?month=2025-03&format=pdf&lang=en"
    first = client.get(url).data
    assert client.get(url).data == first and len(reports._pdfs) == 1
    with app.app_context():
        session = db_session()
        session.add(Outage(root_cause_type="device", root_cause="dist-utara",
                           started_at=datetime(2025, 3, 20, 3, 0, tzinfo=UTC),
                           ended_at=datetime(2025, 3, 20, 5, 0, tzinfo=UTC), affected_sites=[SCHOOL]))
        session.commit()
    changed = client.get(url).data
    assert changed != first and len(reports._pdfs) == 2
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(changed)).pages).split())
    assert "2025-03-20" in text  # the new outage is in the new document
    assert client.get(url.replace("lang=en", "lang=id")).data != changed
    assert client.get(url + "&kind=school").data != changed and len(reports._pdfs) == 4
