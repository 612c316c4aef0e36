"""The monthly job: on 1 December last month's PDF and CSV are kept in the data directory and
posted with both files attached through apprise (a local ``json://`` webhook); a second run the
same month sends nothing again."""

from __future__ import annotations

import base64
import dataclasses
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pypdf import PdfReader
from sqlalchemy import Engine

from netops.reports.monthly import previous_month, run_monthly
from netops.settings import Settings
from tests.monitor.webhook import WebhookReceiver
from tests.reports.test_availability_report import november


def test_monthly_report_is_kept_and_sent_once_with_attachments(engine: Engine, settings: Settings) -> None:
    november(engine, settings)
    now = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    with WebhookReceiver() as hook:
        utc = dataclasses.replace(settings, web=dataclasses.replace(settings.web, timezone="UTC"),
                                  reports=dataclasses.replace(settings.reports, urls=(hook.url,),
                                                              language="en"))
        done = run_monthly(engine, utc, now)
        again = run_monthly(engine, utc, now)
    assert done is not None and done.sent and done.month == "2026-11" and again is None
    assert sorted(p.name for p in done.files) == ["availability-2026-11.csv", "availability-2026-11.pdf"]
    assert all(p.parent == settings.data_dir / "reports" and p.stat().st_size > 0 for p in done.files)
    [message] = hook.messages
    assert message["title"] == "Network availability report 2026-11"
    attached = {a["filename"]: base64.b64decode(a["base64"]) for a in message["attachments"]}
    kept = settings.data_dir / "reports" / "availability-2026-11.csv"
    assert attached["availability-2026-11.csv"] == kept.read_bytes()
    pdf = PdfReader(io.BytesIO(attached["availability-2026-11.pdf"]))
    assert "SMP Negeri 1" in " ".join(page.extract_text() for page in pdf.pages)


def test_previous_month_is_the_local_one() -> None:
    wib = ZoneInfo("Asia/Jakarta")
    assert previous_month(datetime(2026, 12, 31, 18, tzinfo=UTC), wib) == "2026-12"  # 1 Jan 01:00 WIB
    assert previous_month(datetime(2026, 12, 31, 16, tzinfo=UTC), wib) == "2026-11"
