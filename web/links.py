"""Every element a page names leads on: the ends of a link id, ports in natural order, phone links.

Events, outages and link lists name elements as text: a device (``sw1``), a site, a link
(``DEV:PORT--DEV:PORT``, the one id of ``topology.graph.link_key``) or a port (``DEV:PORT``).
``element_ends`` splits those into (device, port) ends that templates turn into links (device
pages, site pages); ``natural_key`` sorts ``0/0/2`` before ``0/0/10``; ``tel_uri`` turns a
written phone number into a ``tel:`` link. Pure functions, registered as Jinja helpers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_DIGITS = re.compile(r"(\d+)")
_PHONE_KEEP = re.compile(r"[^\d+]")


@dataclass(frozen=True, slots=True)
class End:
    """One end of a link, or a port, or a device (``port`` empty)."""

    device: str
    port: str = ""


def element_ends(kind: str, element: str) -> tuple[End, ...]:
    """The devices (and ports) an event or outage element names; () for a site or anything else."""
    if kind == "link" and "--" in element:
        a, _, b = element.partition("--")
        return _end(a), _end(b)
    if kind == "interface":
        return (_end(element),)
    if kind == "device":
        return (End(element),)
    return ()


def _end(text: str) -> End:
    device, _, port = text.partition(":")
    return End(device, port)


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders numbers by value: ``Gi0/0/2`` before ``Gi0/0/10``, case-insensitive."""
    return tuple((0, int(part)) if part.isdigit() else (1, part.casefold()) for part in _DIGITS.split(text))


def natural_sorted(names: Sequence[str]) -> list[str]:
    return sorted(names, key=natural_key)


def tel_uri(phone: str | None) -> str | None:
    """``tel:`` link of a written number ("+62 293 362033" -> "tel:+62293362033"), or None."""
    if not phone:
        return None
    digits = _PHONE_KEEP.sub("", phone)
    digits = digits[:1] + digits[1:].replace("+", "")
    return f"tel:{digits}" if sum(c.isdigit() for c in digits) >= 3 else None


def cause_headline(text: str, kind: str, element: str) -> str:
    """A stored cause in plain words without its technical tail: "the switch at X is down
    (sw-x)" -> "the switch at X is down" when the brackets name the root cause's devices (a
    page shows those apart, as links)."""
    start = text.rfind(" (")
    ends = element_ends(kind, element)
    if start <= 0 or not text.endswith(")") or not ends:
        return text
    tail = text[start:]
    return text[:start] if all(end.device in tail for end in ends) else text
