"""What the bot answers, in Bahasa Indonesia and English: the help-desk answer, outages, works.

Nothing is derived here: a site's answer is the monitor's stored answer read through
``NetworkViews`` and worded by ``topology.wording`` (verdict, "since", why in one sentence,
then ``maintenance.handling_words``: "planned works until 14:00" or "being handled by Budi
since 10:05: <note>"), the same sentences as the web's site answer and ``netops status``; the
site is found by ``inventory.site_search`` (typos, Indonesian abbreviations, several about as
likely: the caller chooses). Outages are ``queries.active_outages``, those cutting off schools
first, schools first within each; planned works are ``maintenance.list_windows``. Replies are
plain text: a site named ``<b>`` is shown as typed, never interpreted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import Site
from inventory.site_search import search
from netops.monitor import maintenance
from netops.monitor.network_view import NetworkView, StoredSite
from netops.monitor.queries import OutageView, active_outages
from netops.scope import Visible
from topology.wording import site_why, verdict, word

MAX_LISTED_SITES = 8
MAX_OUTAGES = 15

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "help": (
            "netops bot commands:\n"
            "/cek SITE - is a site online? since when, why, who handles it\n"
            "/gangguan - active outages, schools first\n"
            "/jadwal - planned works today\n"
            "/ack ID NOTE - take an outage (with an optional note)\n"
            "/catatan ID NOTE - add a note to an outage\n"
            "/bantuan - this help\n"
            "English names work too: /check, /outages, /schedule, /note, /help."
        ),
        "linked_as": "This chat is linked to netops user {user} ({role}).",
        "not_linked": (
            "This chat is not linked to a netops user, so the bot cannot answer it. Ask a netops "
            "admin to run `netops user link-telegram YOUR_NAME`, then send /start CODE here "
            "with the code it shows."
        ),
        "bad_code": "That code is wrong or has expired. Ask for a new one (netops user link-telegram NAME).",
        "role_needed": "Your role ({role}) may not use {command}; it needs {needed}.",
        "unknown_command": "Unknown command {command}. Send /bantuan for the list.",
        "cek_usage": "Which site? Send /cek followed by its name, e.g. /cek SD Negeri 1 Magelang.",
        "no_site": "No site matches \"{query}\".",
        "did_you_mean": "Did you mean: {names}?",
        "choose": "\"{query}\" may mean several sites; send /cek with the full name:",
        "outage_ref": "Outage #{id}",
        "contact": "Contact: {contact}",
        "no_outages": "No active outages.",
        "outages_title": "Active outages ({n}):",
        "more_outages": "... and {n} more (see the web page).",
        "cut_off": "cut off ({n})",
        "degraded": "slow or on one path ({n})",
        "and_more": "and {n} more",
        "planned": "planned works #{id}",
        "school": "school",
        "ack_usage": "Send /ack ID NOTE, e.g. /ack 12 crew on the way.",
        "note_usage": "Send /catatan ID NOTE, e.g. /catatan 12 splice at pole 12.",
        "no_outage": "There is no outage #{id}.",
        "acked": "Outage #{id} acknowledged by {user}.",
        "noted": "Note added to outage #{id} by {user}.",
        "no_works": "No planned works today.",
        "works_title": "Planned works today:",
        "works_now": "now, until {end}",
        "works_later": "{start} - {end}",
        "works_sites": "cuts off: {sites}",
    },
    "id": {
        "help": (
            "Perintah bot netops:\n"
            "/cek LOKASI - apakah lokasi online? sejak kapan, kenapa, siapa yang menangani\n"
            "/gangguan - gangguan aktif, sekolah lebih dulu\n"
            "/jadwal - pekerjaan terencana hari ini\n"
            "/ack ID CATATAN - ambil penanganan gangguan (catatan boleh kosong)\n"
            "/catatan ID CATATAN - tambah catatan pada gangguan\n"
            "/bantuan - bantuan ini\n"
            "Nama bahasa Inggris juga bisa: /check, /outages, /schedule, /note, /help."
        ),
        "linked_as": "Chat ini terhubung ke pengguna netops {user} ({role}).",
        "not_linked": (
            "Chat ini belum terhubung ke pengguna netops, jadi bot tidak dapat menjawab. Minta admin "
            "netops menjalankan `netops user link-telegram NAMA_ANDA`, lalu kirim /start KODE di sini "
            "dengan kode yang ditampilkan."
        ),
        "bad_code": "Kode salah atau sudah kedaluwarsa. Minta kode baru (netops user link-telegram NAMA).",
        "role_needed": "Peran Anda ({role}) tidak boleh memakai {command}; perlu {needed}.",
        "unknown_command": "Perintah {command} tidak dikenal. Kirim /bantuan untuk daftarnya.",
        "cek_usage": "Lokasi mana? Kirim /cek diikuti namanya, mis. /cek SD Negeri 1 Magelang.",
        "no_site": "Tidak ada lokasi yang cocok dengan \"{query}\".",
        "did_you_mean": "Mungkin maksud Anda: {names}?",
        "choose": "\"{query}\" bisa berarti beberapa lokasi; kirim /cek dengan nama lengkap:",
        "outage_ref": "Gangguan #{id}",
        "contact": "Kontak: {contact}",
        "no_outages": "Tidak ada gangguan aktif.",
        "outages_title": "Gangguan aktif ({n}):",
        "more_outages": "... dan {n} lagi (lihat halaman web).",
        "cut_off": "terputus ({n})",
        "degraded": "lambat atau satu jalur ({n})",
        "and_more": "dan {n} lagi",
        "planned": "pekerjaan terencana #{id}",
        "school": "sekolah",
        "ack_usage": "Kirim /ack ID CATATAN, mis. /ack 12 tim menuju lokasi.",
        "note_usage": "Kirim /catatan ID CATATAN, mis. /catatan 12 sambung di tiang 12.",
        "no_outage": "Gangguan #{id} tidak ada.",
        "acked": "Gangguan #{id} diambil oleh {user}.",
        "noted": "Catatan ditambahkan pada gangguan #{id} oleh {user}.",
        "no_works": "Tidak ada pekerjaan terencana hari ini.",
        "works_title": "Pekerjaan terencana hari ini:",
        "works_now": "sedang berlangsung, sampai {end}",
        "works_later": "{start} - {end}",
        "works_sites": "memutus: {sites}",
    },
}


def say(key: str, lang: str, **values: object) -> str:
    table = PHRASES.get(lang, PHRASES["en"])
    return table[key].format(**values)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


@dataclass(frozen=True, slots=True)
class Context:
    """What every answer needs: the session, the network view, the language, the zone, now."""

    session: Session
    view: NetworkView
    lang: str
    zone: tzinfo
    now: datetime
    visible: Visible | None = None  # a scoped user's part of the network (None: all of it)

    def shown(self, text: str | None) -> str:
        """``text`` with names outside the user's scope replaced, as on the web."""
        return (self.visible.redact(text) if self.visible is not None else text) or ""

    def site_in(self, name: str) -> bool:
        return self.visible is None or self.visible.site(name)

    def clock(self, at: datetime) -> str:
        """10:05 today, 02-12 10:05 another day (in the zone times are shown in)."""
        local, today = at.astimezone(self.zone), self.now.astimezone(self.zone).date()
        return local.strftime("%H:%M") if local.date() == today else local.strftime("%d-%m %H:%M")


# -- /cek ----------------------------------------------------------------------------------------
def check_site(ctx: Context, query: str) -> str:
    """The help-desk answer for the site ``query`` means, or the choices, or "no such site"."""
    query = query.strip()
    if not query:
        return say("cek_usage", ctx.lang)
    view = ctx.view
    candidates = [s for s in view.sites.values() if ctx.site_in(s.site)]  # outside a scope: no such site
    found = search(query, candidates, lambda s: (s.site, *view.graph.site_devices.get(s.site, ())))
    if found.answer is not None:
        return site_answer(ctx, found.answer.item)
    if found.choices:
        lines = [say("choose", ctx.lang, query=query)]
        lines += [f"- {m.name}: {verdict(m.item.state.value, ctx.lang)}" for m in found.choices]
        return "\n".join(lines)
    return say("no_site", ctx.lang, query=query[:64])


def site_answer(ctx: Context, site: StoredSite) -> str:
    view, lang = ctx.view, ctx.lang
    state = site.state.value
    head = verdict(state, lang)
    if site.since is not None and state != "unknown":
        head += f" {word('since', lang)} {ctx.clock(site.since)}"
    lines = [site.site, head]
    devices = view.graph.site_devices.get(site.site, ())
    why = site_why(view.graph, site.as_assessment(devices), lang)
    if why:
        lines.append(_cap(ctx.shown(why)) + ".")
    if site.outage_id is not None:
        handling = maintenance.handling_words(ctx.session, [site.outage_id], lang, ctx.zone, ctx.now)
        if site.outage_id in handling:
            lines.append(_cap(ctx.shown(handling[site.outage_id])))
        lines.append(say("outage_ref", lang, id=site.outage_id))
    row = ctx.session.execute(select(Site.contact_name, Site.contact_phone)
                              .where(Site.name == site.site)).first()
    contact = " ".join(p for p in (row or ()) if p)
    if contact:
        lines.append(say("contact", lang, contact=contact))
    return "\n".join(lines)


def outage_in(ctx: Context, o: OutageView) -> bool:
    """In a scoped user's part: it cut off or slowed one of its sites, or its cause is inside."""
    v = ctx.visible
    return v is None or any(v.site(n) for n in (*o.affected_sites, *o.degraded_sites)) or \
        v.element(o.root_cause_type, o.root_cause)


# -- /gangguan -----------------------------------------------------------------------------------
def _schools_first(names: Sequence[str], kinds: Mapping[str, str]) -> list[str]:
    return sorted(names, key=lambda n: (kinds.get(n) != "school", n.casefold()))


def _listed(names: Sequence[str], lang: str) -> str:
    shown = ", ".join(names[:MAX_LISTED_SITES])
    more = len(names) - MAX_LISTED_SITES
    return shown + (f", {say('and_more', lang, n=more)}" if more > 0 else "")


def outages(ctx: Context) -> str:
    rows = [o for o in active_outages(ctx.session, ctx.now) if outage_in(ctx, o)]
    if not rows:
        return say("no_outages", ctx.lang)
    kinds = {name: s.kind for name, s in ctx.view.sites.items()}

    def schools(o: OutageView) -> int:
        return sum(kinds.get(n) == "school" for n in o.affected_sites if ctx.site_in(n))

    rows.sort(key=lambda o: (-schools(o), -len(o.affected_sites), o.started_at, o.id))
    handling = maintenance.handling_words(ctx.session, [o.id for o in rows], ctx.lang, ctx.zone, ctx.now)
    lines = [say("outages_title", ctx.lang, n=len(rows))]
    for o in rows[:MAX_OUTAGES]:
        cause = ctx.shown((o.cause_words or {}).get(ctx.lang) or f"{o.root_cause_type} {o.root_cause}")
        flags = f" [{say('planned', ctx.lang, id=o.maintenance_id)}]" if o.planned else ""
        lines.append("")
        lines.append(f"#{o.id} {_cap(cause)} ({word('since', ctx.lang)} {ctx.clock(o.started_at)}){flags}")
        n_schools = schools(o)
        affected = [n for n in o.affected_sites if ctx.site_in(n)]
        degraded = [n for n in o.degraded_sites if ctx.site_in(n)]
        if affected:
            school = f", {n_schools} {say('school', ctx.lang)}" if n_schools else ""
            names = _schools_first(affected, kinds)
            lines.append(f"  {say('cut_off', ctx.lang, n=len(names))}{school}: {_listed(names, ctx.lang)}")
        if degraded:
            names = _schools_first(degraded, kinds)
            lines.append(f"  {say('degraded', ctx.lang, n=len(names))}: {_listed(names, ctx.lang)}")
        if o.id in handling:
            lines.append(f"  {_cap(ctx.shown(handling[o.id]))}")
    if len(rows) > MAX_OUTAGES:
        lines.append(say("more_outages", ctx.lang, n=len(rows) - MAX_OUTAGES))
    return "\n".join(lines)


# -- /jadwal -------------------------------------------------------------------------------------
def works_today(ctx: Context) -> str:
    """Works in progress now and those starting later today (in the zone times are shown in)."""
    local_now = ctx.now.astimezone(ctx.zone)
    midnight = (local_now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    lines = []
    for w in maintenance.list_windows(ctx.session, ctx.now):
        if w.active and w.current_end is not None:
            when = say("works_now", ctx.lang, end=ctx.clock(w.current_end))
        elif w.next_start is not None and w.next_start < midnight:
            end = w.next_start + (w.ends_at - w.starts_at)
            when = say("works_later", ctx.lang, start=ctx.clock(w.next_start), end=ctx.clock(end))
        else:
            continue
        cut = [b["site"] for b in w.blast_radius
               if b.get("effect") == "disconnected" and ctx.site_in(b["site"])]
        if ctx.visible is not None and not cut and not ctx.visible.element(w.scope, w.target):
            continue  # works that touch none of a scoped user's sites
        lines.append(f"#{w.id} {w.scope} {ctx.shown(w.target)}: {when}")
        lines.append(f"  {ctx.shown(w.reason)}")
        if cut:
            kinds = {name: s.kind for name, s in ctx.view.sites.items()}
            sites = _listed(_schools_first(cut, kinds), ctx.lang)
            lines.append(f"  {say('works_sites', ctx.lang, sites=sites)}")
    if not lines:
        return say("no_works", ctx.lang)
    return "\n".join([say("works_title", ctx.lang), *lines])
