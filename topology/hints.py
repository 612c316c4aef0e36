"""Errors that name a missing device, site, link or fiber also name the nearest ones that exist.

"no fiber between dist-utara and acc-smpn2" leaves the user guessing; "...; acc-smpn2's fibers:
acc-kel-wates:sfp-sfpplus2 (at GigabitEthernet0/0/9)" tells them which command would work.
Names come from the stored topology (what-if from the CLI and the API, ``status``) or from the
running demo's fiber list (``demo fault``); the nearest names are ``inventory.suggest``'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from inventory.suggest import did_you_mean
from topology.graph import LinkEnd, TopologyGraph
from topology.names import port_key

MAX_LISTED = 8  # a distribution switch has dozens of links: list a few, say how many more
FEW = 3  # the second device's links are listed too when it has at most this many


def no_device(name: str, known: Iterable[str]) -> str:
    """``no device 'X'; did you mean Y?``"""
    return f"no device {name!r}{did_you_mean(name, known)}"


def no_site(name: str, known: Iterable[str]) -> str:
    """``no site 'SMP Negeri 2'; did you mean SMP Negeri 2 Magelang?``"""
    hint = did_you_mean(name, known) or " (see `netops inventory show`)"
    return f"no site {name!r}{hint}"


def _listed(items: Sequence[str]) -> str:
    shown = ", ".join(items[:MAX_LISTED])
    more = len(items) - MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def _far_ends(device: str, pairs: Iterable[tuple[LinkEnd, LinkEnd]]) -> list[str]:
    """``far-device:far-port (at local-port)`` for every pair touching ``device``."""
    out = []
    for x, y in pairs:
        for near, far in ((x, y), (y, x)):
            if near.device == device:
                out.append(f"{far.device}:{far.port} (at {near.port})")
                break
    return sorted(out)


def _split(text: str) -> LinkEnd:
    device, _, port = text.partition(":")
    return LinkEnd(device, port)


def missing_link(what: str, a: LinkEnd, b: LinkEnd | None, pairs: Sequence[tuple[LinkEnd, LinkEnd]],
                 devices: Iterable[str]) -> str:
    """Why no ``what`` (fiber, link) joins ``a`` and ``b`` (ports optional), and what does.

    An unknown device gets a did-you-mean; two known devices that are not linked get the
    links of each (the one the user probably got wrong first); linked devices with the
    wrong ports get the ports that are linked."""
    known = set(devices) | {e.device for pair in pairs for e in pair}
    ends = [e for e in (a, b) if e is not None]
    for end in ends:
        if end.device not in known:
            return no_device(end.device, known)
    asked = " and ".join(f"{e.device}:{e.port}" if e.port else e.device for e in ends)
    head = f"no {what} between {asked}" if len(ends) == 2 else f"no {what} at {asked}"
    if b is not None:
        between = [p for p in pairs if {p[0].device, p[1].device} == {a.device, b.device}]
        if between:
            oriented = [(x, y) if x.device == a.device else (y, x) for x, y in between]  # as typed
            listed = [f"{x.device}:{x.port} - {y.device}:{y.port}" for x, y in oriented]
            return f"{head}; {a.device} and {b.device} are linked by: {_listed(listed)}"
    found = sorted(((_far_ends(e.device, pairs), e.device) for e in ends), key=lambda f: len(f[0]))
    notes = []
    for index, (far, device) in enumerate(found):  # the shorter list first; a long second one is noise
        if index and len(far) > FEW:
            continue
        notes.append(f"{device}'s {what}s: {_listed(far)}" if far else f"{device} has no {what}s")
    return f"{head}; " + "; ".join(notes)


def missing_fiber(a: str, b: str, fibers: Sequence[tuple[str, str]], devices: Iterable[str]) -> str:
    """The demo's ``fault cut-link A B`` named no fiber (``A``/``B`` may carry ``:PORT``)."""
    pairs = [(_split(x), _split(y)) for x, y in fibers]
    return missing_link("fiber", _split(a), _split(b) if b else None, pairs, devices)


def missing_topology_link(graph: TopologyGraph, a: LinkEnd, b: LinkEnd | None) -> str:
    """``topology impact --link`` named no link of the stored topology."""
    pairs = [(link.a, link.b) for link in graph.links.values()]
    message = missing_link("link", a, b, pairs, graph.nodes)
    wanted = [e for e in (a, b) if e is not None]
    for end in wanted:  # a port spelling the normalisation does not know: say which ones it does
        ports = sorted({e.port for pair in pairs for e in pair if e.device == end.device})
        if ports and port_key(end.port) not in {port_key(p) for p in ports}:
            message += f" ({end.device} has no port {end.port!r}{did_you_mean(end.port, ports)})"
    return message
