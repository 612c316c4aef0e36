"""Causes and states in plain words, in English and Bahasa Indonesia: one wording for everyone.

The help desk, ``netops status``, the API, the outage list and the notifications all say a root
cause the same way, from the same structure: places first ("the fiber between Kecamatan
Magelang Utara and SMP Negeri 1 is cut"), the devices and ports in brackets for the engineer.
The phrases are data, one table per language; the medium of a link picks the noun.

On a site's own answer (the help desk) ``site_why`` says the same cause as one sentence about
*this* site, without the prefix the verdict already says and without ports ("the fiber from
Kantor Kelurahan Wates to this school is cut"); ``verdict`` names the state as a caller asks
it: does the site have internet now (Online, Slow or unstable, Offline, Not monitored right
now). A site netops cannot see is never "Online".
"""

from __future__ import annotations

from collections.abc import Mapping

from topology.graph import TopologyGraph
from topology.site_states import SiteAssessment
from topology.states import Element

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "fiber": "fiber",
        "copper": "cable",
        "wireless": "radio link",
        "link_down": "the {medium} between {a} and {b} is cut",
        "link_degraded": "the {medium} between {a} and {b} is degraded",
        "device_down": "the switch at {site} is down",
        "device_down_nosite": "switch {device} is down",
        "cut_off": "cut off: {causes}",
        "redundancy_lost": "running on a single path, redundancy lost: {causes}",
        "degraded_link": "the path to the core runs over a degraded link: {causes}",
        "impaired": "slow or unstable: {causes}",
        "device_impaired": "the connection through {site} loses packets or is slow",
        "impaired_loss": "{loss} % of packets lost over the last {window}",
        "impaired_latency": "round trip {rtt} ms, usually {usual} ms",
        "minutes": "{n} min",
        "seconds": "{n} s",
        "no_data": "no monitoring data yet",
        "not_monitored": "not monitored right now: its switch answers ping but not SNMP",
        "not_linked": "not linked to the core in the topology",
        "no_core": "no core device: give a device the role core or set monitor.roots",
        "and": "; ",
        "connected": "connected",
        "degraded": "degraded",
        "disconnected": "disconnected",
        "unknown": "unknown",
        "since": "since",
        "cause": "cause",
        "path": "path",
        "disjoint": "disjoint path(s)",
        # the help desk's answer about one site (``verdict``, ``site_why``)
        "verdict_connected": "Online",
        "verdict_degraded": "Slow or unstable",
        "verdict_disconnected": "Offline",
        "verdict_unknown": "Not monitored right now",
        "here_school": "this school",
        "here_health": "this health centre",
        "here_site": "this site",
        "link_down_here": "the {medium} from {other} to {here} is cut",
        "link_degraded_here": "the {medium} from {other} to {here} is degraded",
        "device_down_here": "the switch at {here} is down",
        "device_impaired_here": "the connection at {here} loses packets or is slow",
        "why_cut_off": "{causes}",
        "why_redundancy_lost": "it runs on one path only, the other path is down: {causes}",
        "why_degraded_link": "its path to the core runs over a degraded link: {causes}",
        "why_impaired": "{causes}",
        "why_no_data": "netops has no monitoring data for it yet",
        "why_not_monitored": "its switch answers ping but not SNMP, so netops cannot see its ports",
        "why_not_linked": "it is not linked to the core in the topology",
        "why_no_core": "no core device is set: give a device the role core or set monitor.roots",
        "planned_until": "planned works until {until}: {reason}",
        "planned_ended": "planned works ended at {at} but {sites} is still offline",
        "handled_by": "being handled by {by} since {since}",
    },
    "id": {
        "fiber": "serat optik",
        "copper": "kabel",
        "wireless": "link radio",
        "link_down": "{medium} antara {a} dan {b} putus",
        "link_degraded": "{medium} antara {a} dan {b} terganggu",
        "device_down": "switch di {site} mati",
        "device_down_nosite": "switch {device} mati",
        "cut_off": "terputus: {causes}",
        "redundancy_lost": "hanya lewat satu jalur, jalur cadangan hilang: {causes}",
        "degraded_link": "jalur ke pusat melewati link yang terganggu: {causes}",
        "impaired": "lambat atau tidak stabil: {causes}",
        "device_impaired": "koneksi melalui {site} kehilangan paket atau lambat",
        "impaired_loss": "{loss} % paket hilang dalam {window} terakhir",
        "impaired_latency": "latensi {rtt} ms, biasanya {usual} ms",
        "minutes": "{n} menit",
        "seconds": "{n} detik",
        "no_data": "belum ada data pemantauan",
        "not_monitored": "tidak terpantau saat ini: switch-nya menjawab ping tetapi tidak SNMP",
        "not_linked": "tidak terhubung ke pusat dalam topologi",
        "no_core": "belum ada perangkat inti: beri peran core pada satu perangkat atau isi monitor.roots",
        "and": "; ",
        "connected": "terhubung",
        "degraded": "terganggu",
        "disconnected": "terputus",
        "unknown": "tidak diketahui",
        "since": "sejak",
        "cause": "penyebab",
        "path": "jalur",
        "disjoint": "jalur terpisah",
        "verdict_connected": "Terhubung",
        "verdict_degraded": "Lambat atau tidak stabil",
        "verdict_disconnected": "Terputus",
        "verdict_unknown": "Tidak terpantau saat ini",
        "here_school": "sekolah ini",
        "here_health": "puskesmas ini",
        "here_site": "lokasi ini",
        "link_down_here": "{medium} dari {other} ke {here} putus",
        "link_degraded_here": "{medium} dari {other} ke {here} terganggu",
        "device_down_here": "switch di {here} mati",
        "device_impaired_here": "koneksi di {here} kehilangan paket atau lambat",
        "why_cut_off": "{causes}",
        "why_redundancy_lost": "hanya lewat satu jalur, jalur lainnya putus: {causes}",
        "why_degraded_link": "jalurnya ke pusat melewati link yang terganggu: {causes}",
        "why_impaired": "{causes}",
        "why_no_data": "netops belum punya data pemantauan untuk lokasi ini",
        "why_not_monitored": (
            "switch-nya menjawab ping tetapi tidak SNMP, jadi netops tidak bisa melihat port-nya"
        ),
        "why_not_linked": "lokasi ini tidak terhubung ke pusat dalam topologi",
        "why_no_core": "belum ada perangkat inti: beri peran core pada satu perangkat atau isi monitor.roots",
        "planned_until": "pekerjaan terencana sampai {until}: {reason}",
        "planned_ended": "pekerjaan terencana selesai pukul {at} tetapi {sites} masih offline",
        "handled_by": "sedang ditangani oleh {by} sejak {since}",
    },
}
LANGUAGES = tuple(PHRASES)


def _words(lang: str) -> dict[str, str]:
    return PHRASES.get(lang, PHRASES["en"])


def word(key: str, lang: str = "en") -> str:
    """One word of the help-desk vocabulary (state names, labels) in ``lang``."""
    return _words(lang).get(key, key)


def _place(graph: TopologyGraph, device: str) -> str:
    node = graph.nodes.get(device)
    return node.site if node is not None and node.site else device


def element_detail(graph: TopologyGraph, element: Element) -> str:
    """The technical name of an element: the two ports of a link, or the device name."""
    link = graph.links.get(element.id) if element.kind == "link" else None
    return f"{link.a} – {link.b}" if link is not None else element.id


def element_text(
    graph: TopologyGraph,
    element: Element,
    lang: str = "en",
    *,
    detail: bool = True,
    status: str | None = None,
    here: tuple[str, str] | None = None,
) -> str:
    """One failed or degraded element in plain words, places first (``detail``: ports in brackets).

    ``status`` is the link's state to word (default: the state on the graph). ``here`` is
    (site name, phrase such as "this school"): an element at that site is worded from its
    point of view ("the fiber from X to this school is cut")."""
    words = _words(lang)
    suffix = f" ({element_detail(graph, element)})" if detail else ""
    if element.kind == "link":
        link = graph.links.get(element.id)
        if link is None:
            return element.id
        a, b = _place(graph, link.a.device), _place(graph, link.b.device)
        if a == b:
            a, b = link.a.device, link.b.device
        degraded = (status or link.status) == "degraded"
        medium = words.get(link.medium, words["fiber"])
        if here is not None and here[0] in (a, b):
            other = b if a == here[0] else a
            template = words["link_degraded_here"] if degraded else words["link_down_here"]
            return template.format(medium=medium, other=other, here=here[1]) + suffix
        template = words["link_degraded"] if degraded else words["link_down"]
        return template.format(medium=medium, a=a, b=b) + suffix
    node = graph.nodes.get(element.id)
    if node is None or not node.site:
        return words["device_down_nosite"].format(device=element.id)
    key = "device_impaired" if status == "degraded" else "device_down"
    if here is not None and node.site == here[0]:
        return words[f"{key}_here"].format(here=here[1]) + suffix
    return words[key].format(site=node.site) + suffix


def impairment_text(
    lang: str = "en",
    *,
    loss_pct: float | None = None,
    window_s: int = 300,
    rtt_ms: float | None = None,
    usual_ms: float | None = None,
) -> str:
    """Why a device is impaired, in figures: the loss over the window and/or the round trip
    against its usual one ("30 % of packets lost over the last 5 min; round trip 180 ms, usually
    4 ms"). The monitor judges; this only words what it measured."""
    words = _words(lang)
    parts = []
    if loss_pct is not None:
        unit = "minutes" if window_s % 60 == 0 else "seconds"
        window = words[unit].format(n=window_s // 60 if unit == "minutes" else window_s)
        parts.append(words["impaired_loss"].format(loss=_figure(loss_pct), window=window))
    if rtt_ms is not None and usual_ms is not None:
        parts.append(words["impaired_latency"].format(rtt=_figure(rtt_ms), usual=_figure(usual_ms)))
    return words["and"].join(parts)


def _figure(value: float) -> str:
    """A measured figure as people say it: whole from 10 up, one decimal below, two digits under 1."""
    if value >= 10:
        return f"{value:.0f}"
    if value >= 1:
        return f"{value:.1f}".removesuffix(".0")
    return f"{value:.2g}"


def _causes_text(
    graph: TopologyGraph,
    state: SiteAssessment,
    lang: str,
    statuses: Mapping[str, str] | None,
    *,
    detail: bool = True,
    here: tuple[str, str] | None = None,
) -> str:
    slow = state.reason in ("impaired", "degraded_link")  # a device cause here is slow, not down
    return _words(lang)["and"].join(
        element_text(
            graph,
            c,
            lang,
            detail=detail,
            status="degraded" if slow and c.kind == "device" else (statuses or {}).get(c.id),
            here=here,
        )
        for c in state.causes
    )


def site_text(
    graph: TopologyGraph, state: SiteAssessment, lang: str = "en", statuses: Mapping[str, str] | None = None
) -> str | None:
    """Why a site is in its state, or None when it is simply connected (``statuses``: link states
    to word the causes with, default: the states on the graph)."""
    words = _words(lang)
    if state.state == "connected":
        return None
    if state.state == "unknown":
        return words.get(state.reason or "no_data", words["no_data"])
    causes = _causes_text(graph, state, lang, statuses)
    key = state.reason if state.reason in ("redundancy_lost", "degraded_link", "impaired") else "cut_off"
    return words[key].format(causes=causes or "?")


def verdict(state: str, lang: str = "en") -> str:
    """Does the site have internet now, as a caller asks it (a stored ``Connectivity`` value)."""
    words = _words(lang)
    return words.get(f"verdict_{state}", words["verdict_unknown"])


def here_phrase(kind: str, lang: str = "en") -> str:
    """How a site's own answer names the site: "this school", "this health centre", "this site"."""
    words = _words(lang)
    return words.get(f"here_{kind}", words["here_site"])


def site_why(
    graph: TopologyGraph, state: SiteAssessment, lang: str = "en", statuses: Mapping[str, str] | None = None
) -> str | None:
    """Why the site is in its state, as one sentence about this site without ports (``site_text``
    has them), or None when it is connected. Starts in lower case, like every phrase here."""
    words = _words(lang)
    if state.state == "connected":
        return None
    if state.state == "unknown":
        return words.get(f"why_{state.reason or 'no_data'}", words["why_no_data"])
    here = (state.site, here_phrase(state.kind, lang))
    causes = _causes_text(graph, state, lang, statuses, detail=False, here=here)
    reason = state.reason if state.reason in ("redundancy_lost", "degraded_link", "impaired") else "cut_off"
    return words[f"why_{reason}"].format(causes=causes or "?")


def planned_text(until: str, reason: str, lang: str = "en") -> str:
    """The help-desk answer for a site down by planned works: "planned works until 14:00: ..."."""
    return _words(lang)["planned_until"].format(until=until, reason=reason)


def planned_ended_text(at: str, sites: list[str], lang: str = "en") -> str:
    """Planned works are over but sites are still down: the words of the outage that now notifies."""
    return _words(lang)["planned_ended"].format(at=at, sites=", ".join(sites))


def handled_text(by: str, since: str, note: str | None, lang: str = "en") -> str:
    """Who took the outage and since when, with the last note: "being handled by Budi since 10:05: ..."."""
    text = _words(lang)["handled_by"].format(by=by, since=since)
    return f"{text}: {note}" if note else text
