"""Causes in plain words, in English and Bahasa Indonesia, for the help desk and notices.

"fiber between dist-utara:sfp1 and acc-smpn1:sfp1 is down" says more to a caller than a link
key. The phrases are data (one table per language); the medium of the link picks the noun.
"""

from __future__ import annotations

from topology.analysis import Element, SiteState
from topology.graph import TopologyGraph

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "fiber": "fiber", "copper": "cable", "wireless": "radio link",
        "link_down": "{medium} between {a} and {b} is down",
        "link_degraded": "{medium} between {a} and {b} is degraded ({reason})",
        "device_down": "{device}{site} is down",
        "cut_off": "cut off: {causes}",
        "redundancy_lost": "running on a single path, redundancy lost: {causes}",
        "degraded_link": "path to the core runs over a degraded link: {causes}",
        "no_data": "no monitoring data yet",
        "not_linked": "not linked to the core in the topology",
        "no_core": "no core device: give a device the role core or set monitor.roots",
        "and": "; ",
        "connected": "connected", "degraded": "degraded", "disconnected": "disconnected",
        "unknown": "unknown", "since": "since", "cause": "cause", "path": "path",
        "disjoint": "disjoint path(s)",
    },
    "id": {
        "fiber": "serat optik", "copper": "kabel", "wireless": "link radio",
        "link_down": "{medium} antara {a} dan {b} putus",
        "link_degraded": "{medium} antara {a} dan {b} terganggu ({reason})",
        "device_down": "{device}{site} mati",
        "cut_off": "terputus: {causes}",
        "redundancy_lost": "hanya lewat satu jalur, jalur cadangan hilang: {causes}",
        "degraded_link": "jalur ke pusat melewati link yang terganggu: {causes}",
        "no_data": "belum ada data pemantauan",
        "not_linked": "tidak terhubung ke pusat dalam topologi",
        "no_core": "belum ada perangkat inti: beri peran core pada satu perangkat atau isi monitor.roots",
        "and": "; ",
        "connected": "terhubung", "degraded": "terganggu", "disconnected": "terputus",
        "unknown": "tidak diketahui", "since": "sejak", "cause": "penyebab", "path": "jalur",
        "disjoint": "jalur terpisah",
    },
}


def _words(lang: str) -> dict[str, str]:
    return PHRASES.get(lang, PHRASES["en"])


def word(key: str, lang: str = "en") -> str:
    """One word of the help-desk vocabulary (state names, labels) in ``lang``."""
    return _words(lang).get(key, key)


def element_text(graph: TopologyGraph, element: Element, lang: str = "en") -> str:
    """One failed or degraded element in plain words."""
    words = _words(lang)
    if element.kind == "link":
        link = graph.links.get(element.id)
        if link is None:
            return element.id
        medium = words.get(link.medium, words["fiber"])
        template = words["link_degraded"] if link.status == "degraded" else words["link_down"]
        return template.format(medium=medium, a=link.a, b=link.b, reason=link.reason)
    node = graph.nodes.get(element.id)
    site = f" ({node.site})" if node is not None and node.site else ""
    return words["device_down"].format(device=element.id, site=site)


def site_text(graph: TopologyGraph, state: SiteState, lang: str = "en") -> str | None:
    """Why a site is in its state, or None when it is simply connected."""
    words = _words(lang)
    if state.state == "connected":
        return None
    if state.state == "unknown":
        return words.get(state.reason or "no_data", words["no_data"])
    causes = words["and"].join(element_text(graph, c, lang) for c in state.causes)
    key = state.reason if state.reason in ("redundancy_lost", "degraded_link") else "cut_off"
    return words[key].format(causes=causes or "?")
