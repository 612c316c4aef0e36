"""The monthly report: on the 1st, last month's PDF and CSV are kept in ``<data_dir>/reports`` and
sent as attachments through apprise (``[reports] urls``, else the notification routes).

A month whose PDF is already in the folder is not made or sent again, so a restarted service
(or a second run on the same day) sends each month once. Sending failures are logged; the copy
stays, and ``netops report availability`` can always make it again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import apprise
from sqlalchemy import Engine

from inventory.db import session_scope
from netops.reports import export
from netops.reports.availability_report import Filters
from netops.reports.words import word
from netops.settings import Settings

log = logging.getLogger(__name__)
AttachSender = Callable[[str, str, Sequence[Path]], bool]


@dataclass(frozen=True, slots=True)
class Monthly:
    month: str
    files: tuple[Path, ...]
    sent: bool


def previous_month(now: datetime, zone: ZoneInfo) -> str:
    local = now.astimezone(zone)
    year, month = (local.year - 1, 12) if local.month == 1 else (local.year, local.month - 1)
    return f"{year:04d}-{month:02d}"


def apprise_attach_sender(urls: Sequence[str]) -> AttachSender:
    """Posts title and body with the files attached to every apprise URL; True when all accepted."""
    def send(title: str, body: str, files: Sequence[Path]) -> bool:
        app = apprise.Apprise()
        for url in urls:
            app.add(url)
        attach = apprise.AppriseAttachment()
        for f in files:
            attach.add(str(f))
        return bool(app.notify(title=title, body=body, attach=attach, body_format=apprise.NotifyFormat.TEXT))
    return send


def run_monthly(engine: Engine, settings: Settings, now: datetime,
                sender: AttachSender | None = None) -> Monthly | None:
    """Make, keep and send last month's report; None when it was already made."""
    zone = ZoneInfo(settings.web.timezone)
    label = previous_month(now, zone)
    folder = Path(settings.data_dir) / "reports"
    lang = settings.reports.language if settings.reports.language in export.LANGS else "id"
    pdf_path = folder / f"availability-{label}.pdf"
    if pdf_path.exists():
        return None
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    files = []
    with session_scope(engine) as session:
        for fmt in ("csv", "pdf"):
            made = export.make(session, settings, export.Choices(month=label, filters=Filters(), format=fmt,
                                                                 lang=lang), now)
            path = folder / made.filename
            path.write_bytes(made.body)
            files.append(path)
    total = made.report.totals()
    urls = settings.reports.urls or settings.notifications.urls
    if not urls and sender is None:
        return Monthly(label, tuple(files), False)
    title = f"{word('title', lang)} {label}"
    body = (f"{word('sites', lang)}: {total.sites}, {word('outages', lang)}: {total.outages}, "
            f"{word('availability', lang)}: {total.availability_pct:.4f}")
    try:
        sent = (sender or apprise_attach_sender(urls))(title, body, files)
    except Exception as exc:  # an apprise plugin may raise on an odd URL; the copy is kept
        log.warning("monthly report %s not sent: %s", label, exc)
        sent = False
    if not sent:
        log.warning("monthly report %s: not every route accepted it (kept in %s)", label, folder)
    return Monthly(label, tuple(files), sent)
