"""``netops report availability`` on the month of ``test_availability_report``: the CSV, the JSON
and the PDF (read back with pypdf) show the same numbers; the header comes from ``[reports]``;
bad choices stop with exit 2 and the nearest names."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import Engine

from cli import exit_codes, main
from netops.settings import Settings
from tests.reports.test_availability_report import november


def run(settings: Settings, *args: str, **env: str) -> tuple[int, str]:
    environ = {"NETOPS_DATA_DIR": str(settings.data_dir), "NETOPS_WEB__TIMEZONE": "UTC", **env}
    result = CliRunner().invoke(main, list(args), env=environ, catch_exceptions=False)
    return result.exit_code, result.output


def pdf_text(path: Path) -> str:
    reader = PdfReader(str(path))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


@pytest.fixture
def month(engine: Engine, settings: Settings) -> Settings:
    november(engine, settings)
    return settings


def test_csv_json_and_pdf_show_the_same_numbers(month: Settings, tmp_path: Path) -> None:
    out = tmp_path / "nov.csv"
    code, _ = run(month, "report", "availability", "--month", "2026-11", "--format", "csv", "-o", str(out))
    assert code == exit_codes.OK
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    code, text = run(month, "report", "availability", "--month", "2026-11", "--format", "json")
    assert code == exit_codes.OK
    data = json.loads(text)
    assert [s["site"] for s in data["sites"]] == [r["site"] for r in rows]
    for row, site in zip(rows, data["sites"], strict=True):
        assert float(row["downtime_s"]) == site["downtime_s"]
        assert row["availability_pct"] == f"{site['availability_pct']:.4f}"
    logo = tmp_path / "logo.png"
    Image.new("RGB", (40, 40), (30, 90, 160)).save(logo)
    for lang, title in (("en", "Network availability report"), ("id", "Laporan ketersediaan jaringan")):
        pdf = tmp_path / f"nov-{lang}.pdf"
        code, _ = run(month, "report", "availability", "--month", "2026-11", "--format", "pdf",
                      "--lang", lang, "-o", str(pdf), NETOPS_REPORTS__CITY="Pemerintah Kota Magelang",
                      NETOPS_REPORTS__LOGO=str(logo))
        assert code == exit_codes.OK and pdf.read_bytes().startswith(b"%PDF")
        text = " ".join(pdf_text(pdf).split())
        assert title in text and "Pemerintah Kota Magelang" in text
        assert "Dinas Komunikasi dan Informatika" in text
        for row in rows:
            if float(row["downtime_s"]) == 0:
                continue
            minutes = f"{float(row['downtime_s']) / 60:.1f}"
            # the worst-sites table: site, district, outages, minutes, availability as in the CSV
            assert (f"{row['site']} {row['district']} {row['outages']} {minutes} {row['availability_pct']}"
                    in text), row
    assert "Sepuluh lokasi dengan waktu putus terlama" in text and "Per kecamatan" in text


def test_a_broken_logo_does_not_lose_the_report(month: Settings, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    pdf = tmp_path / "nov.pdf"
    code, _ = run(month, "report", "availability", "--month", "2026-11", "--format", "pdf", "--lang", "en",
                  "-o", str(pdf), NETOPS_REPORTS__LOGO=str(logo))
    assert code == exit_codes.OK and "Network availability report" in pdf_text(pdf)


def test_filters_and_mistakes(month: Settings, tmp_path: Path) -> None:
    code, text = run(month, "report", "availability", "--from", "2026-11-10", "--to", "2026-11-10",
                     "--kind", "school")
    assert code == exit_codes.OK
    rows = {r["site"]: r for r in csv.DictReader(io.StringIO(text))}
    assert set(rows) == {"SD Negeri 2", "SMP Negeri 1"}
    assert rows["SMP Negeri 1"]["downtime_s"] == "1800" and rows["SMP Negeri 1"]["switch_s"] == "1800"
    code, text = run(month, "report", "availability", "--month", "2026-11", "--district", "Magelang Utar")
    assert code == exit_codes.USAGE and "did you mean Magelang Utara" in text
    code, text = run(month, "report", "availability", "--month", "2026-11", "--site", "SMP Negri 1")
    assert code == exit_codes.USAGE and "did you mean SMP Negeri 1" in text
    code, text = run(month, "report", "availability", "--month", "2026-11", "--from", "2026-11-01")
    assert code == exit_codes.USAGE and "not both" in text
    code, text = run(month, "report", "availability", "--month", "2026-11", "--format", "pdf")
    assert code == exit_codes.USAGE and "-o FILE" in text
    code, text = run(month, "report", "availability", "--from", "2026-11-01")
    assert code == exit_codes.USAGE and "both a from and a to" in text


def test_hostile_site_names_stay_text_in_csv_and_pdf(engine: Engine, settings: Settings,
                                                     tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from inventory.db import session_scope
    from inventory.models import Outage, Site

    evil = "=HYPERLINK(\"http://x\")<b>&amp;</b> Ω"
    with session_scope(engine) as session:
        session.add(Site(name=evil, kind="agency", district="<i>Tengah</i>"))
        session.add(Outage(root_cause_type="link", root_cause="a:1--b:2",
                           started_at=datetime(2026, 11, 2, tzinfo=UTC),
                           ended_at=datetime(2026, 11, 2, 1, tzinfo=UTC), affected_sites=[evil]))
    out = tmp_path / "r.csv"
    assert run(settings, "report", "availability", "--month", "2026-11", "-o", str(out))[0] == exit_codes.OK
    [row] = list(csv.DictReader(io.StringIO(out.read_text())))
    assert row["site"] == "'" + evil and row["fiber_s"] == "3600"
    pdf = tmp_path / "r.pdf"
    code, _ = run(settings, "report", "availability", "--month", "2026-11", "--format", "pdf", "-o", str(pdf))
    assert code == exit_codes.OK
    text = " ".join(pdf_text(pdf).split())
    assert '=HYPERLINK("http://x")<b>&amp;</b>' in text and "<i>Tengah</i>" in text
