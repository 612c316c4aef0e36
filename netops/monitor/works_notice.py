"""Notice of planned works before they start, to the routes of the sites they cut off.

Sites keep a contact name and phone number, not an address a message can go to, so the notice
goes through the notification routes that match the works' blast radius (a district's team, the
schools' route), listing every site it cuts off or leaves on one path with its contact to call.
It goes ``notifications.notice_before_minutes`` before each occurrence (a recurring window:
each one), once per route (``works_notices`` rows, so a restart does not repeat it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import MaintenanceWindow, Site, WorksNotice
from netops.monitor.maintenance import next_start
from netops.monitor.routing import OutageFacts

TEXTS = {
    "en": {"title": "PLANNED WORKS", "cut": "Sites cut off", "degraded": "Left on a single path",
           "contact": "contact", "none": "none", "page": "Details"},
    "id": {"title": "PEKERJAAN TERENCANA", "cut": "Lokasi terputus", "degraded": "Tinggal satu jalur",
           "contact": "kontak", "none": "tidak ada", "page": "Rincian"},
}


@dataclass(frozen=True, slots=True)
class Upcoming:
    window_id: int
    starts_at: datetime
    ends_at: datetime
    reason: str
    cut: tuple[tuple[str, str], ...]  # (site, its contact), schools first
    degraded: tuple[tuple[str, str], ...]
    facts: OutageFacts
    announced: frozenset[str]  # routes already told of this occurrence


def upcoming(session: Session, now: datetime, before: timedelta) -> list[Upcoming]:
    """Occurrences of planned works starting within ``before`` from ``now``."""
    out = []
    for row in session.scalars(select(MaintenanceWindow).where(MaintenanceWindow.ended_at.is_(None))
                               .order_by(MaintenanceWindow.id)):
        start = next_start(row, now)
        if start is None or start - now > before:
            continue
        radius = list(row.blast_radius or [])
        names = [r["site"] for r in radius]
        query = select(Site).where(Site.name.in_(names))
        sites = {s.name: s for s in session.scalars(query)} if names else {}
        order = sorted(radius, key=lambda r: (getattr(sites.get(r["site"]), "kind", "") != "school",
                                              r["site"]))
        lines = {r["site"]: (r["site"], _contact(sites.get(r["site"]))) for r in order}
        cut = tuple(lines[r["site"]] for r in order if r["effect"] == "disconnected")
        degraded = tuple(lines[r["site"]] for r in order if r["effect"] != "disconnected")
        known = [sites[n] for n in names if n in sites]
        facts = OutageFacts(districts=frozenset(s.district for s in known if s.district),
                            site_kinds=frozenset(s.kind for s in known if s.kind),
                            device_roles=frozenset(), sites_cut=len(cut))
        told = session.scalars(select(WorksNotice.route).where(
            WorksNotice.window_id == row.id, WorksNotice.starts_at == start)).all()
        out.append(Upcoming(row.id, start, start + (row.ends_at - row.starts_at), row.reason, cut, degraded,
                            facts, frozenset(told)))
    return out


def _contact(site: Site | None) -> str:
    return ", ".join(p for p in ((site.contact_name, site.contact_phone) if site else ()) if p)


def message(works: Upcoming, language: str, zone: tzinfo, public_url: str | None) -> tuple[str, str]:
    """Title and body of the notice in ``language``."""
    t = TEXTS.get(language, TEXTS["en"])
    start, end = works.starts_at.astimezone(zone), works.ends_at.astimezone(zone)
    title = f"{t['title']} {start:%Y-%m-%d %H:%M}–{end:%H:%M %Z}: {works.reason}"

    def listed(lines: Sequence[tuple[str, str]]) -> str:
        shown = [f"{name} ({t['contact']}: {contact})" if contact else name for name, contact in lines]
        return ", ".join(shown) or t["none"]

    body = [f"{t['cut']} ({len(works.cut)}): {listed(works.cut)}"]
    if works.degraded:
        body.append(f"{t['degraded']} ({len(works.degraded)}): {listed(works.degraded)}")
    if public_url:
        body.append(f"{t['page']}: {public_url.rstrip('/')}/maintenance")
    return title, "\n".join(body)
